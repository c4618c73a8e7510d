import CallsheetCore
import CallsheetProtocol

/// The import commands (docs/PROTOCOL.md, "Import"): `IMPORT.*` and `CONTACT.BULK`, run by the
/// data directory's ``ImportRunner``.
extension CommandCatalog {
    private static let sourceUsage = "<FILE path|CSV bytes|BASE64 text|SHEET url>"
    private static let optionUsage = "[MAP \"col=field;...\"] [DUPLICATES skip|update|ask] [STRICT|LENIENT] [TAG <tag>|NOTAG] [DEPT <id>] [ENCODING utf-8|windows-1252]"

    static let importing: [CommandDeclaration] = [
        .organization("IMPORT.PREVIEW", "IMPORT.PREVIEW \(sourceUsage) [ROWS <n>] [ENCODING <e>]", "import", .manager,
                      "Headers, the first rows, the row count and the suggested column mapping (First + Last → name).", writes: false) { reader throws(CallsheetError) in
            // Options may come before the source too: `redis-cli -x` appends the file last.
            let before = try reader.leadingOptions(["ROWS", "ENCODING"])
            let source = try reader.importSource()
            let options = try reader.merging(before, try reader.options(["ROWS", "ENCODING"]))
            let rows = try reader.limit(options["ROWS"], default: 5, maximum: 1000, option: "ROWS")
            let encoding = try reader.encoding(options["ENCODING"])
            return { organization throws(CallsheetError) in
                try await organization.importRunner().preview(source, rows: rows, encoding: encoding, in: organization)
            }
        },
        .organization("IMPORT.VALIDATE", "IMPORT.VALIDATE \(sourceUsage) \(optionUsage) [SHOW <n>]", "import", .manager,
                      "Dry run: one outcome per row (create, update, skip, duplicate, error with row/column/reason). Stores nothing.", writes: false) { reader throws(CallsheetError) in
            let (source, options, found) = try importArguments(&reader)
            let show = try found["SHOW"].map { text throws(CallsheetError) in try reader.limit(text, maximum: ImportReport.maximumShownRows, option: "SHOW") }
            return { organization throws(CallsheetError) in
                try await organization.importRunner().validate(source, options, show: show, in: organization)
            }
        },
        .organization("IMPORT.COMMIT", "IMPORT.COMMIT \(sourceUsage) \(optionUsage)", "import", .manager,
                      "Imports now, atomically; replies with created, updated, skipped and rejected counts and a job id.", writes: true) { reader throws(CallsheetError) in
            let (source, options, found) = try importArguments(&reader)
            guard found["SHOW"] == nil else { throw reader.wrong }
            return { organization throws(CallsheetError) in
                try await organization.importRunner().commit(source, options, in: organization)
            }
        },
        .organization("IMPORT.START", "IMPORT.START \(sourceUsage) \(optionUsage)", "import", .manager,
                      "Imports in the background; replies with a job id at once (IMPORT.STATUS follows it).", writes: true) { reader throws(CallsheetError) in
            let (source, options, found) = try importArguments(&reader)
            guard found["SHOW"] == nil else { throw reader.wrong }
            return { organization throws(CallsheetError) in
                await organization.importRunner().start(source, options, in: organization)
            }
        },
        .organization("IMPORT.STATUS", "IMPORT.STATUS <job>", "import", .manager, "A job's state, rows processed of total, and counts.", writes: false) { reader throws(CallsheetError) in
            let id = try reader.id("job id")
            return { organization throws(CallsheetError) in try await organization.importRunner().status(id, in: organization) }
        },
        .organization("IMPORT.ERRORS", "IMPORT.ERRORS <job>", "import", .manager, "A job's per-row problems as CSV: row,column,code,reason.", writes: false) { reader throws(CallsheetError) in
            let id = try reader.id("job id")
            return { organization throws(CallsheetError) in try await organization.importRunner().errors(id, in: organization) }
        },
        .organization("IMPORT.CANCEL", "IMPORT.CANCEL <job>", "import", .manager, "Stops a job that has not started storing; nothing is imported.", writes: true) { reader throws(CallsheetError) in
            let id = try reader.id("job id")
            return { organization throws(CallsheetError) in try await organization.importRunner().cancel(id, in: organization) }
        },
        .organization("IMPORT.JOBS", "IMPORT.JOBS [CURSOR <c>] [LIMIT <n>] [COUNT]", "import", .manager,
                      "Your organization's import jobs, newest first (managers: their own), LIMIT 1–1000 (default 50) a page; next_cursor leads to the next page.", writes: false) { reader throws(CallsheetError) in
            // As CONTACT.LIST pages: CURSOR is the next_cursor of the previous page, 0 the first.
            let options = try reader.options(["CURSOR", "LIMIT"], flags: ["COUNT"])
            var before: ImportJobID?
            if let text = options["CURSOR"], text != "0" {
                guard let value = ImportJobID(text), value > 0 else {
                    throw CallsheetError(.wrongArguments, "IMPORT.JOBS: CURSOR is the next_cursor of a previous page, got '\(text.prefix(40))'")
                }
                before = value
            }
            let limit = try reader.limit(options["LIMIT"]), count = options["COUNT"] != nil
            return { [before] organization throws(CallsheetError) in
                await organization.importRunner().jobs(before: before, limit: limit, count: count, in: organization)
            }
        },
        .organization("IMPORT.SETTINGS", "IMPORT.SETTINGS [duplicates|strictness|auto_tag <value>]", "import", .manager,
                      "The import defaults; admins change one (auto_tag may use {month} or {date}; none turns it off).", writes: true) { reader throws(CallsheetError) in
            let key = reader.optional()
            let value = key == nil ? nil : try reader.next()
            return { organization throws(CallsheetError) in
                try await organization.importRunner().settings(key: key, value: value, in: organization)
            }
        },
        .organization("CONTACT.BULK", "CONTACT.BULK <json array>", "contacts", .manager,
                      "Creates many contacts in one atomic write, each checked as CONTACT.ADD; replies created count and per-item errors.", writes: true) { reader throws(CallsheetError) in
            let value = try reader.json()
            guard case .array = value else {
                throw CallsheetError(.badRequest, "CONTACT.BULK expects a JSON array of contacts, e.g. [{\"name\":\"Ann\",\"phone\":\"+15551234567\"}]")
            }
            return { organization throws(CallsheetError) in try await organization.importRunner().bulk(value, in: organization) }
        },
    ]

    /// The source and options of `IMPORT.VALIDATE`, `IMPORT.COMMIT` and `IMPORT.START`, in either
    /// order, and every option found (`SHOW` is `IMPORT.VALIDATE`'s alone).
    private static func importArguments(_ reader: inout ArgumentReader) throws(CallsheetError) -> (ImportSource, ImportOptions, [String: String]) {
        let keywords: Set<String> = ["MAP", "DUPLICATES", "TAG", "DEPT", "ENCODING", "SHOW"]
        let flags: Set<String> = ["STRICT", "LENIENT", "NOTAG"]
        let before = try reader.leadingOptions(keywords, flags: flags)
        let source = try reader.importSource()
        let found = try reader.merging(before, try reader.options(keywords, flags: flags))
        return (source, try reader.importOptions(found), found)
    }
}
