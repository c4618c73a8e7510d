/// A limit on the length of a text: characters, as people count them, and bytes of UTF-8, as
/// memory and the text index do. Both bind: one character can be hundreds of kilobytes (a letter
/// followed by a hundred thousand zero-width joiners is one grapheme cluster).
public struct TextLimit: Sendable, Hashable {
    public var characters: Int
    public var bytes: Int

    public init(characters: Int, bytes: Int) {
        self.characters = characters
        self.bytes = bytes
    }

    /// Names of contacts, companies, emails, departments, organizations, labels, short text fields.
    public static let name = TextLimit(characters: 255, bytes: 1024)
    /// Notes and long-text custom fields.
    public static let longText = TextLimit(characters: 65_536, bytes: 65_536)
    /// A tag.
    public static let tag = TextLimit(characters: 64, bytes: 256)
    /// A call outcome.
    public static let outcome = TextLimit(characters: 50, bytes: 200)
    /// A preset name.
    public static let presetName = TextLimit(characters: 64, bytes: 256)

    /// True when `text` fits. Bytes are checked first, in O(1) for native strings, so a huge
    /// text is refused without walking its grapheme clusters.
    public func admits(_ text: some StringProtocol) -> Bool {
        text.utf8.count <= bytes && text.count <= characters
    }

    /// "at most 255 characters (1 KiB of UTF-8)".
    public var phrase: String {
        let size = bytes % 1024 == 0 ? "\(bytes / 1024) KiB" : "\(bytes) bytes"
        return "at most \(characters) characters (\(size) of UTF-8)"
    }

    /// What `text` measures, for an error message: "300 characters" or "1 character, 300012 bytes".
    public static func measure(_ text: some StringProtocol) -> String {
        let bytes = text.utf8.count
        // Counting characters is linear; on a text far over any limit the bytes say enough.
        guard bytes <= 1 << 20 else { return "\(bytes) bytes" }
        let characters = text.count
        return "\(characters) character\(characters == 1 ? "" : "s"), \(bytes) bytes"
    }

    /// Throws `INVALID_FIELD` naming `field` unless `text` fits.
    public func check(_ text: some StringProtocol, field: String) throws(CallsheetError) {
        guard admits(text) else {
            throw CallsheetError(.invalidField, "field '\(field)' holds \(phrase), got \(Self.measure(text))")
        }
    }
}
