extension ImportCommand {
    /// Parses an import command; nil when `name` is not one (the catalog handles the rest).
    /// - Parameters:
    ///   - name: the command name, upper-cased.
    ///   - arguments: what follows the name.
    /// - Throws: `WRONG_ARGS` with the usage.
    public static func parse(_ name: String, _ arguments: [String]) throws(CallsheetError) -> ImportCommand? {
        guard let spec = catalog.first(where: { $0.name == name }) else { return nil }
        var reader = ArgumentReader(spec: spec, arguments: arguments)
        let command: ImportCommand
        switch name {
        case "IMPORT.PREVIEW":
            // Options may come before the source too: `redis-cli -x` appends the file last.
            let before = try reader.leadingOptions(["ROWS", "ENCODING"])
            let source = try reader.importSource()
            let options = try reader.merging(before, try reader.options(["ROWS", "ENCODING"]))
            let rows = try reader.limit(options["ROWS"], default: 5, maximum: 1000, option: "ROWS")
            command = .preview(source, rows: rows, encoding: try encoding(options["ENCODING"]))
        case "IMPORT.VALIDATE", "IMPORT.COMMIT", "IMPORT.START":
            let keywords: Set<String> = ["MAP", "DUPLICATES", "TAG", "DEPT", "ENCODING", "SHOW"]
            let flags: Set<String> = ["STRICT", "LENIENT", "NOTAG"]
            let before = try reader.leadingOptions(keywords, flags: flags)
            let source = try reader.importSource()
            let found = try reader.merging(before, try reader.options(keywords, flags: flags))
            let options = try importOptions(found, spec: spec)
            if name == "IMPORT.VALIDATE" {
                command = .validate(source, options, show: try found["SHOW"].map { text throws(CallsheetError) in try reader.limit(text, maximum: ImportReport.maximumShownRows, option: "SHOW") })
            } else {
                guard found["SHOW"] == nil else { throw reader.wrong }
                command = name == "IMPORT.COMMIT" ? .commit(source, options) : .start(source, options)
            }
        case "IMPORT.STATUS": command = .status(try reader.id("job id"))
        case "IMPORT.ERRORS": command = .errors(try reader.id("job id"))
        case "IMPORT.CANCEL": command = .cancel(try reader.id("job id"))
        case "IMPORT.JOBS":
            // As CONTACT.LIST pages: CURSOR is the next_cursor of the previous page, 0 the first.
            let options = try reader.options(["CURSOR", "LIMIT"], flags: ["COUNT"])
            var before: ImportJobID?
            if let text = options["CURSOR"], text != "0" {
                guard let value = ImportJobID(text), value > 0 else {
                    throw CallsheetError(.wrongArguments, "IMPORT.JOBS: CURSOR is the next_cursor of a previous page, got '\(text.prefix(40))'")
                }
                before = value
            }
            command = .jobs(before: before, limit: try reader.limit(options["LIMIT"]), count: options["COUNT"] != nil)
        case "IMPORT.SETTINGS":
            let key = reader.optional()
            let value = key == nil ? nil : try reader.next()
            command = .settings(key: key, value: value)
        case "CONTACT.BULK":
            let value = try reader.json()
            guard case .array = value else {
                throw CallsheetError(.badRequest, "CONTACT.BULK expects a JSON array of contacts, e.g. [{\"name\":\"Ann\",\"phone\":\"+15551234567\"}]")
            }
            command = .bulk(value)
        default:
            return nil
        }
        try reader.finish()
        return command
    }

    private static func encoding(_ text: String?) throws(CallsheetError) -> CSVEncoding {
        guard let text else { return .utf8 }
        guard let encoding = CSVEncoding.parse(text) else {
            throw CallsheetError(.wrongArguments, "ENCODING is utf-8 or windows-1252, got '\(text)'")
        }
        return encoding
    }

    private static func importOptions(_ found: [String: String], spec: CommandSpec) throws(CallsheetError) -> ImportOptions {
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

extension ArgumentReader {
    /// `FILE <path>`, `CSV <bytes>`, `BASE64 <text>`, `SHEET <url>`, or a bare path or `https://` URL.
    /// Options before the source (`IMPORT.COMMIT DUPLICATES update CSV <bytes>`), read while the
    /// next word is one of them.
    mutating func leadingOptions(_ keywords: Set<String>, flags: Set<String> = []) throws(CallsheetError) -> [String: String] {
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
    func merging(_ before: [String: String], _ after: [String: String]) throws(CallsheetError) -> [String: String] {
        if let twice = before.keys.first(where: { after[$0] != nil }) {
            throw CallsheetError(.wrongArguments, "\(spec.name): \(twice) is given twice, before and after the source")
        }
        return before.merging(after) { first, _ in first }
    }

    mutating func importSource() throws(CallsheetError) -> ImportSource {
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
}
