/// Checks and normalizes the text fields of a contact.
enum ContactText {
    static let maximumNameLength = 255
    static let maximumCompanyLength = 255
    static let maximumEmailLength = 255
    static let maximumNotesLength = 65_536
    static let maximumOutcomeLength = 50

    static func name(_ value: JSONValue?) throws(CallsheetError) -> String {
        guard let value, case .string(let raw) = value else {
            throw CallsheetError(.invalidField, "field 'name' is required and must be text")
        }
        let name = raw.trimmingSpaces()
        guard !name.isEmpty else { throw CallsheetError(.invalidField, "field 'name' is required and must not be blank") }
        guard name.count <= maximumNameLength else {
            throw CallsheetError(.invalidField, "field 'name' holds at most \(maximumNameLength) characters, got \(name.count)")
        }
        return name
    }

    /// Optional text: `null` or blank clears it.
    static func optional(_ value: JSONValue, field: String, maximum: Int) throws(CallsheetError) -> String? {
        switch value {
        case .null: return nil
        case .string(let raw):
            let text = raw.trimmingSpaces()
            guard text.count <= maximum else {
                throw CallsheetError(.invalidField, "field '\(field)' holds at most \(maximum) characters, got \(text.count)")
            }
            return text.isEmpty ? nil : text
        default:
            throw CallsheetError(.invalidField, "field '\(field)' expects text or null, got \(value.kindDescription)")
        }
    }

    /// A syntax-checked email with its domain lower-cased, or nil when blank.
    static func email(_ value: JSONValue) throws(CallsheetError) -> String? {
        guard let text = try optional(value, field: "email", maximum: maximumEmailLength) else { return nil }
        return try normalizeEmail(text)
    }

    static func normalizeEmail(_ text: String) throws(CallsheetError) -> String {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let invalid = CallsheetError(.invalidField, "field 'email': '\(text)' is not an email address (expected name@domain.tld)")
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
        for tag in list where tag.count > TagKey.maximumLength {
            throw CallsheetError(.invalidField, "tag '\(tag.prefix(20))…' is longer than \(TagKey.maximumLength) characters")
        }
        return list
    }
}
