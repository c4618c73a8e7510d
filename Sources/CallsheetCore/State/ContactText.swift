/// Checks and normalizes the text fields of a contact.
enum ContactText {
    static let nameLimit = TextLimit.name
    static let companyLimit = TextLimit.name
    static let emailLimit = TextLimit.name
    static let notesLimit = TextLimit.longText
    static let outcomeLimit = TextLimit.outcome
    /// The most tags one contact carries.
    static let maximumTags = 100

    static func name(_ value: JSONValue?) throws(CallsheetError) -> String {
        guard let value, case .string(let raw) = value else {
            throw CallsheetError(.invalidField, "field 'name' is required and must be text")
        }
        try nameLimit.check(raw, field: "name")
        let name = raw.trimmingSpaces()
        guard !name.isEmpty else { throw CallsheetError(.invalidField, "field 'name' is required and must not be blank") }
        try refuseControlCharacters(name, field: "name")
        guard name.unicodeScalars.contains(where: isVisible) else {
            throw CallsheetError(.invalidField, "field 'name' has no visible character (only spaces or invisible characters)")
        }
        return name
    }

    /// True for a scalar that draws something: a letter, digit, punctuation or symbol.
    static func isVisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .nonspacingMark, .enclosingMark,
             .spacingMark, .surrogate, .privateUse, .unassigned:
            false
        default:
            true
        }
    }

    /// Refuses NUL, tab, line breaks and every other control character in a one-line field.
    /// Whether `scalar` is a control character (general category Cc), by its value: Unicode
    /// fixes Cc as U+0000–U+001F and U+007F–U+009F, and the property lookup costs a table walk
    /// per scalar (a tenth of a notes update's time when profiled).
    @inline(__always)
    static func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) }

    static func refuseControlCharacters(_ text: String, field: String) throws(CallsheetError) {
        if let bad = text.unicodeScalars.first(where: { isControl($0) || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            throw CallsheetError(.invalidField, "field '\(field)' holds a control character (U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4))); a \(field) is one line of text")
        }
    }

    /// Optional text: `null` or blank clears it.
    static func optional(_ value: JSONValue, field: String, limit: TextLimit) throws(CallsheetError) -> String? {
        switch value {
        case .null: return nil
        case .string(let raw):
            try limit.check(raw, field: field)
            let text = raw.trimmingSpaces()
            // Notes may hold line breaks and tabs; one-line fields hold no control character.
            if field == "notes" {
                if let bad = text.unicodeScalars.first(where: { isControl($0) && $0 != "\n" && $0 != "\r" && $0 != "\t" }) {
                    throw CallsheetError(.invalidField, "field 'notes' holds a control character (U+\(String(bad.value, radix: 16, uppercase: true).leftPadded(to: 4)))")
                }
            } else {
                try refuseControlCharacters(text, field: field)
            }
            return text.isEmpty ? nil : text
        default:
            throw CallsheetError(.invalidField, "field '\(field)' expects text or null, got \(value.kindDescription)")
        }
    }

    /// A syntax-checked email with its domain lower-cased, or nil when blank.
    static func email(_ value: JSONValue) throws(CallsheetError) -> String? {
        guard let text = try optional(value, field: "email", limit: emailLimit) else { return nil }
        return try normalizeEmail(text)
    }

    static func normalizeEmail(_ text: String) throws(CallsheetError) -> String {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let invalid = CallsheetError(.invalidField, "field 'email': '\(text.prefix(80))' is not an email address (expected name@domain.tld)")
        guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty else { throw invalid }
        guard !text.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" }) else { throw invalid }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.hasSuffix("-") }) else { throw invalid }
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { throw invalid }
        return "\(local)@\(domain.lowercased())"
    }

    /// Tags from a JSON array of strings or a comma/semicolon separated string.
    static func tags(_ value: JSONValue) throws(CallsheetError) -> [String] {
        var list: [String]
        switch value {
        case .null: return []
        case .string(let text): list = TagKey.splitList(text)
        case .array(let elements):
            list = []
            for element in elements {
                guard case .string(let text) = element else {
                    throw CallsheetError(.invalidField, "field 'tags' expects text tags, got \(element.kindDescription)")
                }
                let display = TagKey.displayForm(text)
                if !display.isEmpty { list.append(display) }
            }
        default:
            throw CallsheetError(.invalidField, "field 'tags' expects an array of text or a comma-separated list, got \(value.kindDescription)")
        }
        guard list.count <= maximumTags else {
            throw CallsheetError(.invalidField, "field 'tags' holds at most \(maximumTags) tags, got \(list.count)")
        }
        for tag in list { try TagKey.validate(tag) }
        return list
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
