import CallsheetProtocol

/// Splits the input as one inline line. When it splits, every argument is written back in
/// double quotes with `\xHH` escapes, and that line must split into the same arguments.
enum InlineSplitterFuzz {
    static func run(_ data: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let arguments: [[UInt8]]
        do {
            arguments = try InlineSplitter.split(bytes: data)
        } catch {
            guard error.code == .unbalancedQuotes else {
                throw FuzzFailure(.inline, "only unbalanced quotes may fail a split", "\(error)")
            }
            return
        }
        let quoted = quote(arguments)
        let again: [[UInt8]]
        do {
            again = try quoted.withUnsafeBytes { raw throws(ProtocolError) in try InlineSplitter.split(bytes: raw) }
        } catch {
            throw FuzzFailure(.inline, "a quoted line must split", "\(error) for \(preview(quoted))")
        }
        guard again == arguments else {
            throw FuzzFailure(.inline, "split(quote(arguments)) == arguments", "\(again.map { preview($0) }) != \(arguments.map { preview($0) })")
        }
    }

    /// Each argument in double quotes, every byte outside printable ASCII (and `"`, `\`) as `\xHH`.
    static func quote(_ arguments: [[UInt8]]) -> [UInt8] {
        let hex = Array("0123456789abcdef".utf8)
        var line: [UInt8] = []
        for (index, argument) in arguments.enumerated() {
            if index > 0 { line.append(UInt8(ascii: " ")) }
            line.append(UInt8(ascii: "\""))
            for byte in argument {
                if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                    line.append(byte)
                } else {
                    line += [UInt8(ascii: "\\"), UInt8(ascii: "x"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
            }
            line.append(UInt8(ascii: "\""))
        }
        return line
    }
}
