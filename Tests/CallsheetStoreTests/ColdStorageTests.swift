import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import CallsheetStore
import Foundation
import Testing

/// Cold storage of calls (`cold_call_days`; docs/STORAGE.md, "Cold call segments") end to end on
/// a real data directory: every read answers the same whether a call is hot or cold, across
/// journal replay and snapshot load; merges, erasure, purge and damage behave.
@Suite struct ColdStorageTests {
    typealias Store = CommandsEndToEndTests.Store

    static func code(_ reply: RESPValue) -> String? { CommandsEndToEndTests.code(reply) }
    static func phone(_ n: Int) -> String { CommandsEndToEndTests.phone(n) }
    static func ids(_ value: JSONValue?, _ key: String = "id") -> [Int64] { ComplianceTests.ids(value, key) }

    /// Logs `count` calls of `contact` a year and more ago (day `first`, `first + 1`, …) with notes.
    static func logOld(_ store: Store, _ contact: Int, count: Int, first: Int, note: String = "old") async {
        for day in first..<(first + count) {
            let at = TimestampFormat.iso8601(Timestamp(1_735_689_600_000) + Timestamp(day) * 86_400_000 + Timestamp(contact) * 60_000)
            let outcome = ["completed", "no-answer", "voicemail"][day % 3]
            let reply = await store.run(["CALL.LOG", String(contact), #"{"outcome":"\#(outcome)","at":"\#(at)","duration":\#(day % 90),"notes":"\#(note) \#(contact)/\#(day)","recording_url":"https://rec.example/\#(contact)/\#(day)"}"#])
            #expect(code(reply) == nil, "\(reply)")
        }
    }

    /// Every read of calls, as text, for comparing hot with cold.
    static func answers(_ store: Store, contacts: [Int], contactFields: Bool = true) async -> [String] {
        var texts: [String] = []
        func text(_ arguments: [String]) async {
            let reply = await store.run(arguments)
            texts.append(arguments.joined(separator: " ") + " → " + (reply.string ?? "\(reply)"))
        }
        for contact in contacts {
            let id = String(contact)
            await text(["CALL.HISTORY", id])
            await text(["CALL.HISTORY", id, "LIMIT", "3"])
            await text(["CALL.HISTORY", id, "LIMIT", "1"])
            // Every page by cursor.
            var cursor: String?
            repeat {
                let reply = await store.run(["CALL.HISTORY", id, "LIMIT", "2"] + (cursor.map { ["CURSOR", $0] } ?? []))
                texts.append("page \(id) \(cursor ?? "-") → " + (reply.string ?? "\(reply)"))
                guard let json = try? JSONValue.parse(reply.string ?? ""), case .string(let next)? = json["next_cursor"] else { break }
                cursor = next
            } while true
            await text(["CALL.HISTORY", id, "SINCE", "2025-01-05T00:00:00Z"])
            if contactFields {
                await text(["CONTACT.GET", id, "WITH", "CALLS", "4"])
                await text(["CONTACT.GET", id])
            }
            let export = await store.run(["CONTACT.EXPORTDATA", id])
            let calls = (try? JSONValue.parse(export.string ?? ""))?["calls"]?.serialized ?? "\(export)"
            texts.append("export calls \(id) → \(calls)")
        }
        await text(["CALL.LIST"])
        await text(["CALL.LIST", "LIMIT", "5"])
        await text(["CALL.LIST", "OUTCOME", "voicemail"])
        await text(["CALL.LIST", "SINCE", "2025-01-03T00:00:00Z", "UNTIL", "2025-01-06T00:00:00Z"])
        await text(["CALL.LIST", "CURSOR", "7", "LIMIT", "4"])
        return texts
    }

    static func cold(_ store: Store) async throws -> JSONValue? {
        let info = try store.json(await store.run(["INFO", "JSON"]))
        guard case .array(let organizations)? = info["contacts_by_organization"] else { return nil }
        return organizations.first?["cold_calls"]
    }

    static func coldFiles(_ path: String) -> [String] {
        let root = path + "/cold"
        var files: [String] = []
        for organization in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: root + "/" + organization)) ?? [] { files.append(root + "/" + organization + "/" + name) }
        }
        return files.sorted()
    }

    @Test("hot and cold answer alike: history pages, cursors, SINCE, WITH CALLS, CALL.LIST filters, export, counters; after replay and snapshot load")
    func hotAndColdAnswerAlike() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let a = try await store.add(&bob, #"{"name":"Ann","phone":"\#(Self.phone(1))"}"#)
        let b = try await store.add(&bob, #"{"name":"Ben","phone":"\#(Self.phone(2))"}"#)
        await Self.logOld(store, a, count: 5, first: 0)
        await Self.logOld(store, b, count: 4, first: 2)
        // Recent calls stay hot: they stop the cold run.
        #expect(Self.code(await store.run(["CALL.LOG", String(a), #"{"outcome":"completed","notes":"recent"}"#])) == nil)
        #expect(Self.code(await store.run(["CALL.LOG", String(a), #"{"outcome":"busy","at":"2025-01-04T12:00:00Z","notes":"late but old"}"#])) == nil)
        // Two recent calls: a page of one is decided by hot calls alone (no block read).
        #expect(Self.code(await store.run(["CALL.LOG", String(a), #"{"outcome":"voicemail","notes":"recent too"}"#])) == nil)
        let hot = await Self.answers(store, contacts: [a, b])

        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        let run = try store.json(await store.run(["RETENTION.RUN"]))
        #expect(run["cold"]?["calls_moved"] == .integer(9), "\(run.serialized)")
        let cold = try #require(try await Self.cold(store))
        #expect(cold["calls"] == .integer(9) && cold["segments"] == .integer(1), "\(cold.serialized)")
        #expect(Self.coldFiles(store.path).count == 1)
        let afterMove = await Self.answers(store, contacts: [a, b])
        for (before, after) in zip(hot, afterMove) { #expect(before == after) }
        #expect(hot.count == afterMove.count)

        try await store.reopen()
        #expect(await Self.answers(store, contacts: [a, b]) == hot, "after journal replay")
        #expect(Self.code(await store.run(["SNAPSHOT"])) == nil)
        try await store.reopen()
        #expect(await Self.answers(store, contacts: [a, b]) == hot, "after a snapshot load")
        #expect(try await Self.cold(store)?["calls"] == .integer(9))
        let shown = try store.json(await store.run(["RETENTION.SHOW"]))
        #expect(shown["cold_call_days"] == .integer(30))
        // A second run has nothing old enough left (the recent call stops the run).
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["calls_moved"] == .integer(0))
        await store.close()
    }

    @Test("a merge moves cold calls to the survivor and UNMERGE moves them back; a rewrite folds the move into the file")
    func mergeAndUnmergeWithColdCalls() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let a = try await store.add(&bob, #"{"name":"Ann Lee","phone":"\#(Self.phone(1))"}"#)
        let b = try await store.add(&bob, #"{"name":"Ann Lee","phone":"\#(Self.phone(2))","email":"ann@example.com"}"#)
        await Self.logOld(store, a, count: 3, first: 0)
        await Self.logOld(store, b, count: 3, first: 1)
        #expect(Self.code(await store.run(["CALL.LOG", String(b), #"{"outcome":"completed","notes":"hot one"}"#])) == nil)
        let aAlone = await Self.answers(store, contacts: [a], contactFields: false)
        let bAlone = await Self.answers(store, contacts: [b], contactFields: false)
        // The merged answers as they are with every call hot: merge, read, unmerge.
        func merge() async throws -> Int64 {
            #expect(Self.code(await store.run(&bob, ["CONTACT.MERGE", String(a), String(b)])) == nil)
            let log = try store.json(await store.run(&bob, ["MERGE.LOG"]))
            guard case .array(let entries)? = log["merges"], case .integer(let undo)? = entries.first?["undo_id"] else { throw CallsheetError(.internal, log.serialized) }
            return undo
        }
        let hotUndo = try await merge()
        let mergedHot = try store.json(await store.run(["CALL.HISTORY", String(a)]))
        #expect(Self.ids(mergedHot["calls"]).count == 7)
        #expect(Self.code(await store.run(&bob, ["CONTACT.UNMERGE", String(hotUndo)])) == nil)
        #expect(await Self.answers(store, contacts: [a], contactFields: false) == aAlone)

        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["calls_moved"] == .integer(6))
        let undo = try await merge()
        #expect(try store.json(await store.run(["CALL.HISTORY", String(a)])) == mergedHot, "merged with cold calls")
        try await store.reopen()
        bob = await store.signIn("bob")
        #expect(try store.json(await store.run(["CALL.HISTORY", String(a)])) == mergedHot, "after replay")
        // The rewrite (a sweep does it) puts the moved calls in the survivor's block; same answer.
        #expect(Self.code(await store.run(["RETENTION.RUN"])) == nil)
        #expect(try await Self.cold(store)?["moved_or_erased"] == .integer(0))
        #expect(try store.json(await store.run(["CALL.HISTORY", String(a)])) == mergedHot, "after the rewrite")
        #expect(Self.code(await store.run(&bob, ["CONTACT.UNMERGE", String(undo)])) == nil)
        #expect(await Self.answers(store, contacts: [a], contactFields: false) == aAlone, "unmerged")
        #expect(await Self.answers(store, contacts: [b], contactFields: false) == bAlone, "unmerged")
        #expect(Self.code(await store.run(["SNAPSHOT"])) == nil)
        try await store.reopen()
        #expect(await Self.answers(store, contacts: [a, b], contactFields: false) == Array(aAlone.dropLast(5)) + Array(bAlone.dropLast(5)) + Array(aAlone.suffix(5)), "after a snapshot load")
        await store.close()
    }

    /// Every byte of the data directory, snapshots and cold segments decompressed.
    static func dataBytes(_ path: String) throws -> [(String, [UInt8])] { try ComplianceTests.dataBytes(path) }

    @Test("CONTACT.ERASE of a person with cold calls: their segment is rewritten, no byte of the data directory (decompressed) holds their marker, others' cold calls stay")
    func erasureRewritesColdSegments() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let marker = "Qcold\(Int.random(in: 100_000...999_999))"
        let person = try await store.add(&bob, #"{"name":"\#(marker) Person","phone":"\#(Self.phone(1))"}"#)
        let other = try await store.add(&bob, #"{"name":"Keep Me","phone":"\#(Self.phone(2))"}"#)
        await Self.logOld(store, person, count: 3, first: 0, note: marker)
        await Self.logOld(store, other, count: 3, first: 0, note: "kept")
        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["calls_moved"] == .integer(6))
        let otherBefore = await Self.answers(store, contacts: [other]).dropLast(5)
        let files = Self.coldFiles(store.path)
        #expect(files.count == 1)
        #expect(!ComplianceTests.hits(marker, in: try Self.dataBytes(store.path).filter { $0.0.contains("cold/") }).isEmpty, "the marker must be in the cold segment, or the test proves nothing")

        let receipt = try store.json(await store.run(["CONTACT.ERASE", String(person)]))
        #expect(receipt["calls_erased"] == .integer(3), "\(receipt.serialized)")
        #expect(receipt["disk_clean_at"] != .null && receipt["disk_clean_at"] != nil, "\(receipt.serialized)")
        let after = try Self.dataBytes(store.path)
        #expect(ComplianceTests.hits(marker, in: after).isEmpty, "the marker outlived the erasure in \(ComplianceTests.hits(marker, in: after))")
        #expect(Self.coldFiles(store.path).count == 1 && Self.coldFiles(store.path) != files, "the segment was replaced by its rewrite")
        #expect(Array(await Self.answers(store, contacts: [other]).dropLast(5)) == Array(otherBefore))
        // The erased calls stay for statistics: no contact, no notes.
        let list = try store.json(await store.run(["CALL.LIST", "LIMIT", "100"]))
        guard case .array(let rows)? = list["calls"] else { Issue.record("\(list.serialized)"); return }
        #expect(rows.count == 6 && rows.filter { $0["erased"] == .bool(true) && $0["contact_id"] == .null && $0["notes"] == .null }.count == 3)
        try await store.reopen()
        #expect(Array(await Self.answers(store, contacts: [other]).dropLast(5)) == Array(otherBefore), "after a restart")
        #expect(try store.json(await store.run(["CALL.LIST", "LIMIT", "100"])) == list)
        await store.close()
    }

    @Test("deleted_call_days erases the cold calls of contacts removed for good and rewrites their segment")
    func purgeOfRemovedContactsColdCalls() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let gone = try await store.add(&bob, #"{"name":"Gone","phone":"\#(Self.phone(1))"}"#)
        let kept = try await store.add(&bob, #"{"name":"Kept","phone":"\#(Self.phone(2))"}"#)
        await Self.logOld(store, gone, count: 2, first: 0, note: "purge-me")
        await Self.logOld(store, kept, count: 2, first: 0)
        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["calls_moved"] == .integer(4))
        #expect(Self.code(await store.run(["CONTACT.DELETE", String(gone), "PERMANENT"])) == nil)
        #expect(Self.code(await store.run(["RETENTION.SET", "deleted_call_days", "30"])) == nil)
        let run = try store.json(await store.run(["RETENTION.RUN"]))
        #expect(run["erase_calls_of"] == .integer(1), "\(run.serialized)")
        let list = try store.json(await store.run(["CALL.LIST", "LIMIT", "100"]))
        guard case .array(let rows)? = list["calls"] else { Issue.record("\(list.serialized)"); return }
        #expect(rows.filter { $0["erased"] == .bool(true) }.count == 2 && rows.count == 4, "\(list.serialized)")
        #expect(try await Self.cold(store)?["moved_or_erased"] == .integer(0), "the segment was rewritten")
        #expect(Self.ids(try store.json(await store.run(["CALL.HISTORY", String(kept)]))["calls"]).count == 2)
        await store.close()
    }

    @Test("a segment file the journal never named (a crash between writing it and journaling the move) is deleted at start; the calls stay hot")
    func orphanSegmentIsDeletedAtStart() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let a = try await store.add(&bob, #"{"name":"Ann","phone":"\#(Self.phone(1))"}"#)
        await Self.logOld(store, a, count: 3, first: 0)
        let hot = await Self.answers(store, contacts: [a])
        // What a move leaves when it dies before its journal record: a whole file, and a temporary one.
        let directory = store.path + "/cold/1"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let view = try #require(await store.directory.shard(1)?.view())
        let writer = try ColdSegmentFile.Writer(directory: directory, id: 1)
        _ = try writer.append(ColdBlock.encode(try view.calls.calls(of: ContactID(a))))
        _ = try writer.finish(index: nil)
        #expect(FileManager.default.createFile(atPath: directory + "/segment-2.cold.tmp", contents: Data([1, 2, 3])))
        try await store.reopen()
        #expect(Self.coldFiles(store.path).isEmpty, "\(Self.coldFiles(store.path))")
        #expect(await Self.answers(store, contacts: [a]) == hot)
        // The next move takes the same id and works.
        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["calls_moved"] == .integer(3))
        #expect(await Self.answers(store, contacts: [a]) == hot)
        await store.close()
    }

    @Test("a damaged cold segment: reads of its calls fail with UNAVAILABLE (no crash), verify names it, the rest is served")
    func damagedSegment() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let a = try await store.add(&bob, #"{"name":"Ann","phone":"\#(Self.phone(1))"}"#)
        let b = try await store.add(&bob, #"{"name":"Ben","phone":"\#(Self.phone(2))"}"#)
        await Self.logOld(store, a, count: 3, first: 0)
        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["calls_moved"] == .integer(3))
        #expect(Self.code(await store.run(["CALL.LOG", String(b), #"{"outcome":"completed"}"#])) == nil)
        let file = try #require(Self.coldFiles(store.path).first)
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: file)))
        bytes[ColdSegmentFile.headerSize + ColdSegmentFile.blockHeaderSize + 2] ^= 0x5A
        #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
        #expect(throws: StorageError.self) { try ColdSegmentFile.verify(path: file) }
        #expect(Self.code(await store.run(["CALL.HISTORY", String(a)])) == "UNAVAILABLE")
        #expect(Ids.count(try store.json(await store.run(["CALL.HISTORY", String(b)]))) == 1)
        let problems = await store.directory.verifyColdSegments()
        #expect(problems.count == 1 && problems.first?.contains("segment-1.cold") == true, "\(problems)")
        await store.close()
    }

    @Test("a sweep moves calls in batches, each its own segment of at most the batch's calls; every read answers as before, after replay and verify")
    func movesGoInBatches() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let a = try await store.add(&bob, #"{"name":"Ann","phone":"\#(Self.phone(1))"}"#)
        let b = try await store.add(&bob, #"{"name":"Ben","phone":"\#(Self.phone(2))"}"#)
        await Self.logOld(store, a, count: 4, first: 0)
        await Self.logOld(store, b, count: 3, first: 0)
        #expect(Self.code(await store.run(["CALL.LOG", String(a), #"{"outcome":"completed","notes":"recent"}"#])) == nil)
        let hot = await Self.answers(store, contacts: [a, b])
        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        let shard = try #require(await store.directory.shard(1))
        let moved = try #require(try await store.directory.moveCallsCold(shard, now: Clock.now(), batchLimit: 3))
        #expect(moved.calls == 7 && moved.segments == 3 && moved.segment == 3)
        let segments = await shard.view().calls.cold.segments
        #expect(segments.map(\.callCount) == [3, 3, 1] && segments.map(\.firstCall) == [1, 4, 7])
        #expect(Self.coldFiles(store.path).count == 3)
        #expect(await Self.answers(store, contacts: [a, b]) == hot, "cold in three segments")
        #expect(await store.directory.verifyColdSegments().isEmpty)
        try await store.reopen()
        #expect(await Self.answers(store, contacts: [a, b]) == hot, "after replay")
        await store.close()
    }

    @Test("a replaced segment is deleted as soon as neither the catalogue nor the last snapshot names it: at once when no snapshot did, else after the next; the directory starts after either")
    func replacedSegmentsAreDeletedEarly() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let a = try await store.add(&bob, #"{"name":"Ann Lee","phone":"\#(Self.phone(1))"}"#)
        let b = try await store.add(&bob, #"{"name":"Ann Lee","phone":"\#(Self.phone(2))"}"#)
        let c = try await store.add(&bob, #"{"name":"Ann Lee","phone":"\#(Self.phone(3))"}"#)
        await Self.logOld(store, a, count: 3, first: 0)
        await Self.logOld(store, b, count: 3, first: 1)
        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["segment"] == .integer(1))
        let name = { (id: Int) in store.path + "/cold/1/segment-\(id).cold" }
        // A snapshot names segment 1: its replacement waits for the next snapshot.
        #expect(Self.code(await store.run(["SNAPSHOT"])) == nil)
        #expect(Self.code(await store.run(&bob, ["CONTACT.MERGE", String(a), String(b)])) == nil)
        #expect(Self.code(await store.run(["RETENTION.RUN"])) == nil)
        #expect(try await Self.cold(store)?["moved_or_erased"] == .integer(0), "the rewrite ran")
        #expect(Self.coldFiles(store.path) == [name(1), name(2)])
        let merged = await Self.answers(store, contacts: [a], contactFields: false)
        #expect(Self.code(await store.run(["SNAPSHOT"])) == nil)
        #expect(Self.coldFiles(store.path) == [name(2)], "deleted once the last snapshot no longer names it")
        // Segment 3 is moved and replaced between two snapshots: deleted as the rewrite commits.
        await Self.logOld(store, c, count: 2, first: 5)
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["segment"] == .integer(3))
        #expect(Self.code(await store.run(&bob, ["CONTACT.MERGE", String(a), String(c)])) == nil)
        #expect(Self.code(await store.run(["RETENTION.RUN"])) == nil)
        #expect(Self.coldFiles(store.path) == [name(2), name(4)], "segment 3 deleted at once")
        let mergedAgain = await Self.answers(store, contacts: [a], contactFields: false)
        #expect(mergedAgain != merged)
        try await store.reopen()
        #expect(await Self.answers(store, contacts: [a], contactFields: false) == mergedAgain, "after replay from the snapshot that named segment 2")
        #expect(Self.coldFiles(store.path) == [name(2), name(4)])
        #expect(await store.directory.verifyColdSegments().isEmpty)
        await store.close()
    }

    @Test("a damaged id index chunk: CALL.LIST reaching it fails with UNAVAILABLE, CALL.HISTORY (contact blocks) still answers, verify names the file")
    func damagedIdIndex() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let a = try await store.add(&bob, #"{"name":"Ann","phone":"\#(Self.phone(1))"}"#)
        await Self.logOld(store, a, count: 3, first: 0)
        #expect(Self.code(await store.run(["CALL.LOG", String(a), #"{"outcome":"completed"}"#])) == nil)
        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["calls_moved"] == .integer(3))
        let file = try #require(Self.coldFiles(store.path).first)
        let summary = try ColdSegmentFile.verify(path: file)
        // One contact's block, the index's one chunk, its directory.
        #expect(summary.version == 2 && summary.blocks.count == 3 && summary.indexDirectory?.offset == summary.blocks[2].offset)
        #expect(Ids.count(try store.json(await store.run(["CALL.LIST", "LIMIT", "1"]))) == 1, "the hot call alone: no chunk read")
        #expect(Ids.count(try store.json(await store.run(["CALL.LIST"]))) == 4)
        var bytes = [UInt8](try #require(FileManager.default.contents(atPath: file)))
        bytes[Int(summary.blocks[1].offset) + ColdSegmentFile.blockHeaderSize + 2] ^= 0x5A
        #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
        #expect(Self.code(await store.run(["CALL.LIST"])) == "UNAVAILABLE")
        #expect(Ids.count(try store.json(await store.run(["CALL.HISTORY", String(a)]))) == 4)
        let problems = await store.directory.verifyColdSegments()
        #expect(problems.count == 1 && problems.first?.contains("segment-1.cold") == true, "\(problems)")
        await store.close()
    }

    @Test("BACKUP carries the cold segments (format version 2) and a restore reads the same calls")
    func backupAndRestoreCarryColdSegments() async throws {
        let store = try await Store()
        var bob = await store.signIn("bob")
        let a = try await store.add(&bob, #"{"name":"Ann","phone":"\#(Self.phone(1))"}"#)
        await Self.logOld(store, a, count: 4, first: 0)
        #expect(Self.code(await store.run(["CALL.LOG", String(a), #"{"outcome":"completed","notes":"recent"}"#])) == nil)
        #expect(Self.code(await store.run(["RETENTION.SET", "cold_call_days", "30"])) == nil)
        #expect(try store.json(await store.run(["RETENTION.RUN"]))["cold"]?["calls_moved"] == .integer(4))
        let before = await Self.answers(store, contacts: [a])
        let file = NSTemporaryDirectory() + "cold-backup-\(UUID().uuidString).csbk"
        defer { try? FileManager.default.removeItem(atPath: file) }
        let backup = await store.run(["BACKUP", file])
        #expect(Self.code(backup) == nil, "\(backup)")
        let manifest = try BackupReader.verify(path: file)
        #expect(manifest.coldSegments == 1)
        await store.close()
        let restored = NSTemporaryDirectory() + "cold-restored-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: restored) }
        _ = try await DataDirectoryRestore.restore(from: file, into: restored, logger: .init(label: "test"))
        #expect(Self.coldFiles(restored).count == 1)
        let directory = try ShardDirectory.open(Store.configuration(restored), logger: .init(label: "test"))
        let executor = CommandExecutor(directory: directory)
        var owner = Session(isLocalOwner: true)
        #expect(await executor.execute(["USE", "Acme"], session: &owner) == .ok)
        for line in before where !line.hasPrefix("CONTACT.GET") {
            let command = line.components(separatedBy: " → ")[0]
            guard !command.hasPrefix("page"), !command.hasPrefix("export") else { continue }
            let reply = await executor.execute(command.split(separator: " ").map(String.init), session: &owner)
            #expect(command + " → " + (reply.string ?? "\(reply)") == line)
        }
        #expect(await directory.verifyColdSegments().isEmpty)
        _ = await directory.close()
    }

    enum Ids {
        static func count(_ page: JSONValue) -> Int { ColdStorageTests.ids(page["calls"]).count }
    }
}
