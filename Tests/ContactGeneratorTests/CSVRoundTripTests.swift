import ContactGenerator
import Foundation
import Testing

@Suite("CSV")
struct CSVRoundTripTests {
    @Test("a streamed file reads back, field for field, with an RFC 4180 reader")
    func fileRoundTrip() throws {
        try withTemporaryDirectory { directory in
            let bytes = try writeCSVFile(count: 5_000, seed: 11, in: directory)
            let records = try RFC4180Reader.records(bytes)
            let contacts = ContactGenerator.contacts(count: 5_000, seed: 11)
            #expect(records.count == 5_001)
            #expect(records.first == ContactCSV.header.split(separator: ",").map(String.init))
            for (record, contact) in zip(records.dropFirst(), contacts) {
                let expected = [
                    contact.name, contact.phone, contact.email ?? "", contact.company ?? "",
                    contact.tags.joined(separator: ","), contact.notes ?? "",
                ]
                #expect(record == expected)
                let tags = record[4].isEmpty ? [] : record[4].split(separator: ",").map(String.init)
                #expect(tags == contact.tags)
            }
            // The file really does exercise quoting.
            #expect(records.contains { $0[5].contains("\n") && $0[5].contains("\"") })
            #expect(records.contains { $0[3].contains(",") })
        }
    }

    @Test("row(_:) quotes only what needs quoting", arguments: [
        ("plain", "plain"),
        ("", ""),
        ("Acme Logistics, Inc.", "\"Acme Logistics, Inc.\""),
        ("Asked for \"the usual\"", "\"Asked for \"\"the usual\"\"\""),
        ("line one\nline two", "\"line one\nline two\""),
        ("cr\r", "\"cr\r\""),
        ("José Øberg", "José Øberg"),
        ("(650) 253-0000", "(650) 253-0000"),
    ])
    func fieldQuoting(text: String, expected: String) {
        #expect(ContactCSV.field(text) == expected)
    }

    @Test("a hand-built contact becomes the row a spreadsheet would write")
    func handBuiltRow() throws {
        let contact = GeneratedContact(
            name: "Anne-Marie O'Brien", phone: "+44 7911 123456", region: "GB", e164: "+447911123456",
            email: nil, company: "Acme Logistics, Inc.", tags: ["VIP", "Q4-2025-Survey"],
            notes: "Said: \"call me\",\nthen hung up."
        )
        let row = ContactCSV.row(contact)
        #expect(row == "Anne-Marie O'Brien,+44 7911 123456,,\"Acme Logistics, Inc.\",\"VIP,Q4-2025-Survey\",\"Said: \"\"call me\"\",\nthen hung up.\"")
        let parsed = try RFC4180Reader.records(Array((row + ContactCSV.recordTerminator).utf8))
        #expect(parsed == [["Anne-Marie O'Brien", "+44 7911 123456", "", "Acme Logistics, Inc.", "VIP,Q4-2025-Survey", "Said: \"call me\",\nthen hung up."]])
        let single = GeneratedContact(name: "Zoë", phone: "1", region: "US", e164: "+1", tags: ["VIP"])
        #expect(ContactCSV.row(single) == "Zoë,1,,,VIP,")
    }

    @Test("the reader rejects what RFC 4180 forbids, so the round trip proves something")
    func readerIsStrict() {
        for bad in ["a\"b\r\n", "\"a\"b\r\n", "a,b\n", "\"open\r\n", "a,b"] {
            #expect(throws: RFC4180Reader.Malformed.self) { try RFC4180Reader.records(Array(bad.utf8)) }
        }
    }
}
