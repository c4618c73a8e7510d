extension RESPValue {
    /// The value in RESP2 wire form.
    public var encoded: [UInt8] {
        var buffer: [UInt8] = []
        write(into: &buffer)
        return buffer
    }

    /// Appends the value in RESP2 wire form to `buffer`.
    ///
    /// Simple strings and errors cannot carry CR or LF on the wire (a reader would take the
    /// rest for the next reply), so each one is written as a space.
    public func write(into buffer: inout [UInt8]) {
        switch self {
        case .simpleString(let text):
            buffer.append(UInt8(ascii: "+"))
            Self.appendLine(text, to: &buffer)
        case .error(let text):
            buffer.append(UInt8(ascii: "-"))
            Self.appendLine(text, to: &buffer)
        case .integer(let value):
            buffer.append(UInt8(ascii: ":"))
            Self.appendDecimal(value, to: &buffer)
            Self.appendCRLF(to: &buffer)
        case .bulkString(let bytes):
            buffer.append(UInt8(ascii: "$"))
            Self.appendDecimal(Int64(bytes.count), to: &buffer)
            Self.appendCRLF(to: &buffer)
            buffer.append(contentsOf: bytes)
            Self.appendCRLF(to: &buffer)
        case .null:
            buffer.append(contentsOf: [UInt8(ascii: "$"), UInt8(ascii: "-"), UInt8(ascii: "1"), 13, 10])
        case .array(let elements):
            buffer.append(UInt8(ascii: "*"))
            Self.appendDecimal(Int64(elements.count), to: &buffer)
            Self.appendCRLF(to: &buffer)
            for element in elements {
                element.write(into: &buffer)
            }
        case .nullArray:
            buffer.append(contentsOf: [UInt8(ascii: "*"), UInt8(ascii: "-"), UInt8(ascii: "1"), 13, 10])
        }
    }

    private static func appendLine(_ text: String, to buffer: inout [UInt8]) {
        let start = buffer.count
        buffer.append(contentsOf: text.utf8)
        for index in start..<buffer.count where buffer[index] == 13 || buffer[index] == 10 {
            buffer[index] = UInt8(ascii: " ")
        }
        appendCRLF(to: &buffer)
    }

    @inline(__always)
    private static func appendCRLF(to buffer: inout [UInt8]) {
        buffer.append(13)
        buffer.append(10)
    }

    /// Decimal digits without going through `String`.
    static func appendDecimal(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 {
            buffer.append(UInt8(ascii: "-"))
        }
        var magnitude = value.magnitude
        let start = buffer.count
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        // Digits came out least significant first. (Reversing through `buffer[start...]` would
        // copy the whole buffer on every call.)
        var low = start
        var high = buffer.count - 1
        while low < high {
            buffer.swapAt(low, high)
            low += 1
            high -= 1
        }
    }
}
