/// A strict RFC 4180 reader, written here so the writer is checked against an independent
/// implementation: records end with CRLF, quoted fields may hold commas, CR, LF and doubled
/// quotes, and anything else (a bare quote inside an unquoted field, text after a closing
/// quote, a bare LF between records) is an error.
struct RFC4180Reader {
    struct Malformed: Error, CustomStringConvertible {
        var offset: Int
        var reason: String
        var description: String { "malformed CSV at byte \(offset): \(reason)" }
    }

    static func records(_ bytes: [UInt8]) throws -> [[String]] {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [[String]] = []
        var record: [String] = []
        var field: [UInt8] = []
        var index = 0

        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll()
        }
        while index < bytes.count {
            if bytes[index] == quote {
                index += 1
                while true {
                    guard index < bytes.count else { throw Malformed(offset: index, reason: "unterminated quote") }
                    if bytes[index] == quote {
                        if index + 1 < bytes.count, bytes[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    field.append(bytes[index])
                    index += 1
                }
            } else {
                while index < bytes.count, bytes[index] != comma, bytes[index] != cr {
                    if bytes[index] == quote || bytes[index] == lf {
                        throw Malformed(offset: index, reason: "quote or line feed in an unquoted field")
                    }
                    field.append(bytes[index])
                    index += 1
                }
            }
            guard index < bytes.count else { throw Malformed(offset: index, reason: "last record lacks CRLF") }
            if bytes[index] == comma {
                endField()
                index += 1
            } else if bytes[index] == cr, index + 1 < bytes.count, bytes[index + 1] == lf {
                endField()
                records.append(record)
                record.removeAll()
                index += 2
            } else {
                throw Malformed(offset: index, reason: "expected a comma or CRLF after a field")
            }
        }
        return records
    }
}
