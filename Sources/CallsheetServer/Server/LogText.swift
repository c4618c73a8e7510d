import CallsheetCore
import Logging

/// The server's ways of logging client text, on top of ``LogText/escaped(_:limit:)`` (CallsheetCore):
/// every client value the server logs goes through here.
extension LogText {
    /// Bytes from the wire (perhaps not UTF-8), escaped the same way.
    static func escaped(_ bytes: [UInt8]) -> String {
        escaped(String(decoding: bytes, as: UTF8.self))
    }

    /// `text`, escaped, as a log metadata value.
    static func metadata(_ text: String) -> Logger.MetadataValue {
        .string(escaped(text))
    }
}
