/// Contacts as the JSON object `CONTACT.ADD` takes:
/// `{"name":…,"phone":…,"email":…,"company":…,"tags":[…],"notes":…}`.
///
/// Keys appear in that order; `email`, `company` and `notes` are left out when absent,
/// `tags` is always present (maybe `[]`). Strings are escaped per RFC 8259: `"` and `\`
/// get a backslash, control characters become `\n`, `\r`, `\t`, `\b`, `\f` or `\u00XX`,
/// and everything else, accents included, stays as UTF-8.
public enum ContactJSON {
    /// The JSON object for `contact`, on one line.
    public static func object(_ contact: GeneratedContact) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(200)
        out.append(UInt8(ascii: "{"))
        member("name", contact.name, &out, first: true)
        member("phone", contact.phone, &out)
        if let email = contact.email { member("email", email, &out) }
        if let company = contact.company { member("company", company, &out) }
        out.append(contentsOf: ",\"tags\":[".utf8)
        for (index, tag) in contact.tags.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            appendString(tag, to: &out)
        }
        out.append(UInt8(ascii: "]"))
        if let notes = contact.notes { member("notes", notes, &out) }
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `text` as a JSON string literal, quotes included.
    public static func string(_ text: String) -> String {
        var out: [UInt8] = []
        appendString(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func member(_ key: String, _ value: String, _ out: inout [UInt8], first: Bool = false) {
        if !first { out.append(UInt8(ascii: ",")) }
        appendString(key, to: &out)
        out.append(UInt8(ascii: ":"))
        appendString(value, to: &out)
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)
}
