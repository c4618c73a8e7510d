/// The identity of a tag: trimmed, inner white space collapsed, lower-cased.
///
/// `VIP`, `vip` and ` VIP ` are one tag. The organization remembers the first spelling it saw
/// as the tag's display form.
public struct TagKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    /// Folds `text` to its key, or nil when nothing but white space is left.
    public init?(_ text: String) {
        let display = TagKey.displayForm(text)
        guard !display.isEmpty else { return nil }
        rawValue = display.lowercased()
    }

    public var description: String { rawValue }

    public static func < (lhs: TagKey, rhs: TagKey) -> Bool { lhs.rawValue < rhs.rawValue }

    /// `text` trimmed with inner runs of white space collapsed to one space.
    /// - Complexity: O(length); printable ASCII already in display form (the usual tag) is
    ///   returned as it is, without splitting it into characters.
    public static func displayForm(_ text: String) -> String {
        if isPrintableASCIIDisplayForm(text) { return text }
        return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// True when `text` is printable ASCII with no space at either end and no two in a row: then
    /// its display form is itself (the only ASCII white space it holds is single inner spaces).
    static func isPrintableASCIIDisplayForm(_ text: String) -> Bool {
        var previous: UInt8 = 0x20
        for byte in text.utf8 {
            guard byte >= 0x20, byte < 0x7F, !(byte == 0x20 && previous == 0x20) else { return false }
            previous = byte
        }
        return previous != 0x20
    }

    /// Splits a comma- or semicolon-separated list ("VIP, Q4-Campaign; High-Priority").
    public static func splitList(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == ";" }).map { displayForm(String($0)) }.filter { !$0.isEmpty }
    }

    /// Longest tag accepted, in characters (and ``TextLimit/tag`` in bytes).
    public static let maximumLength = TextLimit.tag.characters

    /// Checks a tag in its display form: the one rule every path that creates or renames a tag
    /// applies (contacts, bulk edit, tag rename and merge, import tags and auto-tags).
    /// - Throws: `INVALID_FIELD` for a blank tag, one over ``TextLimit/tag``, or one holding a
    ///   comma or semicolon (they separate tags in lists and filters) or a control character.
    public static func validate(_ tag: String) throws(CallsheetError) {
        guard TextLimit.tag.admits(tag) else {
            throw CallsheetError(.invalidField, "tag '\(tag.prefix(20))…' is too long: a tag holds \(TextLimit.tag.phrase), got \(TextLimit.measure(tag))")
        }
        guard !displayForm(tag).isEmpty else { throw CallsheetError(.invalidField, "a tag must not be blank") }
        let printableASCII = tag.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ",") && $0 != UInt8(ascii: ";") }
        guard printableASCII || !tag.unicodeScalars.contains(where: { $0 == "," || $0 == ";" || $0.properties.generalCategory == .control }) else {
            throw CallsheetError(.invalidField, "tag '\(tag.prefix(64))' holds a comma, semicolon or control character; those separate tags in lists")
        }
    }
}
