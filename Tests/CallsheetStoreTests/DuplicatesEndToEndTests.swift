import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// Duplicates, merge and undo through the executor on a real data directory, across restarts
/// (journal replay, then a snapshot): warnings and blocking on writes, DUP.CHECK, scans and
/// their cache, merges and the phone that follows the survivor, undo of each bulk command and of
/// an import, and which role may do which.
@Suite struct DuplicatesEndToEndTests {
    typealias Store = CommandsEndToEndTests.Store

    static func code(_ reply: RESPValue) -> String? { CommandsEndToEndTests.code(reply) }

    static func first(_ value: JSONValue?) -> JSONValue? {
        if case .array(let items)? = value { items.first } else { nil }
    }

    static func integer(_ value: JSONValue?) -> Int? {
        if case .integer(let number)? = value { Int(number) } else { nil }
    }

    @Test("Warnings and blocking on writes, DUP.CHECK, DUP.SCAN and DUP.GROUPS in scope, DUP.IGNORE, settings by role")
    func finding() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        var carol = await store.signIn("carol")
        var dave = await store.signIn("dave")
        let john = try await store.add(&bob, #"{"name":"John Doe","phone":"+16502530001","email":"john.doe@gmail.com"}"#)
        let reply = try store.json(await store.run(&bob, ["CONTACT.ADD", #"{"name":"Jon Doe","phone":"+16502530002","email":"JohnDoe@GMail.com"}"#]))
        let jon = try #require(Self.integer(reply["id"]))
        guard case .array(let duplicates)? = reply["duplicates"], case .array(let warnings)? = reply["warnings"] else {
            Issue.record("no duplicates in \(reply)")
            return
        }
        #expect(Self.integer(duplicates.first?["id"]) == john)
        #expect(warnings.count == 1)
        _ = try await store.add(&carol, #"{"name":"John Doe","phone":"+16502530003","email":"jd@support.example"}"#)

        #expect(Self.code(await store.run(&bob, ["DUP.SETTINGS", "SET", "threshold", "90"])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&dave, ["DUP.CHECK", #"{"name":"John Doe"}"#])) == "FORBIDDEN")
        #expect(Self.code(await store.run(["DUP.SETTINGS", "SET", "action", "block", "threshold", "101"])) == "BAD_REQUEST")
        #expect(try store.json(await store.run(["DUP.SETTINGS", "SET", "action", "block"]))["action"] == .string("block"))
        let blocked = await store.run(&bob, ["CONTACT.ADD", #"{"name":"J. Doe","phone":"+16502530009"}"#])
        #expect(Self.code(blocked) == "LIKELY_DUPLICATE", "\(blocked)")
        #expect(try store.json(await store.run(&bob, ["CONTACT.COUNT"]))["active"] == .integer(2), "a refused write changes nothing")
        #expect(Self.code(await store.run(["DUP.SETTINGS", "SET", "action", "warn"])) == nil)

        let check = try store.json(await store.run(&bob, ["DUP.CHECK", #"{"name":"John Doe","email":"JOHNDOE@gmail.com"}"#]))
        guard case .array(let candidates)? = check["candidates"] else { Issue.record("\(check)"); return }
        #expect(candidates.compactMap { Self.integer($0["id"]) }.sorted() == [john, jon], "Support's John Doe is out of bob's scope")

        #expect(Self.code(await store.run(&bob, ["DUP.GROUPS"])) == "NOT_FOUND")
        let scan = try store.json(await store.run(&bob, ["DUP.SCAN"]))
        #expect(scan["groups"] == .integer(1), "\(scan)")
        let groups = try store.json(await store.run(&bob, ["DUP.GROUPS"]))
        guard case .array(let page)? = groups["groups"], let group = page.first else { Issue.record("\(groups)"); return }
        #expect(group["members"] == .array([.integer(Int64(john)), .integer(Int64(jon))]))
        #expect(Self.code(await store.run(&carol, ["DUP.GROUPS"])) == "NOT_FOUND", "each scope has its own scan")
        // A write to a member makes its group stale.
        _ = await store.run(&bob, ["CONTACT.UPDATE", String(jon), #"{"notes":"called"}"#])
        let stale = try store.json(await store.run(&bob, ["DUP.GROUPS"]))
        #expect(stale["groups"] == .array([]) && stale["skipped_changed"] == .integer(1), "\(stale)")
        #expect(await store.run(&bob, ["DUP.IGNORE", String(john), String(jon)]) == .ok)
        #expect(try store.json(await store.run(&bob, ["DUP.SCAN", "REFRESH"]))["groups"] == .integer(0))
        #expect(Self.code(await store.run(&bob, ["DUP.IGNORE", String(john), "3"])) == "NOT_FOUND", "Support's contact")
        try await store.reopen()
        bob = await store.signIn("bob")
        #expect(try store.json(await store.run(&bob, ["DUP.SCAN"]))["groups"] == .integer(0), "the ignored pair survives a restart")
        #expect(await store.run(&bob, ["DUP.IGNORE", String(john), String(jon), "UNDO"]) == .ok)
        #expect(try store.json(await store.run(&bob, ["DUP.SCAN"]))["groups"] == .integer(1))
        await store.close()
    }

    @Test("After a restart from a snapshot, writes warn of fuzzy duplicates before and after the name keys are built off the shard")
    func warningsWhileKeysAreBuilt() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let john = try await store.add(&bob, #"{"name":"John Doe","phone":"+16502530001"}"#)
        for index in 0..<50 { _ = try await store.add(&bob, #"{"name":"Person \#(index) Smith","phone":"+1650254\#(String(1_000 + index))"}"#) }
        #expect(Self.code(await store.run(["SNAPSHOT"])) == nil)
        try await store.reopen()
        bob = await store.signIn("bob")
        let organization = try #require(await store.directory.organizationIDs.first)
        let shard = try #require(await store.directory.shard(organization))
        // Whether or not the build has finished yet, the check finds the typo (text searches stand in).
        let first = try store.json(await store.run(&bob, ["CONTACT.ADD", #"{"name":"Jon Doe","phone":"+16502530002"}"#]))
        #expect(Self.integer(Self.first(first["duplicates"])?["id"]) == john, "\(first)")
        var built = false
        for _ in 0..<500 where !built {
            built = try await shard.read { $0.duplicateKeys.isBuilt }
            if !built { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(built, "the keys are built off the shard after a restart")
        let second = try store.json(await store.run(&bob, ["CONTACT.ADD", #"{"name":"J. Doe","phone":"+16502530003"}"#]))
        guard case .array(let duplicates)? = second["duplicates"] else {
            Issue.record("no duplicates in \(second)")
            return
        }
        let found = Set(duplicates.compactMap { Self.integer($0["id"]) })
        #expect(found.contains(john), "\(second)")
        #expect(await shard._checkInvariants().isEmpty, "the adopted keys include the write made before they were built")
    }

    @Test("CONTACT.MERGE, the merged phone finding the survivor, MERGE.LOG and CONTACT.UNMERGE across restarts")
    func merging() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        var dave = await store.signIn("dave")
        let a = try await store.add(&bob, #"{"name":"Ann Lee","phone":"+16502530001","tags":["VIP"]}"#)
        let b = try await store.add(&bob, #"{"name":"Anne Lee","phone":"+16502530002","email":"anne@example.com","tags":["DNC"]}"#)
        #expect(Self.code(await store.run(&dave, ["CONTACT.MERGE", String(a), String(b)])) == "FORBIDDEN")
        #expect(Self.code(await store.run(&bob, ["CONTACT.MERGE", String(a)])) == "WRONG_ARGS")
        #expect(Self.code(await store.run(&bob, ["CONTACT.MERGE", String(a), String(b), "KEEP", "email"])) == "WRONG_ARGS")
        let merged = try store.json(await store.run(&bob, ["CONTACT.MERGE", String(a), String(b)]))
        let mergeID = try #require(Self.integer(merged["merge_id"]), "\(merged)")
        #expect(merged["contact"]?["tags"] == .array([.string("VIP"), .string("DNC")]))
        #expect(merged["contact"]?["email"] == .string("anne@example.com"))
        let byPhone = try store.json(await store.run(&dave, ["CONTACT.BYPHONE", "(650) 253-0002"]))
        #expect(Self.integer(byPhone["id"]) == a, "an incoming call from the merged-away number pops the survivor")
        #expect(Self.integer(try store.json(await store.run(&dave, ["CONTACT.GET", String(b)]))["merged_into"]) == a)
        try await store.reopen()
        bob = await store.signIn("bob")
        let log = try store.json(await store.run(&bob, ["MERGE.LOG"]))
        guard case .array(let merges)? = log["merges"], let entry = merges.first else { Issue.record("\(log)"); return }
        #expect(Self.integer(entry["undo_id"]) == mergeID && entry["rule"] == .string("manual") && entry["user"] == .string("bob"))
        #expect(entry["winners"] == .object([("email", .integer(Int64(b)))]))
        let unmerge = try store.json(await store.run(&bob, ["CONTACT.UNMERGE", String(mergeID)]))
        #expect(unmerge["conflicts"] == .array([]), "\(unmerge)")
        #expect(Self.code(await store.run(&bob, ["CONTACT.UNMERGE", String(mergeID)])) == "CONFLICT")
        _ = await store.run(["SNAPSHOT"])
        try await store.reopen()
        bob = await store.signIn("bob")
        let back = try store.json(await store.run(&bob, ["CONTACT.BYPHONE", "+16502530002"]))
        #expect(Self.integer(back["id"]) == b && back["archived_at"] == .null && back["merged_into"] == nil)
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(a)]))["tags"] == .array([.string("VIP")]))
        let after = try store.json(await store.run(&bob, ["MERGE.LOG"]))
        #expect(Self.first(after["merges"])?["undone_at"] != .null, "\(after)")
        await store.close()
    }

    @Test("UNDO of a bulk edit, a bulk delete and a tag merge, each reply carrying its undo_id; IMPORT.REVERT of an import that created and updated")
    func undoing() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        var carol = await store.signIn("carol")
        var ids: [Int] = []
        for n in 1...3 { ids.append(try await store.add(&bob, #"{"name":"Lead \#(n)","phone":"+1650253000\#(n)","tags":["Cold"]}"#)) }
        let edit = try store.json(await store.run(&bob, ["CONTACT.BULKEDIT", "IDS", ids.map(String.init).joined(separator: ","), "DO", "ADDTAGS", "Q1", "REMOVETAGS", "Cold"]))
        let editID = try #require(Self.integer(edit["undo_id"]), "\(edit)")
        #expect(Self.code(await store.run(&carol, ["UNDO", String(editID)])) == "FORBIDDEN")
        let undone = try store.json(await store.run(&bob, ["UNDO", String(editID)]))
        #expect(undone["restored"] == .integer(3) && undone["conflicts"] == .array([]), "\(undone)")
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(ids[0])]))["tags"] == .array([.string("Cold")]))
        let tagMerge = try store.json(await store.run(&bob, ["TAG.MERGE", "Cold", "INTO", "Warm"]))
        #expect(tagMerge["changed"] == .integer(3))
        let tagID = try #require(Self.integer(tagMerge["undo_id"]))
        let delete = try store.json(await store.run(&bob, ["CONTACT.BULKDELETE", "IDS", String(ids[2]), "PERMANENT"]))
        let deleteID = try #require(Self.integer(delete["undo_id"]))
        try await store.reopen()
        bob = await store.signIn("bob")
        let list = try store.json(await store.run(&bob, ["UNDO.LIST"]))
        #expect(Self.first(list["entries"])?["undo_id"] == .integer(Int64(deleteID)), "\(list)")
        #expect(try store.json(await store.run(&bob, ["UNDO", String(deleteID)]))["restored"] == .integer(1))
        #expect(try store.json(await store.run(&bob, ["UNDO", String(tagID)]))["restored"] == .integer(3))
        for id in ids { #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(id)]))["tags"] == .array([.string("Cold")])) }

        let csv = "name,phone,notes\nLead 1,+16502530001,updated by import\nNew Person,+16502530099,\n"
        let imported = try store.json(await store.run(&bob, ["IMPORT.COMMIT", "CSV", csv, "DUPLICATES", "update"]))
        let job = try #require(Self.integer(imported["job_id"]), "\(imported)")
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(ids[0])]))["notes"] == .string("updated by import"))
        try await store.reopen()
        bob = await store.signIn("bob")
        let revert = try store.json(await store.run(&bob, ["IMPORT.REVERT", String(job)]))
        #expect(revert["restored"] == .integer(1) && revert["removed"] == .integer(1), "\(revert)")
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(ids[0])]))["notes"] == .null)
        #expect(Self.code(await store.run(&bob, ["CONTACT.BYPHONE", "+16502530099"])) == "NOT_FOUND")
        #expect(Self.code(await store.run(&bob, ["IMPORT.REVERT", String(job)])) == "CONFLICT")
        #expect(Self.code(await store.run(&bob, ["IMPORT.REVERT", "424242"])) == "NOT_FOUND")
        await store.close()
    }

    @Test("auto_merge: DUP.SCAN and an import merge what reaches auto_merge_threshold, each logged with its rule and score")
    func automaticMerging() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let ann = try await store.add(&bob, #"{"name":"Ann Lee","phone":"+16502530001","email":"ann.lee@example.com"}"#)
        let anne = try await store.add(&bob, #"{"name":"Anne Lee","phone":"+16502530002","email":"ANN.LEE@example.com"}"#)
        let other = try await store.add(&bob, #"{"name":"Zed Zulu","phone":"+16502530003"}"#)
        #expect(Self.code(await store.run(["DUP.SETTINGS", "SET", "auto_merge", "on", "auto_merge_threshold", "99"])) == nil)
        let scan = try store.json(await store.run(&bob, ["DUP.SCAN"]))
        #expect(scan["auto_merged"] == .array([.integer(1)]), "\(scan)")
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(other)]))["merged_into"] == nil)
        #expect(Self.integer(try store.json(await store.run(&bob, ["CONTACT.GET", String(anne)]))["merged_into"]) == ann)
        let csv = "name,phone,email\nZed Zulu,+16502530009,\nAnnie Lee,+16502530008,Ann.Lee@Example.com\n"
        let imported = try store.json(await store.run(&bob, ["IMPORT.COMMIT", "CSV", csv]))
        guard case .string(let message)? = imported["message"] else { Issue.record("\(imported)"); return }
        #expect(message.contains("merged 1 into existing contacts"), "\(message)")
        let log = try store.json(await store.run(&bob, ["MERGE.LOG"]))
        let newest = try #require(Self.first(log["merges"]))
        #expect(newest["survivor"] == .integer(Int64(ann)) && newest["score"] == .integer(100), "\(newest)")
        guard case .string(let rule)? = newest["rule"] else { Issue.record("\(newest)"); return }
        #expect(rule.hasPrefix("auto: import ") && rule.hasSuffix(": email"), "\(rule)")
        // A name alone (Zed Zulu, nothing else to compare) is never merged automatically.
        #expect(try store.json(await store.run(&bob, ["CONTACT.GET", String(other)]))["merged_into"] == nil)
        #expect(Self.code(await store.run(&bob, ["CONTACT.BYPHONE", "+16502530009"])) == nil)
        #expect(Self.integer(try store.json(await store.run(&bob, ["CONTACT.BYPHONE", "+16502530009"]))["id"]) != other)
        await store.close()
    }
}
