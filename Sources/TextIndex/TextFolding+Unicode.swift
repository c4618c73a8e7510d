// `String._nfd` (canonical decomposition) is standard-library SPI: it keeps this module free of
// Foundation. If a toolchain drops it, `decomposedStringWithCanonicalMapping` is the replacement.
@_spi(_Unicode) import Swift

extension TextFolding {
    /// The slow path of ``fold(_:)`` for text with non-ASCII scalars.
    static func foldUnicode(_ text: String) -> String {
        var writer = FoldedWriter(capacity: text.utf8.count)
        for scalar in text._nfd {
            writer.append(scalar)
        }
        return writer.result()
    }

    /// Letters (after lower-casing) that have no canonical decomposition, and punctuation
    /// variants, spelled the way people type them on an ASCII keyboard.
    static func replacement(for scalar: Unicode.Scalar) -> String? {
        switch scalar.value {
        case 0x00F8: "o"  // ø
        case 0x00E6: "ae"  // æ
        case 0x0153: "oe"  // œ
        case 0x00DF: "ss"  // ß (ẞ lower-cases to it)
        case 0x0142: "l"  // ł
        case 0x0111: "d"  // đ
        case 0x00F0: "d"  // ð
        case 0x00FE: "th"  // þ
        case 0x0131: "i"  // dotless ı
        case 0x0127: "h"  // ħ
        case 0x0167: "t"  // ŧ
        case 0x0140: "l"  // ŀ
        case 0x0149: "n"  // ŉ
        case 0x017F: "s"  // long ſ
        case 0x0138: "k"  // ĸ
        case 0x0192: "f"  // ƒ
        case 0x01E5: "g"  // ǥ
        case 0x0180: "b"  // ƀ
        case 0x019A: "l"  // ƚ
        case 0x0268: "i"  // ɨ
        case 0x0133: "ij"  // ĳ
        case 0x01C6: "dz"  // ǆ
        case 0x01C9: "lj"  // ǉ
        case 0x01CC: "nj"  // ǌ
        case 0xFB00: "ff"
        case 0xFB01: "fi"
        case 0xFB02: "fl"
        case 0xFB03: "ffi"
        case 0xFB04: "ffl"
        case 0xFB05, 0xFB06: "st"
        case 0x03C2: "\u{03C3}"  // final sigma ς → σ
        case 0x2018, 0x2019, 0x201B, 0x02BC, 0x00B4, 0x0060: ""  // apostrophes: O’Brien is obrien
        case 0x201C, 0x201D, 0x201F: "\""
        case 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212: "-"
        default: nil
        }
    }
}

/// Accumulates folded UTF-8, collapsing white space.
private struct FoldedWriter {
    private var bytes: [UInt8]
    private var pendingSpace = false

    init(capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ scalar: Unicode.Scalar) {
        if scalar.isASCII {
            let byte = UInt8(scalar.value)
            if TextFolding.isApostrophe(byte) { return }
            if TextFolding.isASCIISpace(byte) {
                space()
            } else {
                emit(TextFolding.lowercasedASCII(byte))
            }
            return
        }
        let properties = scalar.properties
        if isDroppedMark(scalar) || isInvisible(scalar) { return }
        if properties.isWhitespace || properties.generalCategory == .control {
            space()
            return
        }
        if (0xFF01...0xFF5E).contains(scalar.value) {  // full-width ASCII
            emit(TextFolding.lowercasedASCII(UInt8(scalar.value - 0xFEE0)))
            return
        }
        if properties.changesWhenLowercased {
            for lower in properties.lowercaseMapping._nfd where !isDroppedMark(lower) {
                emitFolded(lower)
            }
        } else {
            emitFolded(scalar)
        }
    }

    func result() -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    private mutating func emitFolded(_ scalar: Unicode.Scalar) {
        if let replacement = TextFolding.replacement(for: scalar) {
            for byte in replacement.utf8 { emit(byte) }
        } else {
            if pendingSpace { flushSpace() }
            UTF8.encode(scalar) { bytes.append($0) }
        }
    }

    private mutating func emit(_ byte: UInt8) {
        if pendingSpace { flushSpace() }
        bytes.append(byte)
    }

    private mutating func flushSpace() {
        bytes.append(0x20)
        pendingSpace = false
    }

    private mutating func space() {
        pendingSpace = !bytes.isEmpty
    }

    /// Combining marks that attach to a base letter (accents, Hebrew and Arabic vowel points,
    /// kana voicing marks). Marks with combining class 0 (variation selectors, many Indic vowel
    /// signs), nuktas (7) and viramas (9) stay, so emoji and those scripts pass through intact.
    private func isDroppedMark(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        switch properties.generalCategory {
        case .nonspacingMark:
            let combiningClass = properties.canonicalCombiningClass.rawValue
            return combiningClass != 0 && combiningClass != 7 && combiningClass != 9
        case .enclosingMark: return true
        default: return false
        }
    }

    /// Soft hyphen, zero-width space, byte-order mark and direction marks.
    private func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x200B, 0x200E, 0x200F, 0x2060, 0xFEFF: true
        default: false
        }
    }
}
