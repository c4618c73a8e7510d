/// The indexes as they lie in memory, written into a snapshot so that a restart reads them
/// instead of rebuilding them from the documents (snapshot content version 2, docs/STORAGE.md).
///
/// Integers are LEB128 varints unless said otherwise; fixed-width integers are little-endian.
/// Reading checks every length, count, offset and ordering the structures rely on, and that
/// every slot is below the caller's document limit, so a damaged or hostile image throws
/// ``TextIndexError`` (code `INDEX_IMAGE`) and never traps later. It does not prove that the
/// image matches the documents: ``TrigramIndex/checkPostingsAgainstTexts()`` does (what
/// `callsheet verify` runs).
public enum IndexImage {
    /// Appends `value` as a varint.
    @inline(__always)
    static func appendVarint(_ value: UInt64, to output: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        output.append(UInt8(rest))
    }

    static func appendVarint(_ value: Int, to output: inout [UInt8]) { appendVarint(UInt64(value), to: &output) }

    /// Appends fixed-width little-endian integers.
    static func appendLittleEndian<T: FixedWidthInteger>(_ values: [T], to output: inout [UInt8]) {
        output.reserveCapacity(output.count + values.count * MemoryLayout<T>.size)
        for value in values {
            withUnsafeBytes(of: value.littleEndian) { output.append(contentsOf: $0) }
        }
    }
}

/// A bounds-checked cursor over an image.
struct ImageReader {
    let buffer: UnsafeBufferPointer<UInt8>
    var offset: Int

    func damaged(_ what: String) -> TextIndexError {
        TextIndexError(code: .imageDamaged, message: "\(what) at byte \(offset) of the index image")
    }

    mutating func varint() throws(TextIndexError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < buffer.count else { throw damaged("unexpected end") }
            let byte = buffer[offset]
            guard shift < 63 || (shift == 63 && byte <= 1) else { throw damaged("varint too long") }
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// A varint of at most `maximum`.
    mutating func int(atMost maximum: Int) throws(TextIndexError) -> Int {
        let value = try varint()
        guard value <= UInt64(maximum) else { throw damaged("value \(value) above its limit \(maximum)") }
        return Int(value)
    }

    /// A count of things each taking at least `minimumBytes` of what is left.
    mutating func count(minimumBytes: Int) throws(TextIndexError) -> Int {
        try int(atMost: (buffer.count - offset) / max(minimumBytes, 1))
    }

    mutating func bytes(_ count: Int) throws(TextIndexError) -> [UInt8] {
        guard count <= buffer.count - offset else { throw damaged("length \(count) past the end") }
        defer { offset += count }
        return Array(UnsafeBufferPointer(rebasing: buffer[offset..<(offset + count)]))
    }

    mutating func littleEndian<T: FixedWidthInteger>(_ type: T.Type, count: Int) throws(TextIndexError) -> [T] {
        let size = MemoryLayout<T>.size
        guard count <= (buffer.count - offset) / size else { throw damaged("\(count) integers past the end") }
        let start = offset
        offset += count * size
        return [T](unsafeUninitializedCapacity: count) { values, initialized in
            UnsafeMutableRawBufferPointer(values).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[start..<(start + count * size)]))
            for index in 0..<count { values[index] = T(littleEndian: values[index]) }
            initialized = count
        }
    }
}
