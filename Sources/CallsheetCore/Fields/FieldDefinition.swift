/// An admin-defined contact field, as the seed's "Configuring Custom Fields" describes.
public struct FieldDefinition: Sendable, Hashable {
    /// Identifier: lower-case letters, digits and underscores, starting with a letter, ≤ 64 characters.
    public var name: String
    /// What people read, e.g. "Customer ID".
    public var label: String
    public var type: FieldType
    /// Choices of a `dropdown` field, in display order. Empty for other types.
    public var options: [String]
    /// A required field must have a value on every contact created or updated while it is active.
    public var required: Bool
    /// Roles that read (and, for admins and managers, write) this field.
    public var visibleTo: Set<Role>
    /// Display position; `FIELD.REORDER` renumbers.
    public var order: Int
    /// Hidden from everyone, data kept; `FIELD.UNARCHIVE` shows it again.
    public var archived: Bool

    public init(
        name: String, label: String, type: FieldType, options: [String] = [], required: Bool = false,
        visibleTo: Set<Role> = Set(Role.allCases), order: Int, archived: Bool = false
    ) {
        self.name = name
        self.label = label
        self.type = type
        self.options = options
        self.required = required
        self.visibleTo = visibleTo
        self.order = order
        self.archived = archived
    }

    /// True when `role` reads this field (archived fields are read by nobody).
    public func isVisible(to role: Role) -> Bool { !archived && visibleTo.contains(role) }

    /// Checks a field identifier.
    public static func validateName(_ name: String) throws(CallsheetError) {
        let bytes = Array(name.utf8)
        let valid = !bytes.isEmpty && bytes.count <= 64
            && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0])
            && bytes.allSatisfy { (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "_") }
        guard valid else {
            throw CallsheetError(.invalidField, "field name '\(name)' must start with a lower-case letter and use only a-z, 0-9 and _ (at most 64)")
        }
    }
}

/// The kinds of custom field the seed lists.
public enum FieldType: String, Sendable, Hashable, CaseIterable {
    case text
    case longText = "long_text"
    case integer
    case decimal
    case date
    case dropdown
    case checkbox

    public static func parse(_ text: String) throws(CallsheetError) -> FieldType {
        guard let type = FieldType(rawValue: text.lowercased()) else {
            throw CallsheetError(.invalidField, "unknown field type '\(text)'; expected one of \(FieldType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return type
    }

    /// Longest text value accepted for this type, in characters.
    var textLimit: TextLimit { self == .longText ? .longText : .name }
}
