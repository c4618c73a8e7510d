/// Reads CSV as RFC 4180 writes it, from bytes, in one pass.
///
/// - Fields are separated by commas; a field may be quoted with `"`, and then holds commas,
///   line breaks and quotes written twice (`""`).
/// - Records end with CRLF, LF or a lone CR; the last may end with none.
/// - A UTF-8 byte-order mark is skipped; empty lines are skipped (but counted, so reported line
///   numbers match the file).
/// - Bytes that are not UTF-8 are refused with their offset, unless the caller asks for Windows-1252.
/// - A quote inside an unquoted field is kept as text (`5" floppy`); an unclosed quote or text after
///   a closing quote is refused with the line, since the rest of the file could not be trusted.
///
/// Records may have any number of fields; the row checks report too few or too many.
public enum CSVReader {
    private static let comma = UInt8(ascii: ",")
    private static let quote = UInt8(ascii: "\"")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    /// The most columns a record may have: more is no contact list.
    public static let maximumColumns = 1_000

    /// Reads a whole file.
    /// - Parameter maxRows: the most data rows accepted; the read stops with `LIMIT` at the row
    ///   after it, without reading the rest.
    /// - Throws: `ENCODING` (with the byte offset), `MALFORMED_CSV` (with the line, or for a
    ///   record of more than ``maximumColumns`` columns), `LIMIT`, or `BAD_REQUEST` for a file
    ///   with no header.
    /// - Complexity: O(n) in the bytes.
    public static func read(_ bytes: [UInt8], encoding: CSVEncoding = .utf8, maxRows: Int = .max) throws(CallsheetError) -> CSVDocument {
        var warnings: [ImportIssue] = []
        let text: [UInt8]
        switch encoding {
        case .utf8:
            if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
                throw CallsheetError(.encoding, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as CSV UTF-8")
            }
            let invalid = bytes.withUnsafeBufferPointer { TextDecoding.firstInvalidUTF8($0) }
            if let invalid {
                let byte = String(bytes[invalid], radix: 16, uppercase: true)
                throw CallsheetError(.encoding, "the file is not valid UTF-8: byte 0x\(byte) at offset \(invalid) (line \(lineNumber(of: invalid, in: bytes))); save it as CSV UTF-8, or import it with ENCODING windows-1252 if Excel saved it")
            }
            text = bytes
        case .windows1252:
            text = try bytes.withUnsafeBufferPointer { buffer throws(CallsheetError) in try TextDecoding.utf8(fromWindows1252: buffer) }
            if text.count != bytes.count {
                warnings.append(ImportIssue(row: 0, column: nil, code: .encoding, reason: "decoded from Windows-1252: \(text.count - bytes.count) bytes of accented letters or symbols were converted to UTF-8"))
            }
        }
        var records = try text.withUnsafeBufferPointer { buffer throws(CallsheetError) in try parse(buffer, maxRows: maxRows) }
        guard !records.isEmpty else {
            throw CallsheetError(.badRequest, "the file is empty; the first line must name the columns, e.g. Name,Phone,Email")
        }
        let headerRecord = records.removeFirst()
        var header: [String] = []
        for (index, name) in headerRecord.fields.enumerated() {
            let clean = name.trimmingSpaces()
            header.append(clean.isEmpty ? "Column \(index + 1)" : clean)
        }
        if header.count == 1, let only = header.first, only.contains(";") || only.contains("\t") {
            throw CallsheetError(.malformedCSV, "line \(headerRecord.line) has one column '\(only.prefix(40))': the file seems to be separated by \(only.contains(";") ? "semicolons" : "tabs"); export it as comma-separated CSV")
        }
        return CSVDocument(header: header, records: records, warnings: warnings, byteCount: bytes.count)
    }

    /// Splits UTF-8 text into records. The first is the header.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, maxRows: Int = .max) throws(CallsheetError) -> [CSVRecord] {
        var records: [CSVRecord] = []
        var fields: [String] = []
        var scratch: [UInt8] = []
        var index = 0
        let count = bytes.count
        if count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        var line = 1
        var recordLine = 1
        var recordHasQuotes = false
        while index < count || !fields.isEmpty {
            // One field starts at `index`.
            if index < count, bytes[index] == quote {
                recordHasQuotes = true
                let openedOn = line
                index += 1
                scratch.removeAll(keepingCapacity: true)
                var segment = index
                while true {
                    guard index < count else {
                        throw CallsheetError(.malformedCSV, "line \(openedOn): a quoted field is never closed; every \" that opens a field needs a closing \"")
                    }
                    let byte = bytes[index]
                    if byte == quote {
                        if index + 1 < count, bytes[index + 1] == quote {
                            scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment...index]))
                            index += 2
                            segment = index
                            continue
                        }
                        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[segment..<index]))
                        index += 1
                        break
                    }
                    if byte == lf || (byte == cr && !(index + 1 < count && bytes[index + 1] == lf)) { line += 1 }
                    index += 1
                }
                fields.append(String(decoding: scratch, as: UTF8.self))
                if index < count, bytes[index] != comma, bytes[index] != cr, bytes[index] != lf {
                    throw CallsheetError(.malformedCSV, "line \(line): text after the closing quote of field \(fields.count); a quote inside a quoted field is written twice (\"\")")
                }
            } else {
                let start = index
                while index < count {
                    let byte = bytes[index]
                    if byte == comma || byte == cr || byte == lf { break }
                    index += 1
                }
                fields.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
            }
            guard fields.count <= maximumColumns else {
                throw CallsheetError(.malformedCSV, "line \(recordLine) has more than \(maximumColumns) columns; a contact list has a few dozen at most")
            }
            // The delimiter after the field.
            if index < count, bytes[index] == comma {
                index += 1
                guard index == count else { continue }
                // A comma ending the file ends an empty last field, which counts toward the limit
                // too (found by scripts/fuzz csv: 1,000 fields and a final comma read as 1,001).
                guard fields.count < maximumColumns else {
                    throw CallsheetError(.malformedCSV, "line \(recordLine) has more than \(maximumColumns) columns; a contact list has a few dozen at most")
                }
                fields.append("")
            }
            if index < count, bytes[index] == cr { index += 1 }
            if index < count, bytes[index] == lf { index += 1 }
            let blank = fields.count == 1 && fields[0].isEmpty && !recordHasQuotes
            if !blank {
                // The header is one record more than the rows.
                guard records.count <= maxRows else {
                    throw CallsheetError(.limit, "the file has more than \(maxRows) rows; this organization imports at most \(maxRows) at once (ORG.SET max_import_rows, admins)")
                }
                records.append(CSVRecord(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            recordHasQuotes = false
            line += 1
            recordLine = line
            if index >= count { break }
        }
        return records
    }

    /// The 1-based line of byte `offset`, counting LF, CRLF and lone CR.
    static func lineNumber(of offset: Int, in bytes: [UInt8]) -> Int {
        var line = 1
        var index = 0
        while index < offset, index < bytes.count {
            if bytes[index] == lf || (bytes[index] == cr && !(index + 1 < bytes.count && bytes[index + 1] == lf)) { line += 1 }
            index += 1
        }
        return line
    }
}
