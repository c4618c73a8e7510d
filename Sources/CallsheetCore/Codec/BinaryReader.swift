/// Reads what ``BinaryWriter`` wrote. Every read is bounds-checked: a damaged payload yields a
/// `CORRUPT` error naming the offset, never a crash.
public struct BinaryReader {
    private let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    /// Bytes not read yet: an upper bound on how many encoded items can follow, since each
    /// takes at least one byte. Reserve by it, never by a count read from the payload alone.
    public var remainingCount: Int { max(0, bytes.count - offset) }

    func corrupt(_ what: String) -> CallsheetError {
        CallsheetError(.internal, "corrupt payload: \(what) at byte \(offset)")
    }

    public mutating func byte() throws(CallsheetError) -> UInt8 {
        guard offset < bytes.count else { throw corrupt("unexpected end") }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func bool() throws(CallsheetError) -> Bool {
        switch try byte() {
        case 0: return false
        case 1: return true
        default: throw corrupt("bad boolean")
        }
    }

    public mutating func varint() throws(CallsheetError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64 else { throw corrupt("varint too long") }
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return result }
            shift += 7
        }
    }

    /// A record id or an id counter. Ids count up from 1 and the state keeps the next one as the
    /// largest seen plus 1, so a damaged payload's id at the top of the range would trap there
    /// (found by scripts/fuzz codec): ids of 2^63 - 1 and above are refused.
    public mutating func id() throws(CallsheetError) -> UInt64 {
        let value = try varint()
        guard value < UInt64(Int64.max) else { throw corrupt("id \(value) out of range") }
        return value
    }

    public mutating func int() throws(CallsheetError) -> Int {
        let value = try varint()
        guard value <= UInt64(Int.max) else { throw corrupt("integer out of range") }
        return Int(value)
    }

    public mutating func signed() throws(CallsheetError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    public mutating func double() throws(CallsheetError) -> Double {
        guard offset + 8 <= bytes.count else { throw corrupt("unexpected end") }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += 8
        return Double(bitPattern: bits)
    }

    public mutating func data() throws(CallsheetError) -> [UInt8] {
        let count = try int()
        guard count <= bytes.count - offset else { throw corrupt("length \(count) past the end") }
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    public mutating func string() throws(CallsheetError) -> String {
        let count = try int()
        guard count <= bytes.count - offset else { throw corrupt("length \(count) past the end") }
        defer { offset += count }
        return String(decoding: bytes[offset..<offset + count], as: UTF8.self)
    }

    public mutating func optionalString() throws(CallsheetError) -> String? {
        try bool() ? try string() : nil
    }

    public mutating func optionalSigned() throws(CallsheetError) -> Int64? {
        try bool() ? try signed() : nil
    }
}
