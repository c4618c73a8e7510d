import CallsheetCore
@testable import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// One record of a journal segment as it sits in the file.
struct SegmentRecord {
    var offset: Int
    var end: Int
    var type: UInt16
    var sequence: UInt64
    var payload: [UInt8]
}

/// The records of a valid segment, in file order.
func segmentRecords(_ path: String) throws -> [SegmentRecord] {
    let bytes = try TestFiles.bytes(path)
    var records: [SegmentRecord] = []
    var offset = JournalFormat.segmentHeaderSize
    while offset + JournalFormat.recordHeaderSize <= bytes.count {
        let length = Int(bytes.loadLittleEndian(UInt32.self, at: offset + 4))
        let end = offset + JournalFormat.recordHeaderSize + length
        guard end <= bytes.count else { break }
        records.append(
            SegmentRecord(
                offset: offset, end: end, type: bytes.loadLittleEndian(UInt16.self, at: offset + 8),
                sequence: bytes.loadLittleEndian(UInt64.self, at: offset + 12),
                payload: Array(bytes[(offset + JournalFormat.recordHeaderSize)..<end])))
        offset = end
    }
    return records
}

/// The journal record that created contact "Person n": its segment and place in it.
func recordCreating(_ n: Int, in directory: String) throws -> (segment: String, record: SegmentRecord)? {
    for segment in try journalSegments(directory) {
        for record in try segmentRecords(segment) {
            guard let set = try? RecordCodec.decodeChangeSet(record.payload) else { continue }
            for case .putContact(let contact) in set.changes where contact.name == "Person \(n)" { return (segment, record) }
        }
    }
    return nil
}

/// Writes a segment again with one record's type or payload replaced, checksums recomputed: a
/// record that verifies but does not decode.
func rewriteRecord(_ segment: String, sequence: UInt64, type newType: UInt16? = nil, payload newPayload: [UInt8]? = nil) throws {
    let records = try segmentRecords(segment)
    let first = try #require(records.first?.sequence)
    let bytes = JournalFormat.segmentBytes(
        firstSequence: first,
        records: records.map { record in
            record.sequence == sequence ? (type: newType ?? record.type, payload: newPayload ?? record.payload) : (type: record.type, payload: record.payload)
        })
    try TestFiles.write(bytes, to: segment)
}

/// The three data-loss cases of issue 10, each against a model of what was acknowledged: the
/// state before the crash. Nothing readable and acknowledged may be lost; what is physically
/// unreadable is counted and reported.
@Suite struct RecoveryDamageTests {
    /// Organization, `count` contacts, a SNAPSHOT after `snapshotAfter` of them (if given), crash.
    static func build(_ path: String, count: Int, snapshotAfter: Int? = nil) async throws -> [OrganizationID: OrganizationDump] {
        var store = try await SnapshotCrashTests.seeded(testConfiguration(path), count: snapshotAfter ?? count)
        if let snapshotAfter {
            #expect(errorCode(await store.run("SNAPSHOT")) == nil)
            for n in snapshotAfter..<count { #expect(errorCode(await store.run("CONTACT.ADD", contactJSON(n))) == nil) }
        }
        let state = try await dump(store.directory)
        try await store.crash()
        return state.organizations
    }

    static func open(_ path: String, repair: Bool = false) throws -> OpenStore {
        var configuration = testConfiguration(path)
        configuration.repair = repair
        return try OpenStore(configuration)
    }

    /// Case 1a: damage in records the snapshot already covers costs nothing: the store starts
    /// without --repair and holds every acknowledged contact.
    @Test func damageTheSnapshotCoversIsSkipped() async throws {
        try await withTemporaryDirectory(prefix: "below") { path in
            // Two snapshots: retention keeps the journal back to the older one (at 21), so the
            // records 22–41 the newer one (at 41) covers are still in a segment.
            var store = try await SnapshotCrashTests.seeded(testConfiguration(path), count: 20)
            #expect(errorCode(await store.run("SNAPSHOT")) == nil)
            for n in 20..<40 { #expect(errorCode(await store.run("CONTACT.ADD", contactJSON(n))) == nil) }
            #expect(errorCode(await store.run("SNAPSHOT")) == nil)
            for n in 40..<60 { #expect(errorCode(await store.run("CONTACT.ADD", contactJSON(n))) == nil) }
            let acknowledged = try await dump(store.directory).organizations
            try await store.crash()
            let (segment, record) = try #require(try recordCreating(30, in: path))
            try TestFiles.flipByte(segment, at: record.offset + 40)
            try TestFiles.flipByte(segment, at: record.offset + 41)
            let before = try TestFiles.bytes(segment)
            let opened = try Self.open(path)
            let state = try await dump(opened.directory)
            expectSameState(state.organizations, acknowledged, "damage below the snapshot")
            #expect(state.problems.isEmpty)
            let report = await opened.directory.recoveryReport
            #expect(report.contains("journal damage skipped at \(segment) offset \(record.offset)"), "\(report)")
            #expect(try TestFiles.bytes(segment) == before, "a start that loses nothing rewrites nothing")
            try await opened.crash()
        }
    }

    /// Case 1b: damage above the snapshot followed by valid records: the start refuses, naming
    /// the file, the offset, the lost record and how many later records --repair keeps; --repair
    /// then keeps every one of them and writes a snapshot over the hole.
    @Test func damageAboveTheSnapshotLosesOnlyTheUnreadableRecord() async throws {
        try await withTemporaryDirectory(prefix: "above") { path in
            var acknowledged = try await Self.build(path, count: 60, snapshotAfter: 40)
            let (segment, record) = try #require(try recordCreating(45, in: path))
            try TestFiles.flipByte(segment, at: record.offset + 60)
            let error = #expect(throws: CallsheetError.self) { _ = try Self.open(path) }
            let message = error?.message ?? ""
            #expect(message.contains("JOURNAL_CORRUPT") && message.contains("[file \(segment) offset \(record.offset)]"), "\(message)")
            #expect(message.contains("1 acknowledged record(s) cannot be read (sequences \(record.sequence))"), "\(message)")
            #expect(message.contains("14 valid record(s) after the damage are intact"), "\(message)")
            #expect(message.contains("--repair"), "\(message)")

            let repaired = try Self.open(path, repair: true)
            let state = try await dump(repaired.directory)
            // The model minus the one contact whose record is unreadable.
            let id = try #require(acknowledged.keys.first)
            let remaining = acknowledged[id]?.contacts.filter { $0.value.name != "Person 45" } ?? [:]
            acknowledged[id]?.contacts = remaining
            expectSameState(state.organizations, acknowledged, "after --repair", ignoringCounters: true)
            #expect(state.problems.isEmpty)
            let report = await repaired.directory.recoveryReport
            #expect(report.contains("journal repaired: 1 record(s) lost, 14 record(s) after the damage kept"), "\(report)")
            #expect(FileManager.default.fileExists(atPath: segment + ".corrupt"))
            try await repaired.crash()
            let reopened = try Self.open(path)
            expectSameState(try await dump(reopened.directory).organizations, state.organizations, "reopened after --repair")
            try await reopened.crash()
        }
    }

    /// A flipped bit in a segment header (reported at offset 0, and the whole segment moved aside,
    /// before): the records carry their own sequence numbers, so nothing is lost.
    @Test func flippedSegmentHeaderLosesNothing() async throws {
        try await withTemporaryDirectory(prefix: "header") { path in
            let acknowledged = try await Self.build(path, count: 30)
            let segment = try #require(try journalSegments(path).first)
            try TestFiles.flipByte(segment, at: 17)  // the first sequence, under the header checksum
            let store = try Self.open(path)
            expectSameState(try await dump(store.directory).organizations, acknowledged, "header bit flip")
            #expect(await store.directory.recoveryReport.contains("journal damage skipped at \(segment) offset 0"))
            // New writes go on and survive a restart.
            var writing = store
            #expect(errorCode(await writing.run("USE", "Acme")) == nil)
            #expect(errorCode(await writing.run("CONTACT.ADD", contactJSON(30))) == nil)
            try await store.crash()
            let reopened = try Self.open(path)
            #expect(try await dump(reopened.directory).organizations.values.first?.contacts.count == 31)
            try await reopened.crash()
        }
    }

    /// A segment of an unknown format version is not damage: refused with and without --repair,
    /// saying it was written by a newer release, and nothing is moved or cut.
    @Test func segmentFromANewerReleaseIsRefusedEvenWithRepair() async throws {
        try await withTemporaryDirectory(prefix: "newer") { path in
            _ = try await Self.build(path, count: 10)
            let segment = try #require(try journalSegments(path).first)
            var bytes = try TestFiles.bytes(segment)
            bytes.storeLittleEndian(UInt16(2), at: 8)
            bytes.storeLittleEndian(CRC32C.checksum(bytes[0..<28]), at: 28)
            try TestFiles.write(bytes, to: segment)
            for repair in [false, true] {
                let error = #expect(throws: CallsheetError.self) { _ = try Self.open(path, repair: repair) }
                let message = error?.message ?? ""
                #expect(message.contains("NEWER_FORMAT") && message.contains("written by a newer release"), "\(message)")
                #expect(message.contains("[file \(segment)"), "\(message)")
                #expect(!message.contains("CORRUPT"), "\(message)")
            }
            #expect(try TestFiles.bytes(segment) == bytes)
            #expect(try TestFiles.names(path).filter { $0.contains(".corrupt") }.isEmpty)
        }
    }

    enum SnapshotDamage: String, CaseIterable, Sendable {
        case newerContentVersion, truncatedContent, trailingBytes
    }

    /// Case 2: a newest snapshot whose checksums are right but whose content does not decode
    /// falls back to the older snapshot plus the journal, which recover everything; case 3: the
    /// next snapshot's retention then keeps the good older one and deletes the bad one.
    @Test(arguments: SnapshotDamage.allCases)
    func undecodableNewestSnapshotFallsBack(_ damage: SnapshotDamage) async throws {
        try await withTemporaryDirectory(prefix: "fallback") { path in
            var store = try await SnapshotCrashTests.seeded(testConfiguration(path), count: 20)
            #expect(errorCode(await store.run("SNAPSHOT")) == nil)
            for n in 20..<40 { await store.run("CONTACT.ADD", contactJSON(n)) }
            #expect(errorCode(await store.run("SNAPSHOT")) == nil)
            for n in 40..<50 { await store.run("CONTACT.ADD", contactJSON(n)) }
            let acknowledged = try await dump(store.directory).organizations
            try await store.crash()
            let snapshots = try snapshotFiles(path)
            #expect(snapshots.count == 2)
            let newest = try SnapshotReader.load(path: snapshots[0])
            var content = newest.content
            switch damage {
            case .newerContentVersion: content[4] = UInt8(SnapshotCodec.version + 1)  // "CSDS", then the version varint
            case .truncatedContent: content.removeLast(7)
            case .trailingBytes: content += [0, 0, 0]
            }
            try FileManager.default.removeItem(atPath: snapshots[0])
            let writer = try SnapshotWriter(directory: path, header: SnapshotHeader(sequence: newest.header.sequence))
            try writer.write(content)
            _ = try writer.commit()
            #expect((try? SnapshotReader.verify(path: snapshots[0])) != nil, "every checksum of the damaged snapshot is right")

            var reopened = try Self.open(path)
            expectSameState(try await dump(reopened.directory).organizations, acknowledged, "fallback (\(damage))")
            let report = await reopened.directory.recoveryReport
            #expect(report.contains("snapshot \(snapshots[0]) passed over"), "\(report)")
            if damage == .newerContentVersion { #expect(report.contains("written by a newer release"), "\(report)") }
            // Retention counts only usable snapshots: the new one and the good older one stay.
            await reopened.run("USE", "Acme")
            await reopened.run("CONTACT.ADD", contactJSON(50))
            #expect(errorCode(await reopened.run("SNAPSHOT")) == nil)
            let kept = try snapshotFiles(path)
            #expect(kept.count == 2 && kept[1] == snapshots[1], "kept \(kept)")
            #expect(!kept.contains(snapshots[0]))
            try await reopened.crash()
        }
    }

    enum PayloadDamage: String, CaseIterable, Sendable {
        case unknownChangeSetVersion, unknownRecordType, overlongVarint
    }

    /// Journal records with a valid checksum whose payload does not decode: refused naming the
    /// file and offset; --repair sets only that record aside.
    @Test(arguments: PayloadDamage.allCases)
    func undecodableJournalRecord(_ damage: PayloadDamage) async throws {
        try await withTemporaryDirectory(prefix: "payload") { path in
            var acknowledged = try await Self.build(path, count: 20)
            let (segment, record) = try #require(try recordCreating(7, in: path))
            switch damage {
            case .unknownChangeSetVersion:
                try rewriteRecord(segment, sequence: record.sequence, payload: [9] + record.payload.dropFirst())
            case .unknownRecordType:
                try rewriteRecord(segment, sequence: record.sequence, type: 77)
            case .overlongVarint:
                try rewriteRecord(segment, sequence: record.sequence, payload: [1] + [UInt8](repeating: 0xFF, count: 12) + [1])
            }
            let error = #expect(throws: CallsheetError.self) { _ = try Self.open(path) }
            let message = error?.message ?? ""
            #expect(message.contains("RECORD_UNREADABLE") && message.contains("journal record \(record.sequence)"), "\(message)")
            #expect(message.contains("[file \(segment) offset \(record.offset + JournalFormat.recordHeaderSize)]"), "\(message)")
            if damage == .unknownChangeSetVersion { #expect(message.contains("written by a newer release"), "\(message)") }

            let repaired = try Self.open(path, repair: true)
            let id = try #require(acknowledged.keys.first)
            let remaining = acknowledged[id]?.contacts.filter { $0.value.name != "Person 7" } ?? [:]
            acknowledged[id]?.contacts = remaining
            let state = try await dump(repaired.directory)
            expectSameState(state.organizations, acknowledged, "repaired (\(damage))", ignoringCounters: true)
            #expect(await repaired.directory.recoveryReport.contains("1 record(s) lost, 12 record(s) after the damage kept"))
            try await repaired.crash()
            let reopened = try Self.open(path)
            expectSameState(try await dump(reopened.directory).organizations, state.organizations, "reopened (\(damage))")
            try await reopened.crash()
        }
    }

    /// `verify` decodes every record and checks that snapshot and journal join up: it fails
    /// exactly the directories a start refuses.
    @Test func verifyAgreesWithTheStart() async throws {
        try await withTemporaryDirectory(prefix: "verify") { path in
            _ = try await Self.build(path, count: 20)
            let healthy = try StorageVerifier.verify(path: path) { ShardDirectory.startupCheck(directory: $0) }
            #expect(healthy.isHealthy, "\(healthy)")
            #expect(healthy.startup?.lines.contains { $0.contains("21 records replayed") } == true, "\(healthy)")

            // A payload that verifies but does not decode: the file checks pass, the dry run does not.
            let (segment, record) = try #require(try recordCreating(3, in: path))
            try rewriteRecord(segment, sequence: record.sequence, payload: [9] + record.payload.dropFirst())
            let undecodable = try StorageVerifier.verify(path: path) { ShardDirectory.startupCheck(directory: $0) }
            #expect(!undecodable.isHealthy)
            #expect(undecodable.description.contains("start: REFUSED"), "\(undecodable)")
            #expect(undecodable.description.contains("offset \(record.offset)"), "\(undecodable)")
        }
        try await withTemporaryDirectory(prefix: "verify-gap") { path in
            // A snapshot at 10, and a journal that starts at 16: JOURNAL_GAP at start, so verify fails too.
            _ = try await Self.build(path, count: 9)
            var store = try Self.open(path)
            await store.run("USE", "Acme")
            #expect(errorCode(await store.run("SNAPSHOT")) == nil)
            try await store.crash()
            store = try Self.open(path)
            await store.run("USE", "Acme")
            for n in 9..<20 { await store.run("CONTACT.ADD", contactJSON(n)) }
            try await store.crash()
            let segment = try #require(try journalSegments(path).last)
            let records = try segmentRecords(segment)
            let kept = JournalFormat.segmentBytes(
                firstSequence: records[5].sequence, records: records.dropFirst(5).map { (type: $0.type, payload: $0.payload) })
            try FileManager.default.removeItem(atPath: segment)
            try TestFiles.write(kept, to: JournalSegmentFile(directory: path, firstSequence: records[5].sequence).path)
            let report = try StorageVerifier.verify(path: path) { ShardDirectory.startupCheck(directory: $0) }
            #expect(!report.isHealthy)
            #expect(report.journal?.lost.first.map { [$0.first, $0.last] } == [records[0].sequence, records[4].sequence], "\(report)")
            let error = #expect(throws: CallsheetError.self) { _ = try Self.open(path) }
            #expect(error?.message.contains("JOURNAL_GAP") == true, "\(error?.message ?? "")")
        }
    }
}
