import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// Exports end to end through the executor on a real data directory: scope, selections, columns,
/// formula injection, chunked download, round trip through the import, and the files read by
/// real readers (Python's openpyxl and vobject).
@Suite struct ExportTests {
    typealias Store = CommandsEndToEndTests.Store
    static func code(_ reply: RESPValue) -> String? { CommandsEndToEndTests.code(reply) }
    static func phone(_ n: Int) -> String { CommandsEndToEndTests.phone(n) }

    /// Runs an export to its end and downloads it with `EXPORT.FETCH`, chunk by chunk.
    static func export(_ store: Store, _ session: inout Session, _ arguments: [String]) async throws -> [UInt8] {
        let started = try store.json(await store.run(&session, ["EXPORT.START"] + arguments))
        guard case .integer(let job)? = started["job"] else { throw CallsheetError(.internal, "EXPORT.START \(arguments): \(started.serialized)") }
        for _ in 0..<600 {
            let status = try store.json(await store.run(&session, ["EXPORT.STATUS", String(job)]))
            if status["state"] == .string("done") { break }
            if status["state"] != .string("running") { throw CallsheetError(.internal, "export \(job): \(status.serialized)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        var bytes: [UInt8] = []
        var cursor = "0"
        repeat {
            let reply = await store.run(&session, ["EXPORT.FETCH", String(job), "CURSOR", cursor])
            guard case .array(let parts) = reply, parts.count == 2, case .bulkString(let next) = parts[0], case .bulkString(let chunk) = parts[1] else {
                throw CallsheetError(.internal, "EXPORT.FETCH: \(reply)")
            }
            bytes += chunk
            cursor = String(decoding: next, as: UTF8.self)
        } while cursor != "0"
        return bytes
    }

    static func store() async throws -> (Store, Session, Session) {
        let store = try await Store()
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"score","type":"integer","label":"Score"}"#])) == nil)
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"renewal","type":"date","label":"Renewal"}"#])) == nil)
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"secret","type":"text","visible_to":["admin"]}"#])) == nil)
        var bob = await store.signIn("bob"), carol = await store.signIn("carol")
        _ = try await store.add(&bob, #"{"name":"=HYPERLINK(\"http://x\",\"y\")","phone":"\#(Self.phone(1))","email":"a@example.com","tags":["VIP","Q4"],"notes":"line 1\nline 2, \"quoted\"","custom_fields":{"score":-5,"renewal":"2027-01-31"}}"#)
        _ = try await store.add(&bob, #"{"name":"Sal Smith","phone":"+442071234567","company":"Acme; Ltd","tags":["VIP"]}"#)
        _ = try await store.add(&bob, #"{"name":"@Archived","phone":"\#(Self.phone(3))"}"#)
        _ = await store.run(&bob, ["CONTACT.DELETE", "3"])
        _ = try await store.add(&bob, #"{"name":"Dee Nocall","phone":"\#(Self.phone(4))"}"#)
        _ = await store.run(&bob, ["DNC.ADD", Self.phone(4)])
        _ = try await store.add(&carol, #"{"name":"Sue Support","phone":"\#(Self.phone(9))"}"#)
        _ = await store.run(["CONTACT.UPDATE", "2", #"{"custom_fields":{"secret":"s3"}}"#])
        return (store, bob, carol)
    }

    static func csvRows(_ bytes: [UInt8]) throws -> [[String]] {
        try CSVReader.read(bytes).records.map(\.fields)
    }

    @Test("CSV: a manager's department only, every contact for a full export, a selection leaves archived and DNC out, columns chosen, formulas neutralised")
    func csv() async throws {
        let (store, bob, carol) = try await Self.store()
        var session = bob
        let all = try await Self.export(store, &session, ["csv"])
        let text = String(decoding: all, as: UTF8.self)
        #expect(text.hasPrefix("Name,Phone,Email,Company,Tags,Score,Renewal,Date Added,Last Call Date,Last Call Outcome,Notes\r\n"), "\(text.prefix(200))")
        #expect(!text.contains("Sue Support") && !text.contains("secret") && !text.contains("s3"), "scope and field visibility")
        let rows = try Self.csvRows(all)
        #expect(rows.map { $0[0] } == [#"'=HYPERLINK("http://x","y")"#, "Sal Smith", "'@Archived", "Dee Nocall"])
        #expect(rows[0][1] == "'" + Self.phone(1) && rows[0][4] == "VIP, Q4" && rows[0][5] == "-5" && rows[0][10] == "line 1\nline 2, \"quoted\"")
        // A selection: the archived and the listed contact are out unless asked in.
        var again = bob
        let vip = try Self.csvRows(try await Self.export(store, &again, ["csv", "MATCH", "*", "TAGS", "ANY", "VIP", "COLUMNS", "name,phone,id"]))
        #expect(vip == [[#"'=HYPERLINK("http://x","y")"#, "'" + Self.phone(1), "1"], ["Sal Smith", "'+442071234567", "2"]])
        let selected = try Self.csvRows(try await Self.export(store, &again, ["csv", "MATCH", "*", "COLUMNS", "name"]))
        #expect(selected.map { $0[0] } == [#"'=HYPERLINK("http://x","y")"#, "Sal Smith"])
        let with = try Self.csvRows(try await Self.export(store, &again, ["csv", "IDS", "3,4,9", "ARCHIVED", "include", "DNC", "include", "COLUMNS", "name,dnc"]))
        #expect(with == [["'@Archived", "no"], ["Dee Nocall", "yes"]])
        // Options: a byte-order mark for Excel, a semicolon.
        let semicolon = try await Self.export(store, &again, ["csv", "IDS", "2", "COLUMNS", "name,company", "BOM", "DELIMITER", "semicolon"])
        #expect(Array(semicolon.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(String(decoding: semicolon.dropFirst(3), as: UTF8.self) == "Name;Company\r\nSal Smith;\"Acme; Ltd\"\r\n")
        // Refusals, cheap ones first.
        var agent = await store.signIn("dave")
        #expect(Self.code(await store.run(&agent, ["EXPORT.START", "csv"])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&again, ["EXPORT.START", "pdf"])) == "WRONG_ARGS")
        #expect(Self.code(await store.run(&again, ["EXPORT.START", "csv", "COLUMNS", "secret"])) == "INVALID_FIELD")
        #expect(Self.code(await store.run(&again, ["EXPORT.START", "csv", "COLUMNS", "name", "SIDEWAYS"])) == "WRONG_ARGS")
        // Another manager sees neither the job nor its file.
        var other = carol
        let jobs = try store.json(await store.run(&again, ["EXPORT.JOBS"]))
        guard case .array(let list) = jobs, case .integer(let job)? = list.first?["job"] else { Issue.record("\(jobs.serialized)"); return }
        #expect(Self.code(await store.run(&other, ["EXPORT.FETCH", String(job)])) == "NOT_FOUND")
        #expect(try store.json(await store.run(&again, ["EXPORT.CANCEL", String(job)]))["cancelled"] == .bool(true))
        #expect(Self.code(await store.run(&again, ["EXPORT.FETCH", String(job)])) == "CONFLICT")
        await store.close()
    }

    @Test("a user keeps at most 8 exports at once; cancelling one makes room")
    func exportsKeptPerUser() async throws {
        let (store, bob, _) = try await Self.store()
        var session = bob
        for _ in 0..<ExportRunner.maximumKeptPerUser { _ = try await Self.export(store, &session, ["csv", "IDS", "1", "COLUMNS", "name"]) }
        let refused = await store.run(&session, ["EXPORT.START", "csv"])
        #expect(Self.code(refused) == "LIMIT", "\(refused)")
        let jobs = try store.json(await store.run(&session, ["EXPORT.JOBS"]))
        guard case .array(let list) = jobs, case .integer(let job)? = list.last?["job"] else { Issue.record("\(jobs.serialized)"); return }
        _ = await store.run(&session, ["EXPORT.CANCEL", String(job)])
        #expect(Self.code(await store.run(&session, ["EXPORT.START", "csv"])) == nil)
        await store.close()
    }

    @Test("a CSV export imports back into an empty organization with zero errors and the same contacts")
    func roundTrip() async throws {
        let (store, _, _) = try await Self.store()
        var owner = store.owner
        let csv = try await Self.export(store, &owner, ["csv", "ARCHIVED", "exclude"])
        #expect(Self.code(await store.run(["ORG.CREATE", "Copy", "REGION", "US"])) == nil)
        #expect(await store.run(["USE", "Copy"]) == .ok)
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"score","type":"integer","label":"Score"}"#])) == nil)
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"renewal","type":"date","label":"Renewal"}"#])) == nil)
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"secret","type":"text","visible_to":["admin"]}"#])) == nil)
        let text = String(decoding: csv, as: UTF8.self)
        let report = try store.json(await store.run(["IMPORT.VALIDATE", "CSV", text]))
        #expect(report["summary"]?["rejected"] == .integer(0) && report["summary"]?["warnings"] == .integer(0), "\(report.serialized.prefix(800))")
        let commit = try store.json(await store.run(["IMPORT.COMMIT", "CSV", text]))
        #expect(commit["created"] == .integer(4), "\(commit.serialized)")
        let copy = try store.json(await store.run(["CONTACT.GET", "1"]))
        #expect(copy["name"] == .string(#"=HYPERLINK("http://x","y")"#) && copy["phone"] == .string(Self.phone(1)))
        #expect(copy["tags"] == .array([.string("VIP"), .string("Q4")]) && copy["notes"] == .string("line 1\nline 2, \"quoted\""))
        #expect(copy["custom_fields"] == (try JSONValue.parse(#"{"score":-5,"renewal":"2027-01-31"}"#)))
        #expect(try store.json(await store.run(["CONTACT.GET", "2"]))["custom_fields"] == (try JSONValue.parse(#"{"secret":"s3"}"#)))
        await store.close()
    }

    /// Runs `script` with the system's Python (where Debian's python3-openpyxl and python3-vobject live).
    static func python(_ script: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", script] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CallsheetError(.internal, "python: \(String(decoding: err, as: UTF8.self))") }
        return String(decoding: out, as: UTF8.self)
    }

    @Test("Excel: openpyxl reads it; phones are strings, dates are dates, the header bold and frozen, formulas inert")
    func xlsx() async throws {
        let (store, bob, _) = try await Self.store()
        var session = bob
        let bytes = try await Self.export(store, &session, ["xlsx"])
        let path = NSTemporaryDirectory() + "callsheet-export-\(UUID().uuidString).xlsx"
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let script = """
        import sys, json, datetime, openpyxl
        ws = openpyxl.load_workbook(sys.argv[1]).active
        rows = list(ws.iter_rows(values_only=True))
        print(json.dumps({"header": list(rows[0]), "bold": ws["A1"].font.b, "freeze": ws.freeze_panes,
          "names": [r[0] for r in rows[1:]], "phones": [r[1] for r in rows[1:]],
          "phone_types": [type(r[1]).__name__ for r in rows[1:]],
          "renewal": rows[1][6].isoformat() if isinstance(rows[1][6], datetime.datetime) else repr(rows[1][6]),
          "added_type": type(rows[1][7]).__name__, "score": rows[1][5], "formulas": [c.data_type for c in ws[2]]}))
        """
        let result = try JSONValue.parse(try Self.python(script, [path]))
        #expect(result["bold"] == .bool(true) && result["freeze"] == .string("A2"))
        #expect(result["phones"] == .array([.string(Self.phone(1)), .string("+442071234567"), .string(Self.phone(3)), .string(Self.phone(4))]))
        #expect(result["phone_types"] == .array(Array(repeating: .string("str"), count: 4)))
        #expect(result["renewal"] == .string("2027-01-31T00:00:00") && result["added_type"] == .string("datetime") && result["score"] == .integer(-5))
        guard case .array(let names)? = result["names"] else { Issue.record("\(result.serialized)"); return }
        #expect(names.first == .string(#"'=HYPERLINK("http://x","y")"#))
        guard case .array(let types)? = result["formulas"] else { Issue.record("\(result.serialized)"); return }
        #expect(!types.contains(.string("f")), "no cell is a formula: \(types)")
        await store.close()
    }

    @Test("vCard 3.0 and 4.0: vobject parses every card, with every phone and email")
    func vcard() async throws {
        let (store, bob, _) = try await Self.store()
        for version in ["3.0", "4.0"] {
            var session = bob
            let bytes = try await Self.export(store, &session, ["vcard", "VERSION", version])
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.split(separator: "\r\n").allSatisfy { $0.utf8.count <= 75 }, "lines folded at 75 octets")
            let path = NSTemporaryDirectory() + "callsheet-export-\(UUID().uuidString).vcf"
            FileManager.default.createFile(atPath: path, contents: Data(bytes))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let script = """
            import sys, json, vobject
            cards = list(vobject.readComponents(open(sys.argv[1], encoding="utf-8").read()))
            print(json.dumps([{"fn": c.fn.value, "tel": c.tel.value, "email": c.email.value if hasattr(c, "email") else None,
              "version": c.version.value, "note": c.note.value if hasattr(c, "note") else None,
              "categories": c.categories.value if hasattr(c, "categories") else None,
              "score": c.contents["x-callsheet-score"][0].value if "x-callsheet-score" in c.contents else None} for c in cards]))
            """
            let cards = try JSONValue.parse(try Self.python(script, [path]))
            guard case .array(let list) = cards else { Issue.record("\(cards.serialized)"); continue }
            #expect(list.count == 4)
            #expect(list.first?["fn"] == .string(#"=HYPERLINK("http://x","y")"#) && list.first?["email"] == .string("a@example.com"))
            #expect(list.first?["note"] == .string("line 1\nline 2, \"quoted\"") && list.first?["score"] == .string("-5") && list.first?["version"] == .string(version))
            #expect(list.first?["categories"] == .array([.string("VIP"), .string("Q4")]))
            let tels = list.compactMap { if case .string(let tel)? = $0["tel"] { tel } else { nil } }
            #expect(tels.count == 4 && tels[1].hasSuffix("+442071234567"), "\(tels)")
        }
        await store.close()
    }
}
