/// The replies of the import commands as JSON, and the error report as CSV.
public enum ImportReport {
    /// `IMPORT.PREVIEW`: columns, the first rows, the row count, the suggested mapping.
    public static func preview(_ document: CSVDocument, mapping: ColumnMapping, rows: Int, maxRows: Int) -> JSONValue {
        var notes = document.warnings.map(\.json)
        if document.records.count > maxRows {
            notes.append(ImportIssue(row: 0, column: nil, code: .init(rawValue: "LIMIT"), reason: "the file has \(document.records.count) rows; this organization imports at most \(maxRows) at once (ORG.SET max_import_rows)").json)
        }
        return .object([
            ("columns", .array(document.header.map { .string($0) })),
            ("row_count", .integer(Int64(document.records.count))),
            ("rows", .array(document.records.prefix(rows).map { record in
                .object([("row", .integer(Int64(record.line))), ("cells", .array(record.fields.map { .string($0) }))])
            })),
            ("suggested_mapping", mapping.json),
            ("warnings", .array(notes)),
        ])
    }

    /// Rows `IMPORT.VALIDATE` lists when `SHOW` does not say.
    public static let defaultShownRows = 1_000
    /// The most rows `SHOW` may list.
    public static let maximumShownRows = 100_000

    /// `IMPORT.VALIDATE`: the summary (every row counted), then the outcome of the first `show`
    /// rows (``defaultShownRows`` when not given) and how many more there are, so the reply stays
    /// bounded whatever the file.
    public static func validation(_ plan: ImportPlan, mapping: ColumnMapping, show: Int?) -> JSONValue {
        let listed = plan.rows.prefix(show ?? defaultShownRows)
        return .object([
            ("summary", .object(plan.summaryJSON)),
            ("options", plan.options.json),
            ("mapping", mapping.json),
            ("rows", .array(listed.map(\.json))),
            ("rows_omitted", .integer(Int64(plan.rows.count - listed.count))),
            ("warnings", .array(plan.notes.prefix(1000).map(\.json))),
        ])
    }

    /// The problems of an import as CSV: `row,column,code,reason`, one line each, CRLF-terminated.
    public static func errorsCSV(_ issues: [ImportIssue]) -> String {
        var text = "row,column,code,reason\r\n"
        for issue in issues {
            text += "\(issue.row),\(field(issue.column ?? "")),\(issue.code.rawValue),\(field(issue.reason))\r\n"
        }
        return text
    }

    /// `text` as one CSV field, quoted when it must be.
    public static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingAll("\"", with: "\"\"") + "\""
    }
}
