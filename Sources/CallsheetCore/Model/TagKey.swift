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

    /// Longest tag accepted, in characters.
    public static let maximumLength = 64
}
