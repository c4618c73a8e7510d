/// A saved search of one user ("VIP Customers - Q4"): the words of the query as written,
/// checked again each time it is used so that it follows field changes.
public struct Preset: Sendable, Hashable {
    /// The most bytes a preset's search words may hold together.
    public static let maximumQueryBytes = 16 * 1024
    public var userID: UserID
    /// 1–64 characters, unique per user (case-insensitive).
    public var name: String
    /// The query's arguments: text (or `*`) then clauses and SORT, as `CONTACT.SEARCH` takes them.
    public var arguments: [String]
    public var createdAt: Timestamp

    public init(userID: UserID, name: String, arguments: [String], createdAt: Timestamp) {
        self.userID = userID
        self.name = name
        self.arguments = arguments
        self.createdAt = createdAt
    }
}

extension OrganizationState {
    /// The caller's preset named `name` (case-insensitive).
    public func preset(_ name: String, for caller: Caller) throws(CallsheetError) -> Preset {
        guard let preset = presets[caller.userID]?[name.lowercased()] else {
            throw CallsheetError(.notFound, "you have no preset named '\(name)' (PRESET.LIST shows yours)")
        }
        return preset
    }

    /// Plans `PRESET.SAVE name <query…>`; saving over an existing name replaces it.
    public func planSavePreset(_ name: String, _ arguments: [String], by caller: Caller, context: PlanningContext) throws(CallsheetError) -> Preset {
        try caller.require(.manager, for: "PRESET.SAVE")
        let clean = name.trimmingSpaces()
        guard !clean.isEmpty, TextLimit.presetName.admits(clean) else { throw CallsheetError(.badRequest, "a preset name is not blank and holds \(TextLimit.presetName.phrase)") }
        guard arguments.reduce(0, { $0 + $1.utf8.count }) <= Preset.maximumQueryBytes else {
            throw CallsheetError(.badRequest, "a preset's search is at most \(Preset.maximumQueryBytes / 1024) KiB")
        }
        let query = try ContactQuery.parse(arguments)
        guard query.preset == nil, query.cursor == nil else {
            throw CallsheetError(.badRequest, "a preset holds text, filters and SORT; not PRESET or CURSOR")
        }
        _ = try resolve(query, for: caller)
        return Preset(userID: caller.userID, name: clean, arguments: arguments, createdAt: context.now)
    }

    public func planRenamePreset(_ name: String, to newName: String, by caller: Caller) throws(CallsheetError) -> [Change] {
        var preset = try preset(name, for: caller)
        let clean = newName.trimmingSpaces()
        guard !clean.isEmpty, TextLimit.presetName.admits(clean) else { throw CallsheetError(.badRequest, "a preset name is not blank and holds \(TextLimit.presetName.phrase)") }
        if clean.lowercased() != name.lowercased(), presets[caller.userID]?[clean.lowercased()] != nil {
            throw CallsheetError(.conflict, "you already have a preset named '\(clean)'")
        }
        let old = preset.name
        preset.name = clean
        return [.removePreset(userID: caller.userID, name: old), .putPreset(preset)]
    }

    public func presetJSON(_ preset: Preset) -> JSONValue {
        .object([
            ("name", .string(preset.name)),
            ("query", .string(preset.arguments.map { $0.contains(" ") || $0.isEmpty ? "'\($0)'" : $0 }.joined(separator: " "))),
            ("arguments", .array(preset.arguments.map { .string($0) })),
            ("created_at", .string(TimestampFormat.iso8601(preset.createdAt))),
        ])
    }
}
