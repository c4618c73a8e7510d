import CallsheetCore
import CallsheetStore
import Foundation
import Testing

/// Preview → validate → commit through the command language, on a real data directory.
struct ImportFlowTests {
    @Test func previewShowsColumnsRowsAndSuggestedMapping() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        let preview = try await store.json(["IMPORT.PREVIEW", "FILE", Fixture.path("synonyms-first-last-mobile.csv"), "ROWS", "1"])
        #expect(preview["row_count"]?.int == 2)
        #expect(preview["rows"]?.array.count == 1)
        func target(_ column: String) -> String? {
            guard case .array(let entries)? = preview["suggested_mapping"] else { return nil }
            return entries.first { $0["column"]?.string == column }?["target"]?.string
        }
        #expect(target("First Name") == "first_name")
        #expect(target("Mobile") == "phone")
        #expect(target("Fax") == "ignore")
    }

    @Test func validateIsADryRunWithOneOutcomePerRow() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["CONTACT.ADD", #"{"name":"Existing","phone":"+16502530005"}"#])
        let before = try await store.contactCount()
        let report = try await store.json(["IMPORT.VALIDATE", "FILE", Fixture.path("invalid-rows-with-reasons.csv")])
        let rows = report["rows"]?.array ?? []
        #expect(rows.map { $0["row"]?.int } == [2, 3, 4, 5, 6])
        #expect(rows.map { $0["outcome"]?.string } == ["error", "error", "error", "error", "skip"])
        let codes = rows.prefix(4).map { $0["errors"]?.array.first?["code"]?.string }
        #expect(codes == ["MISSING_NAME", "MISSING_PHONE", "INVALID_PHONE", "INVALID_EMAIL"])
        #expect(rows[2]["errors"]?.array.first?["column"]?.string == "Phone")
        #expect(rows[4]["duplicate_of_contact"]?.int == 1)
        #expect(report["summary"]?["rejected"]?.int == 4)
        #expect(try await store.contactCount() == before)
    }

    @Test func commitLenientImportsGoodRowsAndReportsTheRest() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        let summary = try await store.json(["IMPORT.COMMIT", "FILE", Fixture.path("invalid-rows-with-reasons.csv"), "LENIENT"])
        #expect(summary["created"]?.int == 1 && summary["rejected"]?.int == 4 && summary["state"]?.string == "completed")
        #expect(try await store.contactCount() == 1)
        let job = summary["job_id"]?.int ?? 0
        let csv = try await store.ok(["IMPORT.ERRORS", String(job)])
        let lines = csv.split(separator: "\r\n")
        #expect(lines.first == "row,column,code,reason")
        #expect(lines.count == 5)
        #expect(lines[1].hasPrefix("2,Name,MISSING_NAME,"))
    }

    @Test func strictRejectsTheWholeImport() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        #expect(await store.errorCode(["IMPORT.COMMIT", "FILE", Fixture.path("invalid-rows-with-reasons.csv"), "STRICT"]) == "IMPORT_REJECTED")
        #expect(try await store.contactCount() == 0)
        try await store.ok(["IMPORT.SETTINGS", "strictness", "strict"])
        #expect(await store.errorCode(["IMPORT.COMMIT", "FILE", Fixture.path("invalid-rows-with-reasons.csv")]) == "IMPORT_REJECTED")
    }

    @Test func duplicatePoliciesSkipUpdateAsk() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["CONTACT.ADD", #"{"name":"Old Ann","phone":"+16502530001","email":"keep@example.com","company":"Keep Co","tags":["Old"]}"#])
        let file = try store.file("dups.csv", "Name,Phone,Email,Company,Tags\nNew Ann,(650) 253-0001,,New Co,Fresh\nBen Ito,+16502530002,,,\n")

        let asked = try await store.json(["IMPORT.COMMIT", "FILE", file, "DUPLICATES", "ask"])
        #expect(asked["state"]?.string == "needs_review")
        #expect(asked["duplicates"]?.array.first?["duplicate_of_contact"]?.int == 1)
        #expect(try await store.contactCount() == 1)

        let skipped = try await store.json(["IMPORT.COMMIT", "FILE", file, "DUPLICATES", "skip", "NOTAG"])
        #expect(skipped["created"]?.int == 1 && skipped["skipped"]?.int == 1)
        #expect(try await store.json(["CONTACT.GET", "1"])["name"]?.string == "Old Ann")

        let updated = try await store.json(["IMPORT.COMMIT", "FILE", file, "DUPLICATES", "update", "TAG", "Imported-{month}"])
        #expect(updated["updated"]?.int == 2 && updated["created"]?.int == 0)
        let ann = try await store.json(["CONTACT.GET", "1"])
        #expect(ann["name"]?.string == "New Ann")
        #expect(ann["company"]?.string == "New Co")
        #expect(ann["email"]?.string == "keep@example.com", "an empty cell never blanks a stored value")
        let tags = ann["tags"]?.array.compactMap(\.string) ?? []
        #expect(tags.contains("Old") && tags.contains("Fresh") && tags.contains { $0.hasPrefix("Imported-20") })
    }

    @Test func duplicatesWithinTheFileNameTheirFirstRow() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        let report = try await store.json(["IMPORT.VALIDATE", "FILE", Fixture.path("duplicates-within-file.csv")])
        let rows = report["rows"]?.array ?? []
        #expect(rows[1]["duplicate_of_row"]?.int == 2)
        #expect(rows.map { $0["outcome"]?.string } == ["create", "skip", "create"])
    }

    @Test func spreadsheetDamageIsRecognised() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        let report = try await store.json(["IMPORT.VALIDATE", "FILE", Fixture.path("spreadsheet-damage.csv")])
        let rows = report["rows"]?.array ?? []
        #expect(rows.map { $0["outcome"]?.string } == ["error", "create", "error", "create"])
        #expect(rows[0]["errors"]?.array.first?["code"]?.string == "SPREADSHEET_DAMAGE")
        #expect(rows[0]["errors"]?.array.first?["reason"]?.string?.contains("scientific notation") == true)
        #expect(rows[2]["errors"]?.array.first?["reason"]?.string?.contains("+447911123456") == true)
        #expect(report["warnings"]?.array.first?["reason"]?.string?.contains("'.0'") == true)
    }

    @Test func everyFixtureCommitsAsExpected() async throws {
        let expectations: [(String, Int)] = [
            ("quoted-commas-and-doubled-quotes.csv", 3), ("newline-inside-quotes.csv", 3), ("crlf-line-endings.csv", 2),
            ("lf-without-final-newline.csv", 2), ("utf8-bom.csv", 1), ("blank-lines.csv", 2), ("comma-delimited.txt", 1),
            ("too-few-and-too-many-columns.csv", 2), ("synonyms-first-last-mobile.csv", 2),
        ]
        for (name, created) in expectations {
            let store = try await StoreFixture()
            let summary = try await store.json(["IMPORT.COMMIT", "FILE", Fixture.path(name)])
            #expect(summary["created"]?.int == created, "\(name)")
            await store.close()
        }
    }

    @Test func synonymsFillTheContact() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["IMPORT.COMMIT", "FILE", Fixture.path("synonyms-first-last-mobile.csv")])
        let ann = try await store.json(["CONTACT.BYPHONE", "+16502530001"])
        #expect(ann["name"]?.string == "Ann Lee")
        #expect(ann["email"]?.string == "ANN@example.com")
        #expect(ann["company"]?.string == "Acme")
        #expect(ann["tags"]?.array.compactMap(\.string) == ["VIP", "Q4"])
        #expect(ann["notes"]?.string == "likes email")
        #expect(try await store.json(["CONTACT.BYPHONE", "+16502530002"])["name"]?.string == "Ben")
    }

    @Test func customFieldsAreTypeChecked() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["FIELD.CREATE", #"{"name":"account_value","label":"Account Value","type":"decimal"}"#])
        let file = try store.file("custom.csv", "Name,Phone,Account Value\nAnn,+16502530001,1200.50\nBen,+16502530002,lots\n")
        let report = try await store.json(["IMPORT.VALIDATE", "FILE", file])
        let rows = report["rows"]?.array ?? []
        #expect(rows[0]["outcome"]?.string == "create")
        #expect(rows[1]["errors"]?.array.first?["column"]?.string == "Account Value")
        #expect(rows[1]["errors"]?.array.first?["code"]?.string == "INVALID_FIELD")
    }

    @Test func rowAndByteLimits() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["ORG.SET", "max_import_rows", "2"])
        #expect(await store.errorCode(["IMPORT.COMMIT", "FILE", Fixture.path("quoted-commas-and-doubled-quotes.csv")]) == "LIMIT")
        try await store.ok(["ORG.SET", "max_import_rows", "10"])
        try await store.ok(["ORG.SET", "max_import_bytes", "1024"])
        let big = try store.file("big.csv", "Name,Phone\n" + String(repeating: "Somebody,+16502530001\n", count: 60))
        #expect(await store.errorCode(["IMPORT.VALIDATE", "FILE", big]) == "LIMIT")
        #expect(try await store.contactCount() == 0)
    }

    @Test func invalidEncodingIsAnErrorAndWindows1252IsOptIn() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        #expect(await store.errorCode(["IMPORT.COMMIT", "FILE", Fixture.path("windows-1252-accents.csv")]) == "ENCODING")
        try await store.ok(["IMPORT.COMMIT", "FILE", Fixture.path("windows-1252-accents.csv"), "ENCODING", "windows-1252"])
        #expect(try await store.json(["CONTACT.GET", "1"])["name"]?.string == "José Ruíz")
    }

    @Test func bulkCreatesAndReportsPerItemErrors() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        let reply = try await store.json(["CONTACT.BULK", #"[{"name":"A","phone":"+16502530001"},{"name":"B","phone":"12"},{"name":"C","phone":"(650) 253-0001"},{"phone":"+16502530003"},{"name":"D","phone":"+16502530004","tags":["x"]}]"#])
        #expect(reply["created"]?.int == 2)
        #expect(reply["errors"]?.array.map { $0["index"]?.int } == [1, 2, 3])
        #expect(reply["errors"]?.array.map { $0["code"]?.string } == ["INVALID_PHONE", "DUPLICATE_PHONE", "INVALID_FIELD"])
        #expect(try await store.contactCount() == 2)
    }

    @Test func filePathsAreForTheLocalOwnerOnly() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        let secret = try await store.json(["USER.CREATE", "boss", "ROLE", "admin"])["secret"]?.string ?? ""
        var remote = Session(isLocalOwner: false)
        _ = await store.executor.execute(["AUTH", "boss", secret], session: &remote)
        #expect(await store.errorCode(["IMPORT.PREVIEW", "FILE", Fixture.path("utf8-bom.csv")], session: &remote) == "FORBIDDEN")
        let csv = String(decoding: try Fixture.bytes("crlf-line-endings.csv"), as: UTF8.self)
        let reply = await store.executor.execute(["IMPORT.COMMIT", "CSV", csv], session: &remote)
        #expect(reply.text?.contains("\"created\":2") == true)
    }
}
