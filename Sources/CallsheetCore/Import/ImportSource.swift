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
