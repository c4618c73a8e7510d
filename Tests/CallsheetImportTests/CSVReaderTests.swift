@testable import CallsheetCore
import Testing

/// Every CSV case of the issue, one fixture each, with the outcome it must have.
struct CSVReaderTests {
    private func read(_ name: String, encoding: CSVEncoding = .utf8) throws -> CSVDocument {
        try CSVReader.read(try Fixture.bytes(name), encoding: encoding)
    }

    /// The column limit counts the empty field a final comma ends (found by scripts/fuzz csv:
    /// 1,000 fields and a comma at the end of the file read as 1,001, which then did not read back).
    @Test func columnLimitCountsTheFieldAFinalCommaEnds() throws {
        let limit = CSVReader.maximumColumns
        let atLimit = Array((Array(repeating: "a", count: limit - 1).joined(separator: ",") + ",").utf8)
        #expect(try CSVReader.read(atLimit, encoding: .utf8).header.count == limit)
        let over = Array((Array(repeating: "a", count: limit).joined(separator: ",") + ",").utf8)
        let error = #expect(throws: CallsheetError.self) { try CSVReader.read(over, encoding: .utf8) }
        #expect(error?.code == .malformedCSV && error?.message.contains("more than \(limit) columns") == true)
    }

    @Test func quotedCommasAndDoubledQuotes() throws {
        let document = try read("quoted-commas-and-doubled-quotes.csv")
        #expect(document.header == ["Name", "Phone", "Email", "Tags"])
        #expect(document.records.map(\.fields) == [
            ["John Doe", "+16502530010", "john@example.com", "VIP,Q4"],
            ["Smith, Jane", "+16502530011", "jane@example.com", "New Customer"],
            ["Bob \"The Builder\" Ray", "+16502530012", "", ""],
        ])
        #expect(document.records.map(\.line) == [2, 3, 4])
    }

    @Test func lineBreaksInsideQuotesKeepLineNumbers() throws {
        let document = try read("newline-inside-quotes.csv")
        #expect(document.records.map { $0.fields[2] } == ["first line\nsecond line", "a\r\nb", "plain"])
        #expect(document.records.map(\.line) == [2, 4, 6])
    }

    @Test(arguments: ["crlf-line-endings.csv", "lf-without-final-newline.csv", "crlf-without-final-newline.csv"])
    func lineEndings(_ name: String) throws {
        let document = try read(name)
        #expect(document.records.map(\.fields) == [["Ann Lee", "+16502530001"], ["Ben Ito", "+16502530002"]])
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let document = try read("utf8-bom.csv")
        #expect(document.header == ["Name", "Phone"])
        #expect(document.records.first?.fields.first == "Zoë Ångström")
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        let document = try read("blank-lines.csv")
        #expect(document.header == ["Name", "Phone"])
        #expect(document.records.map(\.line) == [4, 7])
    }

    @Test func commaDelimitedTextFile() throws {
        #expect(try read("comma-delimited.txt").records.count == 1)
    }

    @Test func invalidUTF8IsRefusedWithItsOffset() throws {
        let error = #expect(throws: CallsheetError.self) { try read("invalid-utf8-at-offset-14.csv") }
        #expect(error?.code == .encoding)
        #expect(error?.message.contains("offset 14") == true)
        #expect(error?.message.contains("line 2") == true)
    }

    @Test func windows1252IsDecodedWithAWarning() throws {
        let document = try read("windows-1252-accents.csv", encoding: .windows1252)
        #expect(document.records.first?.fields == ["José Ruíz", "+16502530001", "Café €uro"])
        #expect(document.warnings.first?.code == .encoding)
    }

    @Test func utf16IsRefused() throws {
        let error = #expect(throws: CallsheetError.self) { try read("utf16-bom.csv") }
        #expect(error?.code == .encoding)
    }

    @Test func unclosedQuoteNamesItsLine() throws {
        let error = #expect(throws: CallsheetError.self) { try read("unclosed-quote.csv") }
        #expect(error?.code == .malformedCSV)
        #expect(error?.message.hasPrefix("line 3:") == true)
    }

    @Test func textAfterClosingQuoteIsRefused() throws {
        let error = #expect(throws: CallsheetError.self) { try read("text-after-closing-quote.csv") }
        #expect(error?.code == .malformedCSV)
        #expect(error?.message.hasPrefix("line 2:") == true)
    }

    @Test func semicolonSeparatedFileIsExplained() throws {
        let error = #expect(throws: CallsheetError.self) { try read("semicolon-separated.csv") }
        #expect(error?.message.contains("semicolons") == true)
    }

    @Test func emptyFileIsRefused() {
        #expect(throws: CallsheetError.self) { try CSVReader.read([]) }
    }

    @Test func columnCountProblemsAreReportedByRow() throws {
        let document = try read("too-few-and-too-many-columns.csv")
        let layoutState = OrganizationState(organization: Organization(id: 1, name: "T", defaultRegion: "US", createdAt: 0))
        let layout = try layoutState.importLayout(ColumnMapping.suggest(header: document.header, fields: []), for: .owner)
        let checked = document.records.map { OrganizationState.checkRow($0, layout: layout, phones: .init()) }
        let problems = checked.compactMap { row -> (Int, ImportIssue.Code)? in
            guard case .invalid(let line, let issues) = row else { return nil }
            return (line, issues[0].code)
        }
        #expect(problems.map(\.0) == [3, 4])
        #expect(problems.allSatisfy { $0.1 == .columnCount })
    }

    /// The reader agrees with itself fed any split of the file: every byte boundary of a tricky file.
    @Test func generatedFileRoundTrips() throws {
        var text = "Name,Phone,Notes\r\n"
        var expected: [[String]] = []
        for index in 0..<200 {
            let notes = index % 3 == 0 ? "line\nbreak, \"quoted\"" : "n\(index)"
            expected.append(["P \(index)", "+1650253\(String(format4(index)))", notes])
            text += "P \(index),+1650253\(format4(index)),\"\(notes.replacingAll("\"", with: "\"\""))\"\r\n"
        }
        let document = try CSVReader.read(Array(text.utf8))
        #expect(document.records.map(\.fields) == expected)
    }

    private func format4(_ value: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
