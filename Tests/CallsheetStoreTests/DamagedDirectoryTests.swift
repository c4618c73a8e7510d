import CallsheetCore
@testable import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// 1,000 seeded damaged data directories (bits flipped, files truncated, ranges zeroed or spliced
/// from elsewhere, segments duplicated under other names). Each either starts with every readable
/// acknowledged record or refuses naming a file; `--repair` always starts with every readable
/// record, and the repaired directory then starts cleanly. Never a trap.
///
/// "Readable" is judged independently of recovery: a record is readable if a whole record with its
/// exact bytes is still in some segment file (found by trying every offset), or if a snapshot that
/// still verifies covers it. A failing seed prints itself; rerun it alone with
/// `CALLSHEET_DAMAGE_SEED=<seed> swift test --filter DamagedDirectoryTests`.
@Suite(.serialized) struct DamagedDirectoryTests {
    /// A pristine directory and what it acknowledged.
    struct Base {
        var path: String
        var state: [OrganizationID: OrganizationDump]
        /// Contact id → the sequence of the record that created it.
        var contactRecords: [ContactID: UInt64]
        /// Sequence → the record's bytes as written (header and payload).
        var recordBytes: [UInt64: [UInt8]]
        var snapshotSequence: UInt64?
    }

    static func makeBase(_ path: String, snapshotAfter: Int?) async throws -> Base {
        var configuration = testConfiguration(path)
        configuration.segmentSize = 2048
        var store = try await SnapshotCrashTests.seeded(configuration, count: snapshotAfter ?? 60)
        var snapshotSequence: UInt64?
        if let snapshotAfter {
            #expect(errorCode(await store.run("SNAPSHOT")) == nil)
            snapshotSequence = try SnapshotFile.list(in: path).first?.sequence
            for n in snapshotAfter..<60 { #expect(errorCode(await store.run("CONTACT.ADD", contactJSON(n))) == nil) }
        }
        let state = try await dump(store.directory).organizations
        try await store.crash()
        var contactRecords: [ContactID: UInt64] = [:]
        var recordBytes: [UInt64: [UInt8]] = [:]
        for segment in try journalSegments(path) {
            let bytes = try TestFiles.bytes(segment)
            for record in try segmentRecords(segment) {
                recordBytes[record.sequence] = Array(bytes[record.offset..<record.end])
                guard let set = try? RecordCodec.decodeChangeSet(record.payload) else { continue }
                for case .putContact(let contact) in set.changes { contactRecords[contact.id] = record.sequence }
            }
        }
        // Contacts the snapshot holds whose journal records retention removed.
        for organization in state.values {
            for id in organization.contacts.keys where contactRecords[id] == nil {
                contactRecords[id] = 0
            }
        }
        return Base(path: path, state: state, contactRecords: contactRecords, recordBytes: recordBytes, snapshotSequence: snapshotSequence)
    }

    /// Sequences of every whole, checksummed record anywhere in the directory's segment files.
    static func readableSequences(_ path: String, base: Base) throws -> Set<UInt64> {
        var found: Set<UInt64> = []
        for segment in try journalSegments(path) {
            let bytes = try TestFiles.bytes(segment)
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset + JournalFormat.recordHeaderSize <= raw.count {
                    if case .valid(_, let sequence, _, let end) = JournalFormat.probeRecord(raw, at: offset),
                        base.recordBytes[sequence] == Array(raw[offset..<end])
                    {
                        found.insert(sequence)
                    }
                    offset += 1
                }
            }
        }
        return found
    }

    enum Damage: CaseIterable { case flip, truncate, zero, splice, duplicateSegment }

    /// Damages 1–3 spots of the directory's snapshot and segment files.
    static func damage(_ path: String, _ random: inout SeededRandom) throws -> [String] {
        var done: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let files = try journalSegments(path) + snapshotFiles(path)
            guard let file = files.randomElement(using: &random) else { break }
            var bytes = try TestFiles.bytes(file)
            guard !bytes.isEmpty else { continue }
            let name = (file as NSString).lastPathComponent
            switch Damage.allCases.randomElement(using: &random)! {
            case .flip:
                let at = Int.random(in: 0..<bytes.count, using: &random)
                bytes[at] ^= UInt8.random(in: 1...255, using: &random)
                done.append("flip \(name)@\(at)")
            case .truncate:
                let length = Int.random(in: 0..<bytes.count, using: &random)
                bytes.removeLast(bytes.count - length)
                done.append("truncate \(name) to \(length)")
            case .zero:
                let at = Int.random(in: 0..<bytes.count, using: &random)
                let end = min(bytes.count, at + Int.random(in: 1...64, using: &random))
                for i in at..<end { bytes[i] = 0 }
                done.append("zero \(name)@\(at)..<\(end)")
            case .splice:
                let source = try TestFiles.bytes(files.randomElement(using: &random)!)
                guard !source.isEmpty else { continue }
                let from = Int.random(in: 0..<source.count, using: &random)
                let piece = source[from..<min(source.count, from + Int.random(in: 1...200, using: &random))]
                let at = Int.random(in: 0..<bytes.count, using: &random)
                for (i, byte) in piece.enumerated() where at + i < bytes.count { bytes[at + i] = byte }
                done.append("splice \(piece.count) bytes to \(name)@\(at)")
            case .duplicateSegment:
                guard let segment = try journalSegments(path).randomElement(using: &random) else { continue }
                let target = JournalSegmentFile(directory: path, firstSequence: UInt64.random(in: 1...90, using: &random)).path
                guard target != segment else { continue }
                try? FileManager.default.removeItem(atPath: target)
                try FileManager.default.copyItem(atPath: segment, toPath: target)
                done.append("duplicate \((segment as NSString).lastPathComponent) as \((target as NSString).lastPathComponent)")
                continue
            }
            try TestFiles.write(bytes, to: file)
        }
        return done
    }

    /// Checks a started store: nothing invented or altered, and every readable contact there.
    static func check(
        _ store: OpenStore, base: Base, readable: Set<UInt64>, snapshotUsable: Bool, _ context: String
    ) async throws {
        let state = try await dump(store.directory)
        #expect(state.problems.isEmpty, "\(context): \(state.problems)")
        let covered = { (sequence: UInt64) in
            snapshotUsable && sequence <= (base.snapshotSequence ?? 0) || readable.contains(sequence)
        }
        for (id, organization) in state.organizations {
            guard let want = base.state[id] else {
                Issue.record("\(context): organization \(id) was never acknowledged")
                continue
            }
            for (contactID, contact) in organization.contacts where want.contacts[contactID] != contact {
                Issue.record("\(context): contact \(contactID) differs from what was acknowledged")
            }
        }
        // Everything readable is there, as long as the record creating the organization is.
        guard covered(1) else { return }
        for (id, organization) in base.state {
            let got = state.organizations[id]?.contacts ?? [:]
            for contactID in organization.contacts.keys where got[contactID] == nil {
                let sequence = base.contactRecords[contactID] ?? 0
                if covered(sequence) || (sequence == 0 && snapshotUsable) {
                    Issue.record("\(context): contact \(contactID) (record \(sequence)) is readable but missing")
                }
            }
        }
    }

    @Test func thousandDamagedDirectories() async throws {
        let only = ProcessInfo.processInfo.environment["CALLSHEET_DAMAGE_SEED"].flatMap(UInt64.init)
        try await withTemporaryDirectory(prefix: "damage-base") { root in
            var bases: [Base] = []
            for (index, snapshotAfter) in [nil, 30].enumerated() {
                let path = root + "/base\(index)"
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                bases.append(try await Self.makeBase(path, snapshotAfter: snapshotAfter))
            }
            #expect(try journalSegments(bases[0].path).count >= 4, "the workload spans several segments")
            var outcomes = (started: 0, refused: 0)
            for seed in only.map({ [$0] }) ?? Array(0..<1000) {
                let base = bases[Int(seed % 2)]
                let path = root + "/seed\(seed)"
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: path) }
                for name in try TestFiles.names(base.path) where name != DataDirectoryLock.fileName {
                    try FileManager.default.copyItem(atPath: base.path + "/" + name, toPath: path + "/" + name)
                }
                var random = SeededRandom(seed: seed &* 0x9E37_79B9 &+ 17)
                let damage = try Self.damage(path, &random)
                let context = "seed \(seed) [\(damage.joined(separator: "; "))]"
                let readable = try Self.readableSequences(path, base: base)
                let snapshotUsable = try snapshotFiles(path).contains { (try? SnapshotReader.verify(path: $0)) != nil }

                do {
                    let store = try RecoveryDamageTests.open(path)
                    outcomes.started += 1
                    try await Self.check(store, base: base, readable: readable, snapshotUsable: snapshotUsable, context + " (start)")
                    try await store.crash()
                    continue
                } catch let error as CallsheetError {
                    outcomes.refused += 1
                    #expect(error.message.contains("[file "), "\(context): a refusal names its file: \(error.message)")
                }
                let repaired: OpenStore
                do {
                    repaired = try RecoveryDamageTests.open(path, repair: true)
                } catch {
                    Issue.record("\(context): --repair did not start: \(error)")
                    continue
                }
                try await Self.check(repaired, base: base, readable: readable, snapshotUsable: snapshotUsable, context + " (--repair)")
                let state = try await dump(repaired.directory).organizations
                try await repaired.crash()
                do {
                    let reopened = try RecoveryDamageTests.open(path)
                    expectSameState(try await dump(reopened.directory).organizations, state, context + " (reopened after --repair)")
                    try await reopened.crash()
                } catch {
                    Issue.record("\(context): the repaired directory does not start: \(error)")
                }
            }
            if only == nil {
                // Both outcomes occur, so both paths were exercised.
                #expect(outcomes.started > 100 && outcomes.refused > 100, "\(outcomes)")
            }
        }
    }
}
