import CallsheetCore

/// Parses the input as a JSON document. When it parses, the written form must parse to the
/// same value (numbers compared by value: the writer prints `1.0` as `1`).
enum JSONFuzz {
    static func run(_ data: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes: Array(data))
        } catch {
            guard error.code == .invalidJSON else {
                throw FuzzFailure(.json, "only INVALID_JSON may fail a parse", "\(error)")
            }
            return
        }
        let written = value.serialized
        let again: JSONValue
        do {
            again = try JSONValue.parse(written)
        } catch {
            throw FuzzFailure(.json, "written JSON parses", "\(error) in \(written.prefix(200))")
        }
        guard sameValue(value, again) else {
            throw FuzzFailure(.json, "parse(write(value)) == value", "\(written.prefix(200))")
        }
    }

    static func sameValue(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case let (.integer(x), .double(y)), let (.double(y), .integer(x)): return Double(x) == y
        case let (.array(x), .array(y)): return x.count == y.count && zip(x, y).allSatisfy { sameValue($0, $1) }
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && sameValue($0.1, $1.1) }
        default: return a == b
        }
    }
}
