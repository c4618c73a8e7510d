/// The key of one posting list in ``TrigramIndex``: a field, a kind and a 24-bit gram, packed as
/// `field << 26 | kind << 24 | gram`.
///
/// A gram is up to three UTF-8 bytes of folded text, big-endian, zero-padded (`"ab"` →
/// `0x616200`); folded text has no NUL bytes, so a padded gram never equals a real trigram.
struct GramKey: Hashable, Comparable, Sendable {
    /// What the postings of a key say about the documents in it.
    enum Kind: UInt32 {
        /// The trigram occurs somewhere in the field.
        case anywhere = 0
        /// The field starts with the 1-, 2- or 3-byte gram.
        case fieldStart = 1
        /// A word after the field's first position starts with the 1-, 2- or 3-byte gram.
        case wordStart = 2
        /// The field's length and its last trigram (or the whole field, when shorter), hashed
        /// together: with `fieldStart` it finds fields equal to the query in a short list.
        case fieldEnd = 3
    }

    var rawValue: UInt32

    init(field: Int, kind: Kind, gram: UInt32) {
        rawValue = UInt32(truncatingIfNeeded: field) << 26 | kind.rawValue << 24 | (gram & 0xFF_FFFF)
    }

    init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    static func < (lhs: GramKey, rhs: GramKey) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The gram of the first `length` (1...3) bytes at `offset`.
    @inline(__always)
    static func gram(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, length: Int) -> UInt32 {
        var gram: UInt32 = 0
        for index in 0..<3 {
            gram <<= 8
            if index < length { gram |= UInt32(bytes[offset + index]) }
        }
        return gram
    }

    /// The `fieldEnd` gram of a whole field or query: its last three bytes (or all of it when
    /// shorter) mixed with its length, so only fields of the query's length share the list.
    static func endGram(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let tail = min(3, bytes.count)
        let last = gram(bytes, at: bytes.count - tail, length: tail)
        return (last ^ (UInt32(truncatingIfNeeded: bytes.count) &* 0x9E37_79B1 >> 8)) & 0xFF_FFFF
    }

    /// Whether `byte` separates words: ASCII that is neither a letter nor a digit. Bytes of
    /// non-ASCII letters are word bytes.
    @inline(__always)
    static func isSeparator(_ byte: UInt8) -> Bool {
        guard byte < 0x80 else { return false }
        return !(byte &- 0x61 < 26 || byte &- 0x30 < 10 || byte &- 0x41 < 26)
    }

    /// Whether a word starts at `offset` (> 0) of `bytes`.
    @inline(__always)
    static func isWordStart(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int) -> Bool {
        isSeparator(bytes[offset - 1]) && !isSeparator(bytes[offset])
    }

    /// Appends the keys of one folded field to `keys` (unsorted, possibly repeated).
    ///
    /// - Complexity: O(*n*) in the length of the field.
    static func appendKeys(field: Int, text bytes: UnsafeBufferPointer<UInt8>, to keys: inout [GramKey]) {
        let count = bytes.count
        guard count > 0 else { return }
        keys.append(GramKey(field: field, kind: .fieldEnd, gram: endGram(bytes)))
        for length in 1...min(3, count) {
            keys.append(GramKey(field: field, kind: .fieldStart, gram: gram(bytes, at: 0, length: length)))
        }
        if count >= 3 {
            for offset in 0...(count - 3) {
                keys.append(GramKey(field: field, kind: .anywhere, gram: gram(bytes, at: offset, length: 3)))
            }
        }
        if count >= 2 {
            for offset in 1..<count where isWordStart(bytes, at: offset) {
                for length in 1...min(3, count - offset) {
                    keys.append(GramKey(field: field, kind: .wordStart, gram: gram(bytes, at: offset, length: length)))
                }
            }
        }
    }
}
