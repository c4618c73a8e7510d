/// A stored custom field value, already validated against its ``FieldDefinition``.
public enum FieldValue: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    /// Exact: see ``DecimalNumber``.
    case decimal(DecimalNumber)
    /// A calendar date, `YYYY-MM-DD`.
    case date(String)
    case checkbox(Bool)

    /// The value as JSON.
    public var json: JSONValue {
        switch self {
        case .text(let string), .date(let string): .string(string)
        case .integer(let value): .integer(value)
        case .decimal(let value): .number(value.description)
        case .checkbox(let value): .bool(value)
        }
    }
}
