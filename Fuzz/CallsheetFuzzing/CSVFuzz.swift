import CallsheetCore

/// Reads the input as a CSV file. When it reads, writing the header and records back with
/// every field quoted must read to the same fields. On ASCII input, reading it as
/// Windows-1252 must give the same fields as reading it as UTF-8.
enum CSVFuzz {
    static func run(_ data: UnsafeRawBufferPointer) throws(FuzzFailure) {
        let bytes = Array(data)
        let utf8 = read(bytes, .utf8)
        let windows1252 = read(bytes, .windows1252)
        if bytes.allSatisfy({ $0 < 0x80 }) {
            guard fields(utf8) == fields(windows1252) else {
                throw FuzzFailure(.csv, "ASCII reads the same as UTF-8 and as Windows-1252", preview(bytes))
            }
        }
        guard case .success(let document) = utf8 else { return }
        let written = write(document)
        let again = read(written, .utf8)
        guard case .success(let reread) = again else {
            throw FuzzFailure(.csv, "written CSV reads", "\(again) for \(preview(written))")
        }
        guard reread.header == document.header, reread.records.map(\.fields) == document.records.map(\.fields) else {
            throw FuzzFailure(.csv, "read(write(document)) == document", preview(written))
        }
    }

    static func read(_ bytes: [UInt8], _ encoding: CSVEncoding) -> Result<CSVDocument, CallsheetError> {
        Result { () throws(CallsheetError) in try CSVReader.read(bytes, encoding: encoding) }
    }

    /// The fields read, or the error's code: what two reads must agree on.
    static func fields(_ result: Result<CSVDocument, CallsheetError>) -> [[String]]? {
        guard case .success(let document) = result else { return nil }
        return [document.header] + document.records.map(\.fields)
    }

    /// RFC 4180 with every field quoted and CRLF line ends.
    static func write(_ document: CSVDocument) -> [UInt8] {
        var bytes: [UInt8] = []
        for record in [document.header] + document.records.map(\.fields) {
            for (index, field) in record.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                bytes.append(UInt8(ascii: "\""))
                for byte in field.utf8 {
                    bytes.append(byte)
                    if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                }
                bytes.append(UInt8(ascii: "\""))
            }
            bytes += [13, 10]
        }
        return bytes
    }
}
