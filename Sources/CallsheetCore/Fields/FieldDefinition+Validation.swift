extension FieldDefinition {
    /// Checks a value written to this field and returns what is stored.
    ///
    /// Accepts the JSON type of the field, and text forms of numbers, dates and booleans so that
    /// values read from a spreadsheet validate the same way.
    /// - Throws: `INVALID_FIELD` naming the field and what was expected.
    public func validate(_ value: JSONValue) throws(CallsheetError) -> FieldValue {
        func reject(_ expected: String) -> CallsheetError {
            CallsheetError(.invalidField, "field '\(name)' expects \(expected), got \(value.kindDescription == "a string" ? "\"\(Self.shorten(value))\"" : value.kindDescription)")
        }
        switch type {
        case .text, .longText:
            guard case .string(let text) = value else { throw reject("text") }
            try type.textLimit.check(text, field: name)
            return .text(text)
        case .integer:
            switch value {
            case .integer(let number): return .integer(number)
            case .double(let number) where number == number.rounded() && abs(number) < 9e15: return .integer(Int64(number))
            case .string(let text):
                if let number = Int64(text.trimmingSpaces()) { return .integer(number) }
                throw reject("a whole number")
            default: throw reject("a whole number")
            }
        case .decimal:
            switch value {
            case .integer(let number): return .decimal(Double(number))
            case .double(let number): return .decimal(number)
            case .string(let text):
                if let number = Double(text.trimmingSpaces()), number.isFinite { return .decimal(number) }
                throw reject("a number")
            default: throw reject("a number")
            }
        case .date:
            guard case .string(let text) = value, TimestampFormat.isCalendarDate(text.trimmingSpaces()) else {
                throw reject("a date written YYYY-MM-DD")
            }
            return .date(text.trimmingSpaces())
        case .dropdown:
            guard case .string(let text) = value else { throw reject("one of: \(options.joined(separator: ", "))") }
            let wanted = text.trimmingSpaces().lowercased()
            guard let option = options.first(where: { $0.lowercased() == wanted }) else {
                throw reject("one of: \(options.joined(separator: ", "))")
            }
            return .text(option)
        case .checkbox:
            switch value {
            case .bool(let flag): return .checkbox(flag)
            case .string(let text):
                switch text.trimmingSpaces().lowercased() {
                case "true", "yes", "y", "1", "x": return .checkbox(true)
                case "false", "no", "n", "0", "": return .checkbox(false)
                default: throw reject("true or false")
                }
            case .integer(let number) where number == 0 || number == 1: return .checkbox(number == 1)
            default: throw reject("true or false")
            }
        }
    }

    private static func shorten(_ value: JSONValue) -> String {
        guard case .string(let text) = value else { return "" }
        return text.count > 40 ? String(text.prefix(40)) + "…" : text
    }
}

extension String {
    /// The string without leading and trailing white space.
    func trimmingSpaces() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
