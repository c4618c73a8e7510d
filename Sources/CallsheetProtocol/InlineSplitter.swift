/// Splits an inline command line into arguments exactly as redis' `sdssplitargs` does.
///
/// - Arguments are separated by blanks (space, tab, CR, LF, VT, FF).
/// - `"double quotes"` understand `\n \r \t \b \a \\ \"` and `\xHH`; any other escaped
///   character stands for itself (`\q` is `q`).
/// - `'single quotes'` understand only `\'`; every other byte is literal.
/// - Quotes may start inside an argument (`ab"c d"` is `abc d`), but a closing quote must be
///   followed by a blank or the end of the line, else the quotes are unbalanced.
///
/// One difference from redis: a NUL byte is an ordinary byte here, where redis' C string
/// handling would end the line at it.
public enum InlineSplitter {
    /// The arguments of a line typed at the REPL. Bytes that are not UTF-8 (`"\xff"`) become U+FFFD;
    /// use `splitBytes` to keep them.
    public static func split(_ line: String) throws(ProtocolError) -> [String] {
        try splitBytes(line).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The arguments of a line, as bytes.
    public static func splitBytes(_ line: String) throws(ProtocolError) -> [[UInt8]] {
        var line = line
        // `withUTF8` rethrows untyped errors, so carry the typed one out in a `Result`.
        return try line.withUTF8 { utf8 in
            Result { () throws(ProtocolError) -> [[UInt8]] in try split(UnsafeRawBufferPointer(utf8)) }
        }.get()
    }

    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let doubleQuote = UInt8(ascii: "\"")
    static let singleQuote = UInt8(ascii: "'")
    static let backslash = UInt8(ascii: "\\")

    /// C's `isspace`: what separates arguments and what may follow a closing quote.
    @inline(__always)
    static func isBlank(_ byte: UInt8) -> Bool {
        byte == space || (byte >= 0x09 && byte <= 0x0D)
    }

    /// Bytes that end or change an unquoted run. Vertical tab and form feed do not end an
    /// argument in redis, though they are skipped between arguments.
    @inline(__always)
    static func isSpecialInBareWord(_ byte: UInt8) -> Bool {
        byte == space || byte == 10 || byte == 13 || byte == tab || byte == doubleQuote || byte == singleQuote
    }

    /// Splits a line (without its line ending).
    /// - Complexity: O(*n*) in the length of the line.
    static func split(_ line: UnsafeRawBufferPointer) throws(ProtocolError) -> [[UInt8]] {
        var arguments: [[UInt8]] = []
        let end = line.count
        var index = 0
        while true {
            while index < end && isBlank(line[index]) {
                index += 1
            }
            if index == end {
                return arguments
            }
            // The usual argument has no quotes: copy the run in one go.
            let start = index
            while index < end && !isSpecialInBareWord(line[index]) {
                index += 1
            }
            if index == end || (line[index] != doubleQuote && line[index] != singleQuote) {
                arguments.append(ByteScanning.copy(line, from: start, count: index - start))
                continue
            }
            var argument = ByteScanning.copy(line, from: start, count: index - start)
            try readQuoted(line, at: &index, into: &argument)
            arguments.append(argument)
        }
    }

    /// Reads the rest of an argument from a point where a quote opens, following
    /// `sdssplitargs` state by state.
    private static func readQuoted(
        _ line: UnsafeRawBufferPointer, at index: inout Int, into argument: inout [UInt8]
    ) throws(ProtocolError) {
        let end = line.count
        var quote: UInt8 = 0
        while true {
            if quote == doubleQuote {
                guard index < end else { throw .unbalancedQuotes() }
                let byte = line[index]
                if byte == backslash && index + 3 < end && line[index + 1] == UInt8(ascii: "x"),
                   let high = hexValue(line[index + 2]), let low = hexValue(line[index + 3]) {
                    argument.append(high << 4 | low)
                    index += 4
                } else if byte == backslash && index + 1 < end {
                    argument.append(unescaped(line[index + 1]))
                    index += 2
                } else if byte == doubleQuote {
                    index += 1
                    guard index == end || isBlank(line[index]) else { throw .unbalancedQuotes() }
                    return
                } else {
                    argument.append(byte)
                    index += 1
                }
            } else if quote == singleQuote {
                guard index < end else { throw .unbalancedQuotes() }
                let byte = line[index]
                if byte == backslash && index + 1 < end && line[index + 1] == singleQuote {
                    argument.append(singleQuote)
                    index += 2
                } else if byte == singleQuote {
                    index += 1
                    guard index == end || isBlank(line[index]) else { throw .unbalancedQuotes() }
                    return
                } else {
                    argument.append(byte)
                    index += 1
                }
            } else {
                guard index < end else { return }
                let byte = line[index]
                switch byte {
                case space, 10, 13, tab:
                    index += 1
                    return
                case doubleQuote, singleQuote:
                    quote = byte
                default:
                    argument.append(byte)
                }
                index += 1
            }
        }
    }

    @inline(__always)
    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    @inline(__always)
    private static func unescaped(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "n"): 10
        case UInt8(ascii: "r"): 13
        case UInt8(ascii: "t"): 9
        case UInt8(ascii: "b"): 8
        case UInt8(ascii: "a"): 7
        default: byte
        }
    }
}
