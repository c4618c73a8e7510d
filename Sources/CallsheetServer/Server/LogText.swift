import Logging

/// Client-provided text made safe for a log line: control characters (newlines above all, which
/// would let a client forge log lines) and backslashes are escaped, and the text is cut to
/// ``maximumLength`` characters. Every client value the server logs goes through here.
enum LogText {
    static let maximumLength = 256

    static func escaped(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(min(text.utf8.count, maximumLength) + 8)
        var count = 0
        for scalar in text.unicodeScalars {
            if count == maximumLength {
                result += "…"
                break
            }
            count += 1
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029:
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Bytes from the wire (perhaps not UTF-8), escaped the same way.
    static func escaped(_ bytes: [UInt8]) -> String {
        escaped(String(decoding: bytes, as: UTF8.self))
    }

    /// `text`, escaped, as a log metadata value.
    static func metadata(_ text: String) -> Logger.MetadataValue {
        .string(escaped(text))
    }
}
