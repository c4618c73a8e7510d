/// Client-provided text made safe for a log line: control characters escaped (a newline can
/// never start a forged line) and the length bounded.
public enum LogText {
    /// `text` with `\n`, `\r`, `\t` written as such and other control characters as `\u{…}`,
    /// cut to `limit` characters with a trailing `…`.
    public static func escaped(_ text: some StringProtocol, limit: Int = 256) -> String {
        var result = ""
        result.reserveCapacity(min(text.utf8.count, limit + 8))
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                result += "…"
                break
            }
            count += 1
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\\": result += "\\\\"
            case _ where scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
                || scalar == "\u{2028}" || scalar == "\u{2029}":
                result += "\\u{\(String(scalar.value, radix: 16))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
