/// The import commands (docs/PROTOCOL.md, "Import"): `IMPORT.*` and `CONTACT.BULK`.
public enum ImportCommand: Sendable, Hashable {
    /// Headers, the first rows, the row count and the suggested mapping.
    case preview(ImportSource, rows: Int, encoding: CSVEncoding)
    /// A dry run: one outcome per row, nothing stored. `show` caps the rows listed.
    case validate(ImportSource, ImportOptions, show: Int?)
    /// Imports now and replies with the summary once stored.
    case commit(ImportSource, ImportOptions)
    /// Imports in the background; replies with the job id at once.
    case start(ImportSource, ImportOptions)
    case status(ImportJobID)
    /// The job's per-row problems as CSV: `row,column,code,reason`.
    case errors(ImportJobID)
    case cancel(ImportJobID)
    /// A page of the caller's jobs, newest first: those with ids below `before` (nil: from the
    /// newest), at most `limit`; `count` adds the total.
    case jobs(before: ImportJobID?, limit: Int, count: Bool)
    /// Shows the organization's import defaults, or changes one (admins).
    case settings(key: String?, value: String?)
    /// `CONTACT.BULK <json array>`: creates many contacts, each checked as `CONTACT.ADD`.
    case bulk(JSONValue)

    /// True for commands that change state.
    public var isWrite: Bool {
        switch self {
        case .commit, .start, .bulk, .cancel: true
        case .settings(_, let value): value != nil
        default: false
        }
    }
}

/// Where an import's CSV comes from.
public enum ImportSource: Sendable, Hashable {
    /// A file on the machine running the REPL; only the local REPL's owner may name one.
    case file(String)
    /// The file's bytes, sent as a bulk string (`CSV <bytes>`) or base64 (`BASE64 <text>`).
    case bytes([UInt8])
    /// A Google Sheets share URL.
    case sheet(String)

    /// A short description for job listings and the import log.
    public var description: String {
        switch self {
        case .file(let path): "file \(path)"
        case .bytes(let bytes): "uploaded CSV (\(bytes.count) bytes)"
        case .sheet(let url): "sheet \(url)"
        }
    }
}

/// Identifier of an import job, unique in a data directory.
public typealias ImportJobID = UInt64
