/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), computed slicing-by-8.
///
/// Start from ``initial``, feed bytes with ``update(_:_:)`` any number of times, and
/// take ``finalize(_:)``; or call ``checksum(_:)`` for one buffer. The value matches
/// iSCSI / RFC 3720 (`"123456789"` → `0xE3069283`).
public enum CRC32C {
    /// The running state before any byte.
    public static let initial: UInt32 = 0xFFFF_FFFF

    /// Eight 256-entry tables, laid out one after another.
    private static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            t[i] = crc
        }
        for i in 0..<256 {
            for k in 1..<8 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    /// Folds `bytes` into the running state `crc`.
    public static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = bytes.baseAddress, !bytes.isEmpty else { return crc }
        var remaining = bytes.count
        var c = crc
        return table.withUnsafeBufferPointer { t in
            while remaining >= 8 {
                let lo = p.loadUnaligned(as: UInt32.self).littleEndian ^ c
                let hi = p.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
                c = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(hi & 0xFF)] ^ t[2 * 256 + Int((hi >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                p += 8
                remaining -= 8
            }
            while remaining > 0 {
                c = (c >> 8) ^ t[Int((c ^ UInt32(p.load(as: UInt8.self))) & 0xFF)]
                p += 1
                remaining -= 1
            }
            return c
        }
    }

    /// Folds `bytes` into the running state `crc`.
    public static func update(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { update(crc, $0) }
    }

    /// Folds `bytes` into the running state `crc`.
    public static func update(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { update(crc, $0) }
    }

    /// Turns a running state into the checksum value.
    public static func finalize(_ crc: UInt32) -> UInt32 { crc ^ 0xFFFF_FFFF }

    /// The CRC-32C of one buffer.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { finalize(update(initial, bytes)) }

    /// The CRC-32C of one buffer.
    public static func checksum(_ bytes: [UInt8]) -> UInt32 { finalize(update(initial, bytes)) }

    /// The CRC-32C of one buffer.
    public static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 { finalize(update(initial, bytes)) }
}
