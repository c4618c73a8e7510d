#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level helpers shared by the decoders: find a byte, read a `*n`/`$n`/`:n` header
/// line, copy a range out. No allocation except the copy.
enum ByteScanning {
    static let cr: UInt8 = 13
    static let lf: UInt8 = 10

    /// Index of the first `byte` at or after `start`, or nil. Uses `memchr`.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress else { return nil }
        guard let found = memchr(base + start, Int32(byte), bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// The outcome of reading a header line such as `*2\r\n` or `$-1\r\n`.
    enum Header {
        /// The line is not complete yet.
        case incomplete
        /// Not a decimal number, or not ended by CRLF.
        case invalid
        /// The number, and the index just past the CRLF.
        case value(Int64, next: Int)
    }

    /// Longest header accepted after the type byte: a sign and 19 digits. Anything longer is
    /// invalid whatever follows, so a header never needs more than a few bytes of look-ahead
    /// and is never scanned twice at length.
    static let maxHeaderDigits = 20

    /// Reads the number after the type byte at `start`, up to CRLF.
    @inline(__always)
    static func readHeader(_ bytes: UnsafeRawBufferPointer, at start: Int) -> Header {
        let first = start + 1
        let limit = min(bytes.count, first + maxHeaderDigits + 1)
        var index = first
        while index < limit {
            if bytes[index] == cr {
                guard index + 1 < bytes.count else { return .incomplete }
                guard bytes[index + 1] == lf, let value = parseInteger(bytes, from: first, to: index) else {
                    return .invalid
                }
                return .value(value, next: index + 2)
            }
            index += 1
        }
        return limit == bytes.count ? .incomplete : .invalid
    }

    /// Parses `bytes[from..<to]` as redis' `string2ll` does: an optional `-`, then `0` alone or
    /// digits without a leading zero; no `+`, no blanks, no `-0`, no overflow.
    static func parseInteger(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Int64? {
        guard start < end else { return nil }
        if end - start == 1 && bytes[start] == UInt8(ascii: "0") {
            return 0
        }
        var index = start
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative {
            index += 1
        }
        guard index < end, bytes[index] >= UInt8(ascii: "1"), bytes[index] <= UInt8(ascii: "9") else {
            return nil
        }
        var magnitude: UInt64 = 0
        while index < end {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            index += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// A fresh array holding `bytes[start..<start + count]`.
    @inline(__always)
    static func copy(_ bytes: UnsafeRawBufferPointer, from start: Int, count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + count)]))
            initialized = count
        }
    }
}
