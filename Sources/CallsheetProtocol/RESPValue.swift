/// One RESP2 value: what the server replies, and what a client reads back.
///
/// The wire format is redis' RESP2 (`+OK`, `-CODE message`, `:42`, `$5\r\nhello`, `*2 …`);
/// see `docs/` for Callsheet's use of it. Encoding lives in `RESPValue+Encoding.swift`,
/// decoding in `ReplyDecoder`.
public enum RESPValue: Sendable, Hashable {
    /// `+text` — a short status such as `OK`. CR and LF are sent as spaces.
    case simpleString(String)
    /// `-CODE message` — the whole text, code first. CR and LF are sent as spaces.
    case error(String)
    /// `:n`
    case integer(Int64)
    /// `$len` followed by the bytes: binary-safe, carries JSON documents.
    case bulkString([UInt8])
    /// `$-1`, the null bulk string ("no such value").
    case null
    /// `*n` followed by `n` values.
    case array([RESPValue])
    /// `*-1`, the null array.
    case nullArray
}

extension RESPValue {
    /// `+OK`
    public static let ok = RESPValue.simpleString("OK")

    /// A bulk string holding the UTF-8 bytes of `text`.
    public static func bulk(_ text: String) -> RESPValue {
        .bulkString(Array(text.utf8))
    }

    /// An error reply `-CODE message`; redis clients read the first word as the code.
    public static func error(code: String, message: String) -> RESPValue {
        message.isEmpty ? .error(code) : .error(code + " " + message)
    }

    /// A request as clients send it: an array of bulk strings, one per argument.
    public static func command(_ arguments: [String]) -> RESPValue {
        .array(arguments.map { .bulk($0) })
    }

    /// The bytes of a bulk or simple string, otherwise nil.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let bytes): bytes
        case .simpleString(let text): Array(text.utf8)
        default: nil
        }
    }

    /// The text of a bulk string (decoded as UTF-8, invalid bytes replaced) or a simple string, otherwise nil.
    public var string: String? {
        switch self {
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .simpleString(let text): text
        default: nil
        }
    }
}
