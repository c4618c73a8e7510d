import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import CallsheetStore
import Foundation
import Testing

/// Calls, do-not-call, consent, campaigns, retention and erasure end to end through the executor
/// on a real data directory, across restarts (journal replay and snapshot load), with roles.
@Suite struct ComplianceTests {
    typealias Store = CommandsEndToEndTests.Store

    static func code(_ reply: RESPValue) -> String? { CommandsEndToEndTests.code(reply) }
    static func phone(_ n: Int) -> String { CommandsEndToEndTests.phone(n) }

    static func ids(_ value: JSONValue?, _ key: String = "id") -> [Int64] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { if case .integer(let id)? = $0[key] { id } else { nil } }
    }

    @Test("call history: agents log calls of contacts they can read, newest first, paged, across journal replay and snapshot load; scope holds")
    func callHistory() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob"), dave = await store.signIn("dave"), carol = await store.signIn("carol")
        let sal = try await store.add(&bob, #"{"name":"Sal","phone":"\#(Self.phone(1))"}"#)
        let sue = try await store.add(&carol, #"{"name":"Sue","phone":"\#(Self.phone(2))"}"#)
        // Out of order on purpose: history orders by the call's time, not by when it was logged.
        for (at, outcome) in [("2026-03-01T10:00:00Z", "voicemail"), ("2026-05-01T10:00:00Z", "completed"), ("2026-04-01T10:00:00Z", "no-answer")] {
            let reply = await store.run(&dave, ["CALL.LOG", String(sal), #"{"outcome":"\#(outcome)","at":"\#(at)","duration":42,"notes":"n \#(outcome)","recording_url":"https://rec.example/\#(outcome)"}"#])
            #expect(Self.code(reply) == nil, "\(reply)")
        }
        #expect(Self.code(await store.run(&dave, ["CALL.LOG", String(sue), #"{"outcome":"completed"}"#])) == "NOT_FOUND")
        #expect(Self.code(await store.run(&dave, ["CALL.LOG", String(sal), #"{"outcome":"completed","duration":-1}"#])) == "BAD_REQUEST")
        #expect(Self.code(await store.run(&dave, ["CALL.LOG", String(sal), #"{"outcome":"completed","agent_id":2}"#])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&dave, ["CALL.LOG", String(sal), #"{"outcome":"completed","at":"2999-01-01T00:00:00Z"}"#])) == "BAD_REQUEST")
        #expect(Self.code(await store.run(&carol, ["CALL.LOG", String(sue), #"{"outcome":"completed","direction":"inbound"}"#])) == nil)
        #expect(Self.code(await store.run(&dave, ["CONTACT.LOGCALL", String(sal), "busy", "AT", "2026-02-01T10:00:00Z"])) == nil)

        func check(_ label: String) async throws {
            let contact = try store.json(await store.run(&dave, ["CONTACT.GET", String(sal)]))
            #expect(contact["total_calls"] == .integer(4), "\(label)")
            #expect(contact["last_call_outcome"] == .string("completed"), "\(label)")
            let first = try store.json(await store.run(&dave, ["CALL.HISTORY", String(sal), "LIMIT", "2"]))
            let outcomes = { (page: JSONValue) -> [String] in
                guard case .array(let calls)? = page["calls"] else { return [] }
                return calls.compactMap { if case .string(let outcome)? = $0["outcome"] { outcome } else { nil } }
            }
            #expect(outcomes(first) == ["completed", "no-answer"], "\(label)")
            guard case .string(let cursor)? = first["next_cursor"] else { Issue.record("no cursor \(label)"); return }
            let second = try store.json(await store.run(&dave, ["CALL.HISTORY", String(sal), "LIMIT", "2", "CURSOR", cursor]))
            #expect(outcomes(second) == ["voicemail", "busy"], "\(label)")
            #expect(second["next_cursor"] == .null, "\(label)")
            let since = try store.json(await store.run(&dave, ["CALL.HISTORY", String(sal), "SINCE", "2026-03-15T00:00:00Z"]))
            #expect(outcomes(since) == ["completed", "no-answer"], "\(label)")
            let with = try store.json(await store.run(&dave, ["CONTACT.GET", String(sal), "WITH", "CALLS", "1"]))
            #expect(outcomes(with) == ["completed"] && with["more_calls"] == .bool(true) && with["name"] == .string("Sal"), "\(label)")
            guard case .array(let calls)? = first["calls"], let top = calls.first else { return }
            #expect(top["duration"] == .integer(42) && top["notes"] == .string("n completed") && top["agent"] == .string("dave") && top["kind"] == .string("manual"), "\(label): \(top.serialized)")
            // Scope: carol sees neither Sal's history nor Sales' calls; bob sees Sales' only, an admin all.
            #expect(Self.code(await store.run(&carol, ["CALL.HISTORY", String(sal)])) == "NOT_FOUND", "\(label)")
            var carolCopy = carol
            let carolList = try store.json(await store.run(&carolCopy, ["CALL.LIST"]))
            #expect(Self.ids(carolList["calls"], "contact_id") == [Int64(sue)], "\(label)")
            var bobCopy = bob
            let bobList = try store.json(await store.run(&bobCopy, ["CALL.LIST", "OUTCOME", "completed,busy"]))
            #expect(Self.ids(bobList["calls"], "contact_id") == [Int64(sal), Int64(sal)], "\(label)")
            let all = try store.json(await store.run(["CALL.LIST", "KIND", "inbound"]))
            #expect(Self.ids(all["calls"], "contact_id") == [Int64(sue)], "\(label)")
            #expect(Self.code(await store.run(&bobCopy, ["CALL.LIST", "DEPT", "3"])) == "FORBIDDEN", "\(label)")
        }
        try await check("before a restart")
        try await store.reopen()
        bob = await store.signIn("bob"); dave = await store.signIn("dave"); carol = await store.signIn("carol")
        try await check("after journal replay")
        #expect(Self.code(await store.run(["SNAPSHOT"])) == nil)
        try await store.reopen()
        bob = await store.signIn("bob"); dave = await store.signIn("dave"); carol = await store.signIn("carol")
        try await check("after a snapshot load")

        // A contact removed for good keeps its calls, unlinked; an admin still lists them.
        #expect(await store.run(["CONTACT.DELETE", String(sal), "PERMANENT"]) == .integer(1))
        let list = try store.json(await store.run(["CALL.LIST", "OUTCOME", "busy"]))
        guard case .array(let calls)? = list["calls"], let call = calls.first else { Issue.record("\(list.serialized)"); return }
        #expect(call["contact_removed"] == .bool(true) && call["contact_id"] == .integer(Int64(sal)))
        await store.close()
    }

    @Test("do-not-call: numbers, prefixes and contacts; the DNC tag kept in step; a listed number added later is flagged; CALLABLE and DNC.CHECK; roles")
    func doNotCall() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob"), dave = await store.signIn("dave"), carol = await store.signIn("carol")
        let sal = try await store.add(&bob, #"{"name":"Sal","phone":"\#(Self.phone(1))"}"#)
        let sam = try await store.add(&bob, #"{"name":"Sam","phone":"\#(Self.phone(3))"}"#)
        let sue = try await store.add(&carol, #"{"name":"Sue","phone":"\#(Self.phone(2))"}"#)
        // A number that is no contact is the organization's: admins only.
        #expect(Self.code(await store.run(&bob, ["DNC.ADD", Self.phone(5)])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&bob, ["DNC.ADD", "+1650*"])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&bob, ["DNC.ADD", "contact:\(sue)"])) == "NOT_FOUND")
        #expect(Self.code(await store.run(&dave, ["DNC.ADD", "contact:\(sal)"])) == "FORBIDDEN")
        #expect(Self.code(await store.run(["DNC.ADD", Self.phone(5), "REASON", "asked on the phone", "SOURCE", "call 7"])) == nil)
        // Bob lists his own contact by number; it is tagged at once.
        let added = try store.json(await store.run(&bob, ["DNC.ADD", "(650) 253-1001"]))
        #expect(added["contacts_tagged"] == .integer(1))
        // A listed number added as a contact later is flagged at once, and keeps the tag.
        let late = try await store.add(&bob, #"{"name":"Late","phone":"\#(Self.phone(5))"}"#)
        let lateContact = try store.json(await store.run(&bob, ["CONTACT.GET", String(late)]))
        #expect(lateContact["tags"] == .array([.string("DNC")]) && lateContact["dnc"] == .bool(true))
        _ = await store.run(&bob, ["CONTACT.UPDATE", String(late), #"{"tags":[]}"#])
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(late)]))["tags"] == .array([.string("DNC")]))
        _ = await store.run(&bob, ["CONTACT.BULKEDIT", "IDS", String(late), "DO", "REMOVETAGS", "DNC"])
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(late)]))["dnc"] == .bool(true))

        func check(_ label: String) async throws {
            let callable = try store.json(await store.run(&bob, ["CONTACT.SEARCH", "*", "CALLABLE"]))
            #expect(Self.ids(callable["contacts"]) == [Int64(sam)], "\(label): \(callable.serialized)")
            let check = try store.json(await store.run(&dave, ["DNC.CHECK", Self.phone(1)]))
            #expect(check["dnc"] == .bool(true) && check["callable"] == .bool(false) && check["contact_id"] == .integer(Int64(sal)), "\(label)")
            let free = try store.json(await store.run(&dave, ["DNC.CHECK", Self.phone(3)]))
            #expect(free["dnc"] == .bool(false) && free["callable"] == .bool(true), "\(label)")
            // Another department's number: its listing, not the contact.
            let other = try store.json(await store.run(&dave, ["DNC.CHECK", Self.phone(2)]))
            #expect(other["contact_id"] == nil && other["dnc"] == .bool(false), "\(label)")
            let list = try store.json(await store.run(["DNC.LIST"]))
            guard case .array(let entries)? = list["entries"] else { Issue.record("\(label): \(list.serialized)"); return }
            #expect(entries.compactMap { if case .string(let key)? = $0["key"] { key } else { nil } } == [Self.phone(1), Self.phone(5)], "\(label)")
            #expect(entries.last?["reason"] == .string("asked on the phone") && list["numbers"] == .integer(2), "\(label)")
            #expect(try store.json(await store.run(&dave, ["DNC.LIST"]))["numbers"] == nil, "\(label): counts are an admin's")
        }
        try await check("before a restart")
        try await store.reopen()
        bob = await store.signIn("bob"); dave = await store.signIn("dave"); carol = await store.signIn("carol")
        try await check("after journal replay")
        #expect(Self.code(await store.run(["SNAPSHOT"])) == nil)
        try await store.reopen()
        bob = await store.signIn("bob"); dave = await store.signIn("dave")
        try await check("after a snapshot load")

        // DNC.REMOVE takes the tag off; a prefix lists whole ranges, checked at read time.
        #expect(try store.json(await store.run(&bob, ["DNC.REMOVE", Self.phone(1)]))["contacts_untagged"] == .integer(1))
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(sal)]))["tags"] == .array([]))
        #expect(Self.code(await store.run(&bob, ["DNC.REMOVE", Self.phone(1)])) == "NOT_FOUND")
        #expect(try store.json(await store.run(["DNC.ADD", "+1650253*", "REASON", "range"]))["contacts_tagged"] == .integer(3))
        #expect(try store.json(await store.run(&dave, ["DNC.CHECK", "+16502539999"]))["dnc"] == .bool(true))
        // A contact listed by the prefix cannot be taken off alone.
        #expect(Self.code(await store.run(&bob, ["DNC.ADD", "contact:\(sam)"])) == nil)
        #expect(Self.code(await store.run(&bob, ["DNC.REMOVE", "contact:\(sam)"])) == "CONFLICT")
        // A registry file: quoted cells, a header, bad rows reported by line, duplicates once.
        let csv = "Name,Phone\n\"Doe, Jane\",\"+1 (212) 555-0100\"\nX,not a number\nY,+12125550100\nZ,\n"
        let imported = try store.json(await store.run(["DNC.IMPORT", csv, "SOURCE", "national registry"]))
        #expect(imported["numbers"] == .integer(1) && imported["rejected"] == .integer(2), "\(imported.serialized)")
        guard case .array(let rejected)? = imported["rejected_rows"] else { return }
        #expect(Self.ids(.array(rejected), "line") == [3, 5])
        #expect(Self.code(await store.run(&bob, ["DNC.IMPORT", "+12125550101"])) == "FORBIDDEN")
        await store.close()
    }

    @Test("consent: history and current state, withdrawal makes a contact uncallable, across a restart")
    func consent() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob"), dave = await store.signIn("dave")
        let sal = try await store.add(&bob, #"{"name":"Sal","phone":"\#(Self.phone(1))"}"#)
        #expect(Self.code(await store.run(&dave, ["CONSENT.SET", String(sal), "phone", "marketing", "WITHDRAWN"])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&bob, ["CONSENT.SET", String(sal), "phone", "marketing", "GRANTED", "SOURCE", "web form", "AT", "2026-01-01T00:00:00Z"])) == nil)
        #expect(Self.code(await store.run(&bob, ["CONSENT.SET", String(sal), "phone", "marketing", "WITHDRAWN", "SOURCE", "call 9"])) == nil)
        #expect(Self.code(await store.run(&bob, ["CONSENT.SET", String(sal), "email", "service", "GRANTED"])) == nil)
        #expect(Self.code(await store.run(&bob, ["CONSENT.SET", String(sal), "phone", "bad channel!", "GRANTED"])) == "BAD_REQUEST")
        try await store.reopen()
        bob = await store.signIn("bob"); dave = await store.signIn("dave")
        let history = try store.json(await store.run(&dave, ["CONSENT.HISTORY", String(sal)]))
        guard case .array(let events)? = history["history"], case .array(let current)? = history["current"] else { Issue.record("\(history.serialized)"); return }
        #expect(events.count == 3 && current.count == 2)
        #expect(current.first?["granted"] == .bool(false) && current.first?["source"] == .string("call 9"))
        #expect(try store.json(await store.run(&bob, ["CONTACT.SEARCH", "*", "CALLABLE"]))["contacts"] == .array([]))
        #expect(try store.json(await store.run(&dave, ["DNC.CHECK", Self.phone(1)]))["callable"] == .bool(false))
        _ = await store.run(&bob, ["CONSENT.SET", String(sal), "phone", "marketing", "GRANTED"])
        #expect(Self.ids(try store.json(await store.run(&bob, ["CONTACT.SEARCH", "*", "CALLABLE"]))["contacts"]) == [Int64(sal)])
        await store.close()
    }

    @Test("campaigns: members, callable at read time, deletes refused while running unless an admin forces, protected contacts")
    func campaigns() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob"), dave = await store.signIn("dave"), carol = await store.signIn("carol")
        var ids: [Int] = []
        for n in 1...4 { ids.append(try await store.add(&bob, #"{"name":"Sal \#(n)","phone":"\#(Self.phone(n))","tags":["Spring"]}"#)) }
        let sue = try await store.add(&carol, #"{"name":"Sue","phone":"\#(Self.phone(9))","tags":["Spring"]}"#)
        _ = await store.run(&bob, ["DNC.ADD", "contact:\(ids[3])"])
        #expect(Self.code(await store.run(&dave, ["CAMPAIGN.CREATE", "Spring push"])) == "FORBIDDEN")
        let created = try store.json(await store.run(&bob, ["CAMPAIGN.CREATE", "Spring push"]))
        #expect(created["status"] == .string("draft") && created["department_id"] == .integer(2))
        let added = try store.json(await store.run(&bob, ["CAMPAIGN.ADD", "Spring push", "MATCH", "*", "TAGS", "Spring"]))
        #expect(added["added"] == .integer(3) && added["skipped"] == .integer(1), "\(added.serialized)")
        #expect(Self.code(await store.run(&carol, ["CAMPAIGN.ADD", "Spring push", "IDS", String(sue)])) == "NOT_FOUND")
        #expect(Self.code(await store.run(&bob, ["CAMPAIGN.PAUSE", "Spring push"])) == "CONFLICT")
        #expect(try store.json(await store.run(&bob, ["CAMPAIGN.START", "Spring push"]))["status"] == .string("active"))
        // Deleting a member of a running campaign names the campaign; only an admin forces it.
        let refused = await store.run(&bob, ["CONTACT.DELETE", String(ids[0])])
        #expect(Self.code(refused) == "CONFLICT" && (refused.errorMessage?.contains("Spring push") ?? false), "\(refused)")
        #expect(Self.code(await store.run(&bob, ["CONTACT.DELETE", String(ids[0]), "FORCE"])) == "FORBIDDEN")
        let bulk = try store.json(await store.run(&bob, ["CONTACT.BULKDELETE", "IDS", "\(ids[0]),\(ids[3])"]))
        #expect(bulk["changed"] == .integer(1), "\(bulk.serialized)")
        // A number listed after it joined leaves the callable list at once.
        _ = await store.run(&bob, ["DNC.ADD", Self.phone(2)])
        try await store.reopen()
        bob = await store.signIn("bob"); dave = await store.signIn("dave")
        let members = try store.json(await store.run(&dave, ["CAMPAIGN.MEMBERS", "Spring push"]))
        #expect(Self.ids(members["contacts"]) == ids[0...2].map(Int64.init))
        let callable = try store.json(await store.run(&dave, ["CAMPAIGN.MEMBERS", "Spring push", "CALLABLE"]))
        #expect(Self.ids(callable["contacts"]) == [Int64(ids[0]), Int64(ids[2])])
        let list = try store.json(await store.run(&dave, ["CAMPAIGN.LIST"]))
        guard case .array(let campaigns) = list else { Issue.record("\(list.serialized)"); return }
        #expect(campaigns.first?["members"] == .integer(3) && campaigns.first?["callable"] == .integer(2))
        #expect(Self.code(await store.run(["CONTACT.DELETE", String(ids[0]), "FORCE"])) == nil)
        _ = await store.run(&bob, ["CAMPAIGN.END", "Spring push"])
        #expect(Self.code(await store.run(&bob, ["CONTACT.DELETE", String(ids[2])])) == nil)
        // Protected contacts: admins set the mark; deleting then needs an admin's FORCE.
        #expect(Self.code(await store.run(&bob, ["CONTACT.PROTECT", String(ids[1])])) == "FORBIDDEN")
        #expect(await store.run(["CONTACT.PROTECT", String(ids[1])]) == .ok)
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(ids[1])]))["protected"] == .bool(true))
        #expect(Self.code(await store.run(&bob, ["CONTACT.DELETE", String(ids[1]), "PERMANENT"])) == "CONFLICT")
        #expect(Self.code(await store.run(["CONTACT.DELETE", String(ids[1]), "PERMANENT"])) == "CONFLICT")
        #expect(Self.code(await store.run(["CONTACT.DELETE", String(ids[1]), "PERMANENT", "FORCE"])) == nil)
        await store.close()
    }

    @Test("a merge moves the merged contacts' calls to the survivor; UNMERGE moves them back")
    func mergeMovesCalls() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let a = try await store.add(&bob, #"{"name":"Ann Lee","phone":"\#(Self.phone(1))"}"#)
        let b = try await store.add(&bob, #"{"name":"Ann Lee","phone":"\#(Self.phone(2))","email":"ann@example.com"}"#)
        _ = await store.run(&bob, ["CALL.LOG", String(a), #"{"outcome":"completed","at":"2026-01-02T00:00:00Z"}"#])
        _ = await store.run(&bob, ["CALL.LOG", String(b), #"{"outcome":"voicemail","at":"2026-01-03T00:00:00Z"}"#])
        _ = await store.run(&bob, ["CALL.LOG", String(b), #"{"outcome":"busy","at":"2026-01-01T00:00:00Z"}"#])
        let merged = await store.run(&bob, ["CONTACT.MERGE", String(a), String(b)])
        #expect(Self.code(merged) == nil, "\(merged)")
        let history = try store.json(await store.run(&bob, ["CALL.HISTORY", String(a)]))
        #expect(Self.ids(history["calls"]) == [2, 1, 3])
        try await store.reopen()
        bob = await store.signIn("bob")
        #expect(Self.ids(try store.json(await store.run(&bob, ["CALL.HISTORY", String(a)]))["calls"]) == [2, 1, 3])
        let log = try store.json(await store.run(&bob, ["MERGE.LOG"]))
        guard case .array(let entries)? = log["merges"], case .integer(let undo)? = entries.first?["undo_id"] else {
            Issue.record("\(log.serialized)")
            return
        }
        #expect(Self.code(await store.run(&bob, ["CONTACT.UNMERGE", String(undo)])) == nil)
        #expect(Self.ids(try store.json(await store.run(&bob, ["CALL.HISTORY", String(a)]))["calls"]) == [1])
        #expect(Self.ids(try store.json(await store.run(&bob, ["CALL.HISTORY", String(b)]))["calls"]) == [2, 3])
        await store.close()
    }

    @Test("retention: rules are an admin's, journaled, previewed, and a run records what it did")
    func retention() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        _ = try await store.add(&bob, #"{"name":"Sal","phone":"\#(Self.phone(1))"}"#)
        #expect(Self.code(await store.run(&bob, ["RETENTION.SET", "inactive_days", "30"])) == "FORBIDDEN")
        #expect(Self.code(await store.run(["RETENTION.SET", "inactive_days", "0.5"])) == "BAD_REQUEST")
        #expect(Self.code(await store.run(["RETENTION.SET", "forever", "1"])) == "BAD_REQUEST")
        #expect(try store.json(await store.run(["RETENTION.SET", "inactive_days", "30"]))["inactive_days"] == .integer(30))
        #expect(Self.code(await store.run(["RETENTION.SET", "archived_purge_days", "365"])) == nil)
        let preview = try store.json(await store.run(["RETENTION.PREVIEW"]))
        #expect(preview["archive"] == .integer(0) && preview["purge"] == .integer(0), "a contact made now is not inactive")
        let run = try store.json(await store.run(["RETENTION.RUN"]))
        #expect(run["archive"] == .integer(0))
        try await store.reopen()
        bob = await store.signIn("bob")
        let shown = try store.json(await store.run(&bob, ["RETENTION.SHOW"]))
        #expect(shown["inactive_days"] == .integer(30) && shown["archived_purge_days"] == .integer(365) && shown["last_run_at"] != .null, "\(shown.serialized)")
        await store.close()
    }

    /// Every byte of the data directory, snapshots and cold call segments decompressed.
    static func dataBytes(_ path: String) throws -> [(String, [UInt8])] {
        var files: [(String, [UInt8])] = []
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let name = enumerator?.nextObject() as? String {
            let full = path + "/" + name
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            if name.hasSuffix(".zst") {
                files.append((name, try SnapshotReader.load(path: full).content))
            } else if name.hasSuffix(".cold") {
                // A cold call segment: its bytes as stored and every block decompressed.
                files.append((name, [UInt8](FileManager.default.contents(atPath: full) ?? Data()) + (try ColdSegmentFile.decompressedBlocks(path: full))))
            } else {
                files.append((name, [UInt8](FileManager.default.contents(atPath: full) ?? Data())))
            }
        }
        return files
    }

    static func hits(_ marker: String, in files: [(String, [UInt8])]) -> [String] {
        let needle = Array(marker.utf8)
        return files.filter { _, bytes in
            guard bytes.count >= needle.count else { return false }
            return (0...(bytes.count - needle.count)).contains { bytes[$0] == needle[0] && Array(bytes[$0..<($0 + needle.count)]) == needle }
        }.map(\.0)
    }

    @Test("CONTACT.ERASE: a marker in every field, calls, consent, do-not-call, undo, an import report and a snapshot; afterwards no byte of the data directory holds it")
    func erasureLeavesNoTrace() async throws {
        let store = try await Store()
        #expect(Self.code(await store.run(["FIELD.CREATE", #"{"name":"ref","type":"text"}"#])) == nil)
        let marker = "Qzxv\(Int.random(in: 100_000...999_999))"
        let phone = "+1650253\(Int.random(in: 7000...7999))"
        let json = #"{"name":"\#(marker) Person","phone":"\#(phone)","email":"\#(marker.lowercased())@example.com","company":"\#(marker) Inc","notes":"\#(marker) notes","tags":["\#(marker)tag"],"custom_fields":{"ref":"\#(marker) ref"}}"#
        let person = try store.json(await store.run(["CONTACT.ADD", json]))
        guard case .integer(let id)? = person["id"] else { Issue.record("\(person.serialized)"); return }
        let other = try store.json(await store.run(["CONTACT.ADD", #"{"name":"Keep Me","phone":"+16502531234","notes":"kept"}"#]))
        _ = await store.run(["CALL.LOG", String(id), #"{"outcome":"completed","notes":"\#(marker) call","recording_url":"https://rec.example/\#(marker)"}"#])
        _ = await store.run(["CONSENT.SET", String(id), "phone", "marketing", "GRANTED", "SOURCE", "\(marker) form"])
        _ = await store.run(["DNC.ADD", "contact:\(id)", "REASON", "\(marker) reason"])
        _ = await store.run(["CONTACT.BULKEDIT", "IDS", String(id), "DO", "SET", "ref", "\(marker) second"])
        // An import whose error report names the person's number.
        let report = await store.run(["IMPORT.COMMIT", "CSV", "Name,Phone,Email\n\(marker) Again,\(phone),bad-email-\(marker)\n"])
        #expect(Self.code(report) == nil, "\(report)")
        #expect(Self.code(await store.run(["SNAPSHOT"])) == nil)
        _ = await store.run(["CONTACT.UPDATE", String(id), #"{"notes":"\#(marker) after the snapshot"}"#])
        let before = try Self.dataBytes(store.path)
        #expect(!Self.hits(marker, in: before).isEmpty, "the marker must be on disk before the erasure, or the test proves nothing")

        let receipt = try store.json(await store.run(["CONTACT.ERASE", String(id)]))
        #expect(receipt["calls_erased"] == .integer(1) && receipt["consents_erased"] == .integer(1) && receipt["dnc_entries_erased"] == .integer(1), "\(receipt.serialized)")
        #expect(receipt["disk_clean_at"] != .null && receipt["disk_clean_at"] != nil, "\(receipt.serialized)")
        #expect(!receipt.serialized.contains(marker))
        let after = try Self.dataBytes(store.path)
        #expect(Self.hits(marker, in: after).isEmpty, "the marker outlived the erasure in \(Self.hits(marker, in: after))")
        #expect(Self.hits(String(phone.dropFirst()), in: after).isEmpty, "the number outlived the erasure in \(Self.hits(String(phone.dropFirst()), in: after))")
        #expect(Self.code(await store.run(["CONTACT.GET", String(id)])) == "NOT_FOUND")
        // The rest is intact, and the directory starts.
        try await store.reopen()
        guard case .integer(let otherID)? = other["id"] else { return }
        #expect(try store.json(await store.run(["CONTACT.GET", String(otherID)]))["notes"] == .string("kept"))
        let receipts = try store.json(await store.run(["ERASURE.LIST"]))
        guard case .array(let list) = receipts else { Issue.record("\(receipts.serialized)"); return }
        #expect(list.count == 1 && list.first?["contact_id"] == .integer(id))
        let calls = try store.json(await store.run(["CALL.LIST"]))
        guard case .array(let rows)? = calls["calls"] else { return }
        #expect(rows.count == 1 && rows.first?["erased"] == .bool(true) && rows.first?["contact_id"] == .null)
        await store.close()
    }

    @Test("CONTACT.EXPORTDATA: everything held about a person, with the journal's changes to it")
    func exportData() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob"), carol = await store.signIn("carol")
        let sal = try await store.add(&bob, #"{"name":"Sal","phone":"\#(Self.phone(1))"}"#)
        _ = await store.run(&bob, ["CONTACT.UPDATE", String(sal), #"{"notes":"hello"}"#])
        _ = await store.run(&bob, ["CALL.LOG", String(sal), #"{"outcome":"completed"}"#])
        _ = await store.run(&bob, ["CONSENT.SET", String(sal), "phone", "any", "GRANTED"])
        #expect(Self.code(await store.run(&carol, ["CONTACT.EXPORTDATA", String(sal)])) == "NOT_FOUND")
        let document = try store.json(await store.run(&bob, ["CONTACT.EXPORTDATA", String(sal)]))
        #expect(document["contact"]?["notes"] == .string("hello"))
        #expect(Self.ids(document["calls"]) == [1])
        guard case .array(let history)? = document["journal_history"], case .array(let consent)? = document["consent"] else { Issue.record("\(document.serialized)"); return }
        #expect(consent.count == 1)
        let kinds = history.compactMap { if case .string(let kind)? = $0["change"] { kind } else { nil } }
        #expect(kinds.contains("contact written") && kinds.contains("fields changed: notes") && kinds.contains("call 1 logged"), "\(kinds)")
        await store.close()
    }
}
