/// CSV (RFC 4180) and vCard (RFC 2426 / RFC 6350) encodings of exported contacts, appended to a
/// byte buffer a row or a card at a time, so that an export streams.
public struct CSVExportWriter: Sendable {
    public var delimiter: UInt8
    public var byteOrderMark: Bool

    public init(delimiter: UInt8 = UInt8(ascii: ","), byteOrderMark: Bool = false) {
        self.delimiter = delimiter
        self.byteOrderMark = byteOrderMark
    }

    public func header(_ headers: [String], into bytes: inout [UInt8]) {
        if byteOrderMark { bytes += [0xEF, 0xBB, 0xBF] }
        row(headers.map(ExportValue.text), into: &bytes)
    }

    /// One record: text fields quoted when they hold the delimiter, a quote, CR or LF, or begin or
    /// end with a space; formula-like text (a name `=HYPERLINK(…)`, an E.164 number) gets a leading
    /// `'` so a spreadsheet shows it as typed instead of evaluating it. Lines end with CRLF.
    public func row(_ values: [ExportValue], into bytes: inout [UInt8]) {
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(delimiter) }
            switch value {
            case .empty: break
            case .text(let raw), .literal(let raw): field(raw, neutralize: ExportValue.isFormulaLike(raw), into: &bytes)
            case .time(let time): TimestampFormat.appendISO8601(time, to: &bytes)
            case .number(let number): bytes.append(contentsOf: String(number).utf8)
            default: field(value.text, neutralize: false, into: &bytes)
            }
        }
        bytes += [0x0D, 0x0A]
    }

    /// Appends `text` (after a `'` when `neutralize`), quoted when it needs to be.
    private func field(_ text: String, neutralize: Bool, into bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            let delimiter = self.delimiter
            var quote = utf8.first == UInt8(ascii: " ") || utf8.last == UInt8(ascii: " ")
            if !quote {
                for byte in utf8 where byte == delimiter || byte == UInt8(ascii: "\"") || byte == 0x0A || byte == 0x0D {
                    quote = true
                    break
                }
            }
            if quote { bytes.append(UInt8(ascii: "\"")) }
            if neutralize { bytes.append(UInt8(ascii: "'")) }
            if quote {
                for byte in utf8 {
                    if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                    bytes.append(byte)
                }
                bytes.append(UInt8(ascii: "\""))
            } else {
                bytes.append(contentsOf: utf8)
            }
        }
    }
}

/// vCard 3.0 (the widest support: phones' address books, Outlook, Google) or 4.0: one card per
/// contact with FN and N, TEL with its type, EMAIL, ORG, NOTE, CATEGORIES (tags), and custom fields
/// as `X-CALLSHEET-<NAME>` properties. Values are escaped (`\\`, `\,`, `\;`, `\n`) and lines
/// folded at 75 octets, never inside a UTF-8 sequence.
public struct VCardExportWriter: Sendable {
    public var version4: Bool

    public init(version4: Bool = false) { self.version4 = version4 }

    /// `type`: the number's kind as libphonenumber says (`mobile` → cell, fixed lines → work or
    /// voice, …), written as TYPE.
    public func card(_ contact: Contact, phoneType: String, fields: [FieldDefinition], into bytes: inout [UInt8]) {
        line("BEGIN:VCARD", into: &bytes)
        line("VERSION:\(version4 ? "4.0" : "3.0")", into: &bytes)
        line("FN:" + escape(contact.name), into: &bytes)
        // N: family;given;additional;prefix;suffix — the last word is taken as the family name.
        let words = contact.name.split(separator: " ")
        let family = words.count > 1 ? String(words.last!) : contact.name
        let given = words.count > 1 ? words.dropLast().joined(separator: " ") : ""
        line("N:" + escape(family) + ";" + escape(given) + ";;;", into: &bytes)
        let tel = contact.phone + (contact.phoneExtension.map { version4 ? ";ext=\($0)" : " x\($0)" } ?? "")
        if version4 {
            line("TEL;VALUE=uri;TYPE=\(phoneType):tel:" + tel, into: &bytes)
        } else {
            line("TEL;TYPE=\(phoneType.uppercased()):" + tel, into: &bytes)
        }
        if let email = contact.email { line((version4 ? "EMAIL:" : "EMAIL;TYPE=INTERNET:") + escape(email), into: &bytes) }
        if let company = contact.company { line("ORG:" + escape(company), into: &bytes) }
        if !contact.tags.isEmpty { line("CATEGORIES:" + contact.tags.map(escape).joined(separator: ","), into: &bytes) }
        if let notes = contact.notes { line("NOTE:" + escape(notes), into: &bytes) }
        for field in fields {
            guard let value = contact.customFields[field.name] else { continue }
            let text: String
            switch value {
            case .text(let raw), .date(let raw): text = raw
            case .integer(let number): text = String(number)
            case .decimal(let number): text = number.description
            case .checkbox(let flag): text = flag ? "yes" : "no"
            }
            line("X-CALLSHEET-" + Self.propertyName(field.name) + ":" + escape(text), into: &bytes)
        }
        line("REV:" + TimestampFormat.iso8601(contact.updatedAt), into: &bytes)
        line("END:VCARD", into: &bytes)
    }

    /// A field name as a property name: letters and digits upper-cased, anything else `-`.
    static func propertyName(_ name: String) -> String {
        String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "-" })
    }

    /// RFC 6350 §3.4 text escaping: backslash, comma, semicolon, newline.
    func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        var previousCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case ",": escaped += "\\,"
            case ";": escaped += "\\;"
            case "\r": escaped += "\\n"
            case "\n": if !previousCR { escaped += "\\n" }
            default: escaped.unicodeScalars.append(scalar)
            }
            previousCR = scalar == "\r"
        }
        return escaped
    }

    /// Appends `content` folded at 75 octets (a continuation line starts with a space), CRLF-ended.
    func line(_ content: String, into bytes: inout [UInt8]) {
        var width = 0
        let utf8 = Array(content.utf8)
        var index = 0
        while index < utf8.count {
            // The length of the UTF-8 sequence starting here.
            let lead = utf8[index]
            let length = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
            if width + length > 75 {
                bytes += [0x0D, 0x0A, 0x20]
                width = 1
            }
            bytes.append(contentsOf: utf8[index..<min(index + length, utf8.count)])
            width += length
            index += length
        }
        bytes += [0x0D, 0x0A]
    }
}
