/// Checks that bytes are UTF-8, or turns Windows-1252 bytes into UTF-8, without ever guessing.
enum TextDecoding {
    /// The offset of the first byte that does not start or continue a valid UTF-8 sequence
    /// (overlong forms, surrogates and values above U+10FFFF included), or nil when all are valid.
    /// - Complexity: O(n), one pass; ASCII bytes cost one comparison each.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = bytes[index + 1]
            guard second >= lower, second <= upper else { return index }
            var position = index + 2
            while position < index + length {
                guard bytes[position] & 0xC0 == 0x80 else { return index }
                position += 1
            }
            index += length
        }
        return nil
    }

    /// Windows-1252 bytes as UTF-8. The five byte values the code page leaves undefined are refused.
    static func utf8(fromWindows1252 bytes: UnsafeBufferPointer<UInt8>) throws(CallsheetError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 16)
        for (offset, byte) in bytes.enumerated() {
            if byte < 0x80 {
                output.append(byte)
                continue
            }
            let scalar: UInt32
            if byte >= 0xA0 {
                scalar = UInt32(byte)
            } else {
                let mapped = windows1252High[Int(byte - 0x80)]
                guard mapped != 0 else {
                    throw CallsheetError(.encoding, "byte 0x\(String(byte, radix: 16, uppercase: true)) at offset \(offset) is not defined in Windows-1252; save the file as UTF-8")
                }
                scalar = mapped
            }
            if scalar < 0x800 {
                output.append(UInt8(0xC0 | (scalar >> 6)))
                output.append(UInt8(0x80 | (scalar & 0x3F)))
            } else {
                output.append(UInt8(0xE0 | (scalar >> 12)))
                output.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
                output.append(UInt8(0x80 | (scalar & 0x3F)))
            }
        }
        return output
    }

    /// Code points of bytes 0x80–0x9F in Windows-1252; 0 where the code page defines none.
    private static let windows1252High: [UInt32] = [
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0,
        0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
    ]
}
