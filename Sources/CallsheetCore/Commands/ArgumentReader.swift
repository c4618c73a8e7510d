/// Reads a command's arguments left to right, throwing the command's usage on any mismatch.
public struct ArgumentReader {
    public let spec: CommandSpec
    /// What is left to read.
    public var arguments: ArraySlice<String>

    public init(spec: CommandSpec, arguments: [String]) {
        self.spec = spec
        self.arguments = arguments[...]
    }

    /// `WRONG_ARGS` with the command's usage.
    public var wrong: CallsheetError { .wrongArguments(spec.name, usage: spec.usage) }

    /// The next argument.
    public mutating func next() throws(CallsheetError) -> String {
        guard let value = arguments.popFirst() else { throw wrong }
        return value
    }

    /// The next argument, if any.
    public mutating func optional() -> String? { arguments.popFirst() }

    /// A positive whole number (or 0 with `allowZero`), named `what` in the error.
    public mutating func id(_ what: String = "id", allowZero: Bool = false) throws(CallsheetError) -> UInt64 {
        let text = try next()
        guard let value = UInt64(text), value > 0 || allowZero else {
            throw CallsheetError(.wrongArguments, "\(spec.name): \(what) must be a positive whole number, got '\(text)'; usage: \(spec.usage)")
        }
        return value
    }

    /// The next argument, parsed as JSON.
    public mutating func json() throws(CallsheetError) -> JSONValue { try JSONValue.parse(try next()) }

    /// Every argument left.
    public mutating func rest() -> [String] {
        defer { arguments = [] }
        return Array(arguments)
    }

    /// Reads `KEYWORD value` options in any order.
    public mutating func options(_ keywords: Set<String>, flags: Set<String> = []) throws(CallsheetError) -> [String: String] {
        var found: [String: String] = [:]
        while let word = arguments.first?.uppercased() {
            arguments = arguments.dropFirst()
            if flags.contains(word) { found[word] = ""; continue }
            guard keywords.contains(word), let value = arguments.popFirst() else { throw wrong }
            found[word] = value
        }
        return found
    }

    /// Throws unless every argument was read.
    public func finish() throws(CallsheetError) {
        guard arguments.isEmpty else { throw wrong }
    }

    /// A page size from `text` (nil: `fallback`), 1 to `maximum`.
    public mutating func limit(_ text: String?, default fallback: Int = 50, maximum: Int = 1000, option: String = "LIMIT") throws(CallsheetError) -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), (1...maximum).contains(value) else {
            throw CallsheetError(.wrongArguments, "\(spec.name): \(option) must be a whole number from 1 to \(maximum), got '\(text.prefix(40))'")
        }
        return value
    }

    /// `DEPT <id>`'s value, if given.
    public func department(_ text: String?) throws(CallsheetError) -> DepartmentID? {
        guard let text else { return nil }
        guard let value = UInt64(text), value > 0 else {
            throw CallsheetError(.wrongArguments, "\(spec.name): DEPT expects a department id, got '\(text)'")
        }
        return value
    }
}
