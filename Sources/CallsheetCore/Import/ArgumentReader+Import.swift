/// The arguments of the import commands (docs/PROTOCOL.md, "Import").
extension ArgumentReader {
    /// Options before the source (`IMPORT.COMMIT DUPLICATES update CSV <bytes>`), read while the
    /// next word is one of them.
    public mutating func leadingOptions(_ keywords: Set<String>, flags: Set<String> = []) throws(CallsheetError) -> [String: String] {
        var found: [String: String] = [:]
        while let word = arguments.first?.uppercased(), keywords.contains(word) || flags.contains(word) {
            arguments = arguments.dropFirst()
            if flags.contains(word) { found[word] = ""; continue }
            guard let value = arguments.popFirst() else { throw wrong }
            found[word] = value
        }
        return found
    }

    /// Options given before and after the source, each at most once.
    public func merging(_ before: [String: String], _ after: [String: String]) throws(CallsheetError) -> [String: String] {
        if let twice = before.keys.first(where: { after[$0] != nil }) {
            throw CallsheetError(.wrongArguments, "\(spec.name): \(twice) is given twice, before and after the source")
        }
        return before.merging(after) { first, _ in first }
    }

    /// `FILE <path>`, `CSV <bytes>`, `BASE64 <text>`, `SHEET <url>`, or a bare path or `https://` URL.
    public mutating func importSource() throws(CallsheetError) -> ImportSource {
        let word = try next()
        switch word.uppercased() {
        case "FILE": return .file(try next())
        case "CSV": return .bytes(Array(try next().utf8))
        case "BASE64":
            let text = try next()
            guard let bytes = Base64.decode(text) else {
                throw CallsheetError(.wrongArguments, "\(spec.name): BASE64 expects standard base64 text (A–Z a–z 0–9 + /, = padding)")
            }
            return .bytes(bytes)
        case "SHEET", "URL": return .sheet(try next())
        default:
            let lower = word.lowercased()
            return lower.hasPrefix("https://") || lower.hasPrefix("http://") ? .sheet(word) : .file(word)
        }
    }

    /// `ENCODING`'s value (nil: UTF-8).
    public func encoding(_ text: String?) throws(CallsheetError) -> CSVEncoding {
        guard let text else { return .utf8 }
        guard let encoding = CSVEncoding.parse(text) else {
            throw CallsheetError(.wrongArguments, "ENCODING is utf-8 or windows-1252, got '\(text)'")
        }
        return encoding
    }

    /// The import options among `found` (``options(_:flags:)`` of `IMPORT.VALIDATE`, `.COMMIT`, `.START`).
    public func importOptions(_ found: [String: String]) throws(CallsheetError) -> ImportOptions {
        var options = ImportOptions(mapping: found["MAP"], encoding: try encoding(found["ENCODING"]))
        if let text = found["DUPLICATES"] {
            guard let policy = DuplicatePolicy(rawValue: text.lowercased()) else {
                throw CallsheetError(.wrongArguments, "\(spec.name): DUPLICATES is skip, update or ask, got '\(text)'")
            }
            options.duplicates = policy
        }
        if found["STRICT"] != nil, found["LENIENT"] != nil {
            throw CallsheetError(.wrongArguments, "\(spec.name): give STRICT or LENIENT, not both")
        }
        if found["STRICT"] != nil { options.strictness = .strict }
        if found["LENIENT"] != nil { options.strictness = .lenient }
        if let tag = found["TAG"] {
            guard found["NOTAG"] == nil else { throw CallsheetError(.wrongArguments, "\(spec.name): give TAG or NOTAG, not both") }
            do throws(CallsheetError) {
                try TagKey.validate(ImportSettings.expand(tag, now: 0))
            } catch {
                throw CallsheetError(.wrongArguments, "\(spec.name): TAG must be 1–\(TagKey.maximumLength) characters once {month} or {date} are filled in, with no comma or semicolon, e.g. Imported-2026-11: \(error.message)")
            }
            options.autoTag = .some(tag)
        }
        if found["NOTAG"] != nil { options.autoTag = .some(nil) }
        if let text = found["DEPT"] {
            guard let id = UInt64(text), id > 0 else { throw CallsheetError(.wrongArguments, "\(spec.name): DEPT expects a department id, got '\(text)'") }
            options.department = id
        }
        return options
    }
}
