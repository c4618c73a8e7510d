/// A JSON document, as requests carry them and replies return them.
///
/// Callsheet parses and writes JSON itself (``JSONParser``, ``JSONWriter``) so that requests get
/// errors with byte offsets and replies on the lookup hot path cost one buffer append per field.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case double(Double)
    /// A number as written, when it is not a whole number that fits `Int64`: what the parser
    /// produces, so that a decimal such as `12.345678901234567890` reaches its field exactly.
    /// It equals (and hashes as) the `double` of the same value.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Keys keep their order of appearance.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.integer(a), .integer(b)): a == b
        case let (.double(a), .double(b)): a == b
        case let (.number(a), .number(b)): a == b || Double(a) == Double(b)
        case let (.number(a), .double(b)), let (.double(b), .number(a)): Double(a) == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let value): hasher.combine(value)
        case .integer(let value): hasher.combine(value)
        case .double(let value): hasher.combine(value)
        case .number(let text): hasher.combine(Double(text) ?? .nan)
        case .string(let value): hasher.combine(value)
        case .array(let values): hasher.combine(values)
        case .object(let members):
            for (key, value) in members {
                hasher.combine(key)
                hasher.combine(value)
            }
        }
    }

    /// The member named `key` of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.0 == key })?.1
    }

    /// A short name of the value's kind for error messages ("a string", "a number").
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "true/false"
        case .integer, .double, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Parses `text` as one JSON document.
    public static func parse(_ text: String) throws(CallsheetError) -> JSONValue {
        var parser = JSONParser(Array(text.utf8))
        return try parser.parseDocument()
    }

    /// The compact JSON text of this value.
    public var serialized: String {
        var writer = JSONWriter()
        writer.write(self)
        return writer.string
    }
}
