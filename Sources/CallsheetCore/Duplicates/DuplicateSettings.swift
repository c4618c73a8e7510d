/// How an organization finds and merges duplicates (`DUP.SETTINGS`): which rules run, the
/// threshold, what a write that looks like a duplicate does, and how merges settle conflicts.
/// Journaled as one change (tag 14) and kept in snapshots.
public struct DuplicateSettings: Sendable, Hashable {
    /// One way two contacts may be the same person.
    public enum Rule: String, CaseIterable, Sendable, Hashable {
        /// The same E.164 number.
        case phone
        /// The same address, case-insensitively (and, with ``DuplicateSettings/gmailNormalization``,
        /// without dots or a `+tag` in a Gmail address).
        case email
        /// Names alike by Levenshtein similarity after folding accents and case, in any token
        /// order, with initials and common nicknames.
        case name
        /// Names alike and the same company (legal suffixes such as `Inc` or `GmbH` ignored).
        case nameCompany = "name_company"
        /// The same national number under another country code (`+44 20…` and `+1 20…`).
        case nationalPhone = "national_phone"
    }

    /// What `CONTACT.ADD`, `CONTACT.UPDATE`, `CONTACT.BULK` and an import's validate step do
    /// with a likely duplicate.
    public enum Action: String, CaseIterable, Sendable, Hashable {
        /// Store it and name the candidates in `warnings`.
        case warn
        /// Refuse it (`LIKELY_DUPLICATE`, with the candidates).
        case block
        /// Check nothing.
        case off
    }

    /// Which contact's value a merge keeps for a custom field, email or company that several hold.
    public enum ConflictRule: String, CaseIterable, Sendable, Hashable {
        /// The primary's value, or none.
        case primary
        /// The primary's value when it has one, otherwise the first other contact's.
        case nonEmpty = "non_empty"
        /// The value of the most recently updated contact that has one.
        case newest
        /// The value of the earliest created contact that has one.
        case oldest
    }

    /// The rules turned on, one bit each in ``Rule/allCases`` order (checked per comparison).
    private var ruleBits: UInt8 = (1 << Rule.allCases.count) - 1
    public var rules: Set<Rule> {
        get { Set(Rule.allCases.enumerated().filter { ruleBits & (1 << $0.offset) != 0 }.map(\.element)) }
        set { ruleBits = Rule.allCases.enumerated().reduce(0) { newValue.contains($1.element) ? $0 | (1 << $1.offset) : $0 } }
    }
    /// 0–100: the name similarity a `name` match needs, and the score `DUP.SCAN` groups at.
    /// 100 means names equal after folding (exact match only).
    public var threshold = 85
    public var gmailNormalization = true
    public var action: Action = .warn
    /// Whether `DUP.SCAN` merges groups whose every link scores at least ``autoMergeThreshold``.
    public var autoMerge = false
    public var autoMergeThreshold = 97
    public var conflictRule: ConflictRule = .nonEmpty
    /// How long undo entries (merges included) are kept, in days.
    public var undoRetentionDays = 30

    public init() {}

    public func isOn(_ rule: Rule) -> Bool { ruleBits & Self.bit(rule) != 0 }

    /// The rule's bit: its position in ``Rule/allCases``.
    private static func bit(_ rule: Rule) -> UInt8 {
        switch rule {
        case .phone: 1
        case .email: 2
        case .name: 4
        case .nameCompany: 8
        case .nationalPhone: 16
        }
    }

    public var json: JSONValue {
        .object([
            ("rules", .object(Rule.allCases.map { ($0.rawValue, .bool(rules.contains($0))) })),
            ("threshold", .integer(Int64(threshold))),
            ("gmail_normalization", .bool(gmailNormalization)),
            ("action", .string(action.rawValue)),
            ("auto_merge", .bool(autoMerge)),
            ("auto_merge_threshold", .integer(Int64(autoMergeThreshold))),
            ("conflict_rule", .string(conflictRule.rawValue)),
            ("undo_retention_days", .integer(Int64(undoRetentionDays))),
        ])
    }

    /// The keys `DUP.SETTINGS SET` takes, with what each expects.
    public static let keys: [(String, String)] = [
        ("rule.<name>", "on or off; rules: \(Rule.allCases.map(\.rawValue).joined(separator: ", "))"),
        ("threshold", "an integer 0–100"),
        ("gmail_normalization", "on or off"),
        ("action", Action.allCases.map(\.rawValue).joined(separator: ", ")),
        ("auto_merge", "on or off"),
        ("auto_merge_threshold", "an integer 50–100"),
        ("conflict_rule", ConflictRule.allCases.map(\.rawValue).joined(separator: ", ")),
        ("undo_retention_days", "an integer 1–3650"),
    ]

    /// This with `key` set to `value`.
    /// - Throws: `BAD_REQUEST` naming the key and what it expects.
    public func setting(_ key: String, to value: String) throws(CallsheetError) -> DuplicateSettings {
        var copy = self
        let lowered = key.lowercased()
        func flag() throws(CallsheetError) -> Bool {
            switch value.lowercased() {
            case "on", "yes", "true", "1": return true
            case "off", "no", "false", "0": return false
            default: throw CallsheetError(.badRequest, "DUP.SETTINGS: \(key) is on or off, got '\(value.prefix(40))'")
            }
        }
        func number(_ range: ClosedRange<Int>) throws(CallsheetError) -> Int {
            guard let number = Int(value), range.contains(number) else {
                throw CallsheetError(.badRequest, "DUP.SETTINGS: \(key) is an integer \(range.lowerBound)–\(range.upperBound), got '\(value.prefix(40))'")
            }
            return number
        }
        func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(CallsheetError) -> T where T.RawValue == String {
            guard let choice = T(rawValue: value.lowercased()) else {
                throw CallsheetError(.badRequest, "DUP.SETTINGS: \(key) is one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(value.prefix(40))'")
            }
            return choice
        }
        if lowered.hasPrefix("rule.") {
            guard let rule = Rule(rawValue: String(lowered.dropFirst(5))) else {
                throw CallsheetError(.badRequest, "DUP.SETTINGS: no rule '\(key.dropFirst(5).prefix(40))'; rules: \(Rule.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if try flag() { copy.rules.insert(rule) } else { copy.rules.remove(rule) }
            return copy
        }
        switch lowered {
        case "threshold": copy.threshold = try number(0...100)
        case "gmail_normalization": copy.gmailNormalization = try flag()
        case "action": copy.action = try choice(Action.self)
        case "auto_merge": copy.autoMerge = try flag()
        case "auto_merge_threshold": copy.autoMergeThreshold = try number(50...100)
        case "conflict_rule": copy.conflictRule = try choice(ConflictRule.self)
        case "undo_retention_days": copy.undoRetentionDays = try number(1...3650)
        default:
            throw CallsheetError(.badRequest, "DUP.SETTINGS: unknown key '\(key.prefix(40))'; keys: \(Self.keys.map(\.0).joined(separator: ", "))")
        }
        return copy
    }
}
