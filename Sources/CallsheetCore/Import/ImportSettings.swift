/// An organization's import defaults (the seed's "Import System Configuration"), used when an
/// import command does not say otherwise. Row and byte limits live in ``OrganizationSettings``.
public struct ImportSettings: Sendable, Hashable {
    /// What to do with a row whose phone belongs to an existing contact.
    public var duplicates: DuplicatePolicy = .skip
    /// Whether one bad row rejects the whole import.
    public var strictness: ImportStrictness = .lenient
    /// Tag added to every imported contact; `{month}` becomes `2026-11`, `{date}` `2026-11-24`. Nil: none.
    public var autoTag: String? = nil

    public init(duplicates: DuplicatePolicy = .skip, strictness: ImportStrictness = .lenient, autoTag: String? = nil) {
        self.duplicates = duplicates
        self.strictness = strictness
        self.autoTag = autoTag
    }

    /// The setting keys `IMPORT.SETTINGS <key> <value>` accepts.
    public static let keys = ["duplicates", "strictness", "auto_tag"]

    /// This value with one setting changed.
    /// - Throws: `BAD_REQUEST` for an unknown key or value.
    public func setting(_ key: String, _ value: String) throws(CallsheetError) -> ImportSettings {
        var copy = self
        switch key.lowercased() {
        case "duplicates", "duplicate_handling":
            guard let policy = DuplicatePolicy(rawValue: value.lowercased()) else {
                throw CallsheetError(.badRequest, "duplicates is skip, update or ask; got '\(value)'")
            }
            copy.duplicates = policy
        case "strictness", "validation":
            guard let strictness = ImportStrictness(rawValue: value.lowercased()) else {
                throw CallsheetError(.badRequest, "strictness is strict or lenient; got '\(value)'")
            }
            copy.strictness = strictness
        case "auto_tag", "autotag":
            let tag = value.trimmingSpaces()
            if ["", "none", "off"].contains(tag.lowercased()) {
                copy.autoTag = nil
            } else {
                // The tag as it will be stored: {date} and {month} expand to more characters.
                do throws(CallsheetError) {
                    try TagKey.validate(ImportSettings.expand(tag, now: 0))
                } catch {
                    throw CallsheetError(.badRequest, "auto_tag must be a tag of 1–\(TagKey.maximumLength) characters once {month} or {date} are filled in, with no comma or semicolon, e.g. Imported-{month}; got '\(value.prefix(80))': \(error.message)")
                }
                copy.autoTag = tag
            }
        default:
            throw CallsheetError(.badRequest, "unknown import setting '\(key)'; settings: \(Self.keys.joined(separator: ", ")) (row and size limits: ORG.SET max_import_rows / max_import_bytes)")
        }
        return copy
    }

    /// The auto-tag with `{month}` and `{date}` filled in for `now`.
    public static func expand(_ template: String, now: Timestamp) -> String {
        let iso = TimestampFormat.iso8601(now)
        return template.replacingAll("{month}", with: String(iso.prefix(7))).replacingAll("{date}", with: String(iso.prefix(10)))
    }

    public var json: JSONValue {
        .object([
            ("duplicates", .string(duplicates.rawValue)),
            ("strictness", .string(strictness.rawValue)),
            ("auto_tag", autoTag.map { .string($0) } ?? .null),
        ])
    }
}

/// What an import does with a row whose phone already belongs to a contact.
public enum DuplicatePolicy: String, Sendable, Hashable, CaseIterable {
    /// Keep the existing contact; the row is skipped.
    case skip
    /// Overwrite the existing contact with the row's non-empty cells.
    case update
    /// Stop after validation and return the duplicates for review; nothing is stored.
    case ask
}

/// Whether one bad row rejects a whole import.
public enum ImportStrictness: String, Sendable, Hashable, CaseIterable {
    /// Any invalid row rejects the whole import; nothing is stored.
    case strict
    /// Good rows are imported; invalid ones are reported.
    case lenient
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}
