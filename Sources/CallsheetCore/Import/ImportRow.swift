/// One data row of an import after its cells were checked on their own: either the values it
/// carries (phone normalized to E.164) or why it cannot be imported.
///
/// Cells that were empty are nil here, so an update leaves the stored value alone.
public struct ImportRow: Sendable, Hashable {
    public var line: Int
    public var name: String
    public var phone: String
    /// The extension the phone cell carried (`ext. 12`), if any.
    public var phoneExtension: String? = nil
    public var email: String?
    public var company: String?
    public var tags: [String]
    public var notes: String?
    public var customFields: [String: FieldValue]
    /// Column of each custom field, for errors found when planning (a required field missing).
    public var warnings: [ImportIssue]

    public init(line: Int, name: String, phone: String, email: String? = nil, company: String? = nil, tags: [String] = [],
                notes: String? = nil, customFields: [String: FieldValue] = [:], warnings: [ImportIssue] = []) {
        self.line = line
        self.name = name
        self.phone = phone
        self.email = email
        self.company = company
        self.tags = tags
        self.notes = notes
        self.customFields = customFields
        self.warnings = warnings
    }
}

/// A checked row: its values, or its problems (at least one).
public enum CheckedRow: Sendable, Hashable {
    case valid(ImportRow)
    case invalid(line: Int, issues: [ImportIssue])

    public var line: Int {
        switch self {
        case .valid(let row): row.line
        case .invalid(let line, _): line
        }
    }
}
