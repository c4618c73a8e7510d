/// Appends Callsheet's binary encoding: LEB128 varints, zig-zag signed integers, length-prefixed
/// UTF-8. The record and snapshot payloads in docs/STORAGE.md are written with it.
public struct BinaryWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    /// Hands the bytes written so far to `body` and starts again empty, keeping the capacity:
    /// a long encoding (a snapshot) goes out in pieces instead of one buffer of everything.
    public mutating func drain(_ body: ([UInt8]) throws -> Void) rethrows {
        try body(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Lets `body` append to the bytes directly (an index image writes itself).
    public mutating func withBytes<T>(_ body: (inout [UInt8]) throws -> T) rethrows -> T { try body(&bytes) }

    public mutating func byte(_ value: UInt8) { bytes.append(value) }

    public mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    public mutating func varint(_ value: Int) { varint(UInt64(value)) }

    public mutating func signed(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    public mutating func double(_ value: Double) {
        var bits = value.bitPattern.littleEndian
        withUnsafeBytes(of: &bits) { bytes.append(contentsOf: $0) }
    }

    public mutating func string(_ value: String) {
        var text = value
        text.withUTF8 { buffer in
            varint(UInt64(buffer.count))
            bytes.append(contentsOf: buffer)
        }
    }

    public mutating func data(_ value: [UInt8]) {
        varint(UInt64(value.count))
        bytes.append(contentsOf: value)
    }

    /// Presence byte, then the value when present.
    public mutating func optionalString(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }

    public mutating func optionalSigned(_ value: Int64?) {
        bool(value != nil)
        if let value { signed(value) }
    }
}
