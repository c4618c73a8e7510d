import CallsheetCore
import CallsheetProtocol

/// Turns replies into what a person reads: tables for lists of contacts and records,
/// aligned key/value lines for one record, plain words for errors.
/// `plain` mode (standard input not a terminal) prints replies as redis-cli does without a TTY.
struct ReplyRenderer {
    var plain: Bool
    var maximumColumnWidth = 32

    func render(_ reply: RESPValue) -> String {
        if plain { return renderPlain(reply) }
        switch reply {
        case .simpleString(let text): return text
        case .error(let text):
            let code = text.prefix { $0 != " " }
            let message = text.dropFirst(code.count).drop { $0 == " " }
            return "error \(code): \(message)"
        case .integer(let number): return "(integer) \(number)"
        case .null, .nullArray: return "(nil)"
        case .bulkString(let bytes):
            let text = String(decoding: bytes, as: UTF8.self)
            // INFO's CRLF lines read as plain lines in a terminal.
            guard let first = text.first, first == "{" || first == "[", let json = try? JSONValue.parse(text) else {
                return text.contains("\r\n") ? text.split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: "\n") : text
            }
            return renderJSON(json)
        case .array(let values):
            if values.isEmpty { return "(empty)" }
            return values.enumerated().map { "\($0.offset + 1)) \(render($0.element))" }.joined(separator: "\n")
        }
    }

    func renderPlain(_ reply: RESPValue) -> String {
        switch reply {
        case .simpleString(let text): return text
        case .error(let text): return "(error) \(text)"
        case .integer(let number): return "\(number)"
        case .null, .nullArray: return "(nil)"
        case .bulkString(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .array(let values): return values.map(renderPlain).joined(separator: "\n")
        }
    }

    func renderJSON(_ json: JSONValue) -> String {
        switch json {
        case .object(let members):
            // A page of a list (CONTACT.LIST, CONTACT.SEARCH, IMPORT.JOBS): the rows as a table,
            // then the page's other members (count, next_cursor) one a line.
            for (list, preferred) in Self.pagedLists {
                guard case .array(let rows)? = json[list] else { continue }
                var text = rows.isEmpty ? "(no \(list))" : table(rows, preferred: preferred)
                for (key, value) in members where key != list && value != .null {
                    text += "\n\(key): \(cell(value))"
                }
                return text
            }
            let width = members.map(\.0.count).max() ?? 0
            return members.map { key, value in
                key.padding(to: width) + "  " + (isScalar(value) ? cell(value, limit: 200) : value.serialized)
            }.joined(separator: "\n")
        case .array(let rows):
            if rows.isEmpty { return "(empty)" }
            if rows.allSatisfy({ if case .object = $0 { true } else { false } }) { return table(rows, preferred: []) }
            return rows.map { cell($0, limit: 200) }.joined(separator: "\n")
        default:
            return cell(json, limit: 200)
        }
    }

    /// Members that hold a page of rows, with the columns shown first.
    private static let pagedLists: [(String, [String])] = [
        ("contacts", ["id", "name", "phone", "email", "company", "tags"]),
        ("jobs", ["job_id", "state", "user", "source", "total_rows", "created", "updated", "skipped", "rejected", "started_at"]),
    ]

    private func isScalar(_ value: JSONValue) -> Bool {
        switch value {
        case .object: false
        case .array(let elements): elements.allSatisfy { if case .string = $0 { true } else { false } }
        default: true
        }
    }

    /// A table of objects: preferred columns first, then other scalar members in first-seen order.
    func table(_ rows: [JSONValue], preferred: [String]) -> String {
        var columns: [String] = []
        for row in rows {
            guard case .object(let members) = row else { continue }
            for (key, value) in members where !columns.contains(key) && isScalar(value) {
                if preferred.isEmpty || preferred.contains(key) { columns.append(key) }
            }
        }
        if !preferred.isEmpty { columns = preferred.filter { columns.contains($0) } }
        let cells: [[String]] = rows.map { row in columns.map { row[$0].map { cell($0) } ?? "" } }
        var widths = columns.map(\.count)
        for line in cells {
            for (index, text) in line.enumerated() { widths[index] = max(widths[index], text.count) }
        }
        func format(_ line: [String]) -> String {
            line.enumerated().map { $0.element.padding(to: widths[$0.offset]) }.joined(separator: " │ ")
        }
        var lines = [format(columns), widths.map { String(repeating: "─", count: $0) }.joined(separator: "─┼─")]
        lines.append(contentsOf: cells.map(format))
        lines.append("(\(rows.count) row\(rows.count == 1 ? "" : "s"))")
        return lines.joined(separator: "\n")
    }

    func cell(_ value: JSONValue, limit: Int? = nil) -> String {
        let text: String
        switch value {
        case .null: text = ""
        case .bool(let flag): text = flag ? "yes" : "no"
        case .integer(let number): text = String(number)
        case .double(let number): text = String(number)
        case .number(let number): text = number
        case .string(let string): text = string.replacingNewlines()
        case .array(let elements): text = elements.map { cell($0) }.joined(separator: ", ")
        case .object: text = value.serialized
        }
        let maximum = limit ?? maximumColumnWidth
        return text.count > maximum ? String(text.prefix(maximum - 1)) + "…" : text
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
