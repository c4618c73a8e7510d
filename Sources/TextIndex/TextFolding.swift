/// Folds text into the form the search indexes store and compare: lower case, no diacritics, no
/// apostrophes,
/// letters without a decomposition spelled out in ASCII (`ø`→`o`, `ß`→`ss`), runs of white space
/// collapsed to one space, no leading or trailing space.
///
/// Both the indexed fields and every query go through ``fold(_:)``, so `jose` finds `José`,
/// `MULLER` finds `Müller` and `oberg` finds `Øberg`. ASCII input takes a byte loop that returns
/// the argument itself when it is already folded; other text is decomposed (NFD), combining
/// marks are dropped, and the rest is lower-cased and looked up in a small table
/// (`TextFolding+Unicode.swift`).
///
/// Control characters count as white space, so folded text never contains a NUL byte
/// (``TrigramIndex`` pads its 1- and 2-byte grams with zeros).
public enum TextFolding {
    /// The folded form of `text`.
    ///
    /// - Complexity: O(*n*) in the UTF-8 length of `text`; no allocation when ASCII `text` is
    ///   already folded.
    public static func fold(_ text: String) -> String {
        var text = text
        let ascii = text.withUTF8 { bytes -> ASCIIResult in
            switch scanASCII(bytes) {
            case .alreadyFolded: return .alreadyFolded
            case .notASCII: return .notASCII
            case .needsFolding: return .folded(foldASCII(bytes))
            }
        }
        switch ascii {
        case .alreadyFolded: return text
        case .folded(let folded): return folded
        case .notASCII: return foldUnicode(text)
        }
    }

    /// The ASCII digits of `text`, in order: `+1 (650) 253-0000` → `16502530000`.
    ///
    /// - Complexity: O(*n*) in the UTF-8 length of `text`.
    public static func digits(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { out in
                var count = 0
                for byte in bytes where byte &- 0x30 < 10 {
                    out[count] = byte
                    count += 1
                }
                return count
            }
        }
    }

    private enum ASCIIScan { case alreadyFolded, needsFolding, notASCII }
    private enum ASCIIResult { case alreadyFolded, folded(String), notASCII }

    /// Apostrophes (`'` and the backtick typed for one) are dropped, so `obrien` finds O'Brien
    /// and `o'brien` finds OBrien.
    @inline(__always)
    static func isApostrophe(_ byte: UInt8) -> Bool {
        byte == 0x27 || byte == 0x60
    }

    /// Whether `byte` is ASCII white space or an ASCII control character.
    @inline(__always)
    static func isASCIISpace(_ byte: UInt8) -> Bool {
        byte <= 0x20 || byte == 0x7F
    }

    @inline(__always)
    static func lowercasedASCII(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    private static func scanASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> ASCIIScan {
        var result = ASCIIScan.alreadyFolded
        var previousWasSpace = true  // a leading space needs folding
        for byte in bytes {
            if byte >= 0x80 { return .notASCII }
            if isApostrophe(byte) {
                result = .needsFolding
                continue
            }
            if isASCIISpace(byte) {
                if byte != 0x20 || previousWasSpace { result = .needsFolding }
                previousWasSpace = true
            } else {
                if byte &- 0x41 < 26 { result = .needsFolding }
                previousWasSpace = false
            }
        }
        if previousWasSpace && !bytes.isEmpty { result = .needsFolding }
        return result
    }

    private static func foldASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            var count = 0
            var pendingSpace = false
            for byte in bytes where !isApostrophe(byte) {
                if isASCIISpace(byte) {
                    pendingSpace = count > 0
                    continue
                }
                if pendingSpace {
                    out[count] = 0x20
                    count += 1
                    pendingSpace = false
                }
                out[count] = lowercasedASCII(byte)
                count += 1
            }
            return count
        }
    }
}
