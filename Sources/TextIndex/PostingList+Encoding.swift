extension PostingList {
    static func encodeBlock(_ slots: ArraySlice<UInt32>, to output: inout [UInt8]) {
        let headerStart = output.count
        appendHeader(first: slots[slots.startIndex], count: slots.count, payloadLength: 0, to: &output)
        var previous = slots[slots.startIndex]
        var payload = 0
        for slot in slots.dropFirst() {
            payload += appendVarint(slot - previous, to: &output)
            previous = slot
        }
        output[headerStart + 5] = UInt8(truncatingIfNeeded: payload)
        output[headerStart + 6] = UInt8(truncatingIfNeeded: payload >> 8)
    }

    static func appendHeader(first: UInt32, count: Int, payloadLength: Int, to output: inout [UInt8]) {
        output.append(UInt8(truncatingIfNeeded: first))
        output.append(UInt8(truncatingIfNeeded: first >> 8))
        output.append(UInt8(truncatingIfNeeded: first >> 16))
        output.append(UInt8(truncatingIfNeeded: first >> 24))
        output.append(UInt8(count))
        output.append(UInt8(truncatingIfNeeded: payloadLength))
        output.append(UInt8(truncatingIfNeeded: payloadLength >> 8))
    }

    @discardableResult
    static func appendVarint(_ value: UInt32, to output: inout [UInt8]) -> Int {
        var value = value
        var written = 1
        while value >= 0x80 {
            output.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
            written += 1
        }
        output.append(UInt8(value))
        return written
    }

    @inline(__always)
    static func first(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) -> UInt32 {
        UInt32(buffer[start]) | UInt32(buffer[start + 1]) << 8 | UInt32(buffer[start + 2]) << 16
            | UInt32(buffer[start + 3]) << 24
    }

    @inline(__always)
    static func payloadLength(_ buffer: UnsafeBufferPointer<UInt8>, at start: Int) -> Int {
        Int(buffer[start + 5]) | Int(buffer[start + 6]) << 8
    }

    @inline(__always)
    static func readVarint(_ buffer: UnsafeBufferPointer<UInt8>, at offset: inout Int) -> UInt32 {
        var byte = buffer[offset]
        offset += 1
        if byte < 0x80 { return UInt32(byte) }
        var value = UInt32(byte & 0x7F)
        var shift: UInt32 = 7
        repeat {
            byte = buffer[offset]
            offset += 1
            value |= UInt32(byte & 0x7F) << shift
            shift += 7
        } while byte >= 0x80
        return value
    }
}
