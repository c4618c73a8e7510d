/// Contacts as CSV in the import format: `Name,Phone,Email,Company,Tags,Notes`.
///
/// Quoting follows RFC 4180: a field containing a comma, a double quote, CR or LF is
/// wrapped in double quotes with inner quotes doubled; records end with CRLF (line breaks
/// inside quoted notes stay bare `\n`). Tags share one field, joined by commas, so a row
/// with two or more tags always quotes it: `"VIP,Enterprise"`. Absent values are empty fields.
public enum ContactCSV {
    /// The header record, without its terminator.
    public static let header = "Name,Phone,Email,Company,Tags,Notes"

    /// What ends every record, the header included.
    public static let recordTerminator = "\r\n"

    /// One record for `contact`, without its terminator.
    public static func row(_ contact: GeneratedContact) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160)
        appendRow(contact, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The header and one record per contact, each followed by the terminator.
    public static func document(_ contacts: some Sequence<GeneratedContact>) -> String {
        var bytes: [UInt8] = Array(header.utf8) + Array(recordTerminator.utf8)
        for contact in contacts {
            appendRow(contact, to: &bytes)
            bytes.append(contentsOf: recordTerminator.utf8)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `text` as one CSV field, quoted only when it must be.
    public static func field(_ text: String) -> String {
        var bytes: [UInt8] = []
        appendField(text, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public static func appendRow(_ contact: GeneratedContact, to bytes: inout [UInt8]) {
        appendField(contact.name, to: &bytes)
        bytes.append(comma)
        appendField(contact.phone, to: &bytes)
        bytes.append(comma)
        appendField(contact.email ?? "", to: &bytes)
        bytes.append(comma)
        appendField(contact.company ?? "", to: &bytes)
        bytes.append(comma)
        appendField(contact.tags.joined(separator: ","), to: &bytes)
        bytes.append(comma)
        appendField(contact.notes ?? "", to: &bytes)
    }

    static func appendField(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            let needsQuotes = utf8.contains { $0 == comma || $0 == quote || $0 == cr || $0 == lf }
            guard needsQuotes else {
                bytes.append(contentsOf: utf8)
                return
            }
            bytes.append(quote)
            for byte in utf8 {
                if byte == quote { bytes.append(quote) }
                bytes.append(byte)
            }
            bytes.append(quote)
        }
    }

    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
}
