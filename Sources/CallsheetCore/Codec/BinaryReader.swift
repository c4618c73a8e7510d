/// Reads what ``BinaryWriter`` wrote. Every read is bounds-checked: a damaged payload yields a
/// `CORRUPT` error naming the offset, never a crash.
public struct BinaryReader: Sendable {
    private let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var isAtEnd: Bool { offset >= bytes.count }

    /// Bytes not read yet.
    public var remaining: Int { bytes.count - offset }

    /// The largest id a payload may hold (2^53, the largest integer every JSON client reads
    /// exactly). Ids are handed out from 1 up, so a larger one means the bytes are damaged, and
    /// refusing it here keeps `id + 1` and `Int64(id)` safe everywhere after.
    public static let maximumID: UInt64 = 1 << 53

    /// The range of a stored ``Timestamp``: years 0001–9999, what `TimestampFormat` reads and writes.
    public static let timestampRange: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999

    /// The error for damaged bytes: what is wrong and the byte offset (default: the current one).
    public func corrupt(_ what: String, at position: Int? = nil) -> CallsheetError {
        CallsheetError(.internal, "corrupt payload: \(what) at byte \(position ?? offset)")
    }

    /// Lets `body` read the bytes directly from the current offset, which it advances (an index
    /// image reads itself). The offset moves only when `body` returns.
    public mutating func withBytes<T, Failure: Error>(
        _ body: (_ bytes: UnsafeBufferPointer<UInt8>, _ offset: inout Int) throws(Failure) -> T
    ) throws(Failure) -> T {
        var position = offset
        let result = try bytes.withUnsafeBufferPointer { buffer throws(Failure) in try body(buffer, &position) }
        offset = position
        return result
    }

    /// Moves past `count` bytes (a part another reader reads).
    public mutating func skip(_ count: Int) throws(CallsheetError) {
        guard count >= 0, count <= bytes.count - offset else { throw corrupt("length \(count) past the end") }
        offset += count
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
            // The tenth byte holds bit 63 only; anything more does not fit 64 bits.
            guard shift < 63 || (shift == 63 && next <= 1) else {
                offset -= 1
                throw corrupt("varint too long")
            }
            result |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return result }
            shift += 7
        }
    }

    public mutating func int() throws(CallsheetError) -> Int {
        let start = offset
        let value = try varint()
        guard value <= UInt64(Int.max) else {
            offset = start
            throw corrupt("integer \(value) out of range")
        }
        return Int(value)
    }

    /// An element count: at most one element per `minimumBytes` bytes left, so a damaged count
    /// fails here instead of driving a loop or a reservation past the payload.
    public mutating func count(minimumBytes: Int = 1) throws(CallsheetError) -> Int {
        let start = offset
        let value = try varint()
        let left = remaining
        guard value <= UInt64(left / max(minimumBytes, 1)) else {
            offset = start
            throw corrupt("count \(value) exceeds the \(left) bytes left")
        }
        return Int(value)
    }

    /// An id: 0 (none) through ``maximumID``.
    public mutating func id() throws(CallsheetError) -> UInt64 {
        let start = offset
        let value = try varint()
        guard value <= Self.maximumID else {
            offset = start
            throw corrupt("id \(value) out of range (at most \(Self.maximumID))")
        }
        return value
    }

    /// A whole number from 0 through `maximum`.
    public mutating func int(atMost maximum: Int) throws(CallsheetError) -> Int {
        let start = offset
        let value = try varint()
        guard value <= UInt64(maximum) else {
            offset = start
            throw corrupt("value \(value) out of range (at most \(maximum))")
        }
        return Int(value)
    }

    /// A ``Timestamp`` within ``timestampRange``.
    public mutating func timestamp() throws(CallsheetError) -> Int64 {
        let start = offset
        let value = try signed()
        guard Self.timestampRange.contains(value) else {
            offset = start
            throw corrupt("timestamp \(value) out of range (years 0001–9999)")
        }
        return value
    }

    public mutating func optionalTimestamp() throws(CallsheetError) -> Int64? {
        try bool() ? try timestamp() : nil
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
