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
    public static func displayForm(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
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
        guard !tag.unicodeScalars.contains(where: { $0 == "," || $0 == ";" || $0.properties.generalCategory == .control }) else {
            throw CallsheetError(.invalidField, "tag '\(tag.prefix(64))' holds a comma, semicolon or control character; those separate tags in lists")
        }
    }
}
