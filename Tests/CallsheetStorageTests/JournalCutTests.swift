import Foundation
import Synchronization
import Testing
@testable import CallsheetStorage

/// Segment cuts (what a snapshot asks for): a new segment at the next sequence, with nothing
/// renumbered, moved or lost, under concurrent writers too. docs/STORAGE.md, "Compaction".
@Suite struct JournalCutTests {
    @Test func aCutStartsANewSegmentAtTheNextSequence() async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JournalWriter(directory: dir, after: 0, logger: testLogger)
            for i in 0..<10 { _ = try await writer.appendDurably(type: 0, payload: payload(i)) }
            #expect(try await writer.cutSegment() == 11)
            #expect(try JournalSegmentFile.list(in: dir).map(\.firstSequence) == [1, 11])
            #expect(try await writer.cutSegment() == 11, "nothing written since: no empty segment")
            #expect(try JournalSegmentFile.list(in: dir).count == 2)
            for i in 10..<15 { _ = try await writer.appendDurably(type: 0, payload: payload(i)) }
            #expect(try writer.removeSegments(coveredThrough: 10).map { FileSystem.fileName($0) } == [JournalSegmentFile.name(firstSequence: 1)])
            try writer.close()
            let (records, summary) = try replayAll(dir, after: 10)
            #expect(records.map(\.sequence) == Array(11...15))
            #expect(records.map(\.payload) == (10..<15).map { payload($0) })
            #expect(summary.lastSequence == 15)
        }
    }

    /// The state machine alone: a cut requested while records wait splits their batch at the cut.
    @Test func aCutSplitsThePendingBatchAtItsSequence() throws {
        var state = GroupCommitState<Int>(after: 0)
        _ = state.nextStep()
        for byte in 1...3 as ClosedRange<UInt8> {
            _ = try state.append(type: 0, payload: [byte], payloadState: JournalFormat.payloadState([byte]))
        }
        let cut = try state.requestCut()
        #expect(cut.sequence == 4)
        #expect(state.waitForCut(4, 40) == nil, "parked until the writer cuts")
        for byte in 4...5 as ClosedRange<UInt8> {
            _ = try state.append(type: 0, payload: [byte], payloadState: JournalFormat.payloadState([byte]))
        }
        guard case .write(let before) = state.nextStep() else { Issue.record("expected the records before the cut"); return }
        #expect(before.firstSequence == 1 && before.lastSequence == 3 && before.bytes.count == 3 * 25)
        #expect(state.acknowledge(through: 3).isEmpty)
        guard case .startSegment(let first) = state.nextStep() else { Issue.record("expected the cut"); return }
        #expect(first == 4)
        #expect(state.segmentStarted(4) == [40])
        guard case .write(let after) = state.nextStep() else { Issue.record("expected the records after the cut"); return }
        #expect(after.firstSequence == 4 && after.lastSequence == 5 && after.bytes.count == 2 * 25)
        #expect(state.waitForCut(4, 41).map { (try? $0.get()) != nil } == true)
    }

    /// A failure drops a requested cut and tells its waiters; no sequence is renumbered.
    @Test func aFailureAbandonsAPendingCut() throws {
        var state = GroupCommitState<Int>(after: 0)
        _ = state.nextStep()
        _ = try state.append(type: 0, payload: [1], payloadState: JournalFormat.payloadState([1]))
        _ = try state.requestCut()
        #expect(state.waitForCut(2, 7) == nil)
        #expect(state.fail(StorageError(.ioFailure, "test")) == [7])
        #expect(state.waitForCut(2, 8).map { (try? $0.get()) == nil } == true)
        #expect(throws: StorageError.self) { _ = try state.requestCut() }
        state.recover()
        guard case .idle = state.nextStep() else { Issue.record("no cut is left to carry out"); return }
    }

    /// The new segment of a cut cannot be written (a real ENOSPC: its path is a symlink to
    /// /dev/full): the cut is reported abandoned, writes are refused, and once the disk is healthy
    /// the probe makes the rotation, so the records after it land in the new segment.
    @Test func aCutOnAFullDiskIsMadeOnceTheDiskRecovers() async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JournalWriter(directory: dir, after: 0, options: .init(probeInterval: .milliseconds(20)), logger: testLogger)
            for i in 0..<2 { _ = try await writer.appendDurably(type: 0, payload: payload(i)) }
            let next = JournalSegmentFile(directory: dir, firstSequence: 3).path
            try FileManager.default.createSymbolicLink(atPath: next, withDestinationPath: "/dev/full")
            await expectUnavailable { _ = try await writer.cutSegment() }
            #expect(!writer.health.isHealthy)
            try FileManager.default.removeItem(atPath: next)
            #expect(try await eventually { writer.health.isHealthy })
            #expect(try JournalSegmentFile.list(in: dir).map(\.firstSequence) == [1, 3], "the probe made the rotation")
            #expect(try await writer.appendDurably(type: 0, payload: [7]) == 3)
            try writer.close()
            #expect(try replayAll(dir).0.map(\.sequence) == [1, 2, 3])
        }
    }

    /// 16 writers append and wait while cuts are made as fast as they come: every acknowledged
    /// record replays once, with its own payload, at its own sequence; each cut left a segment
    /// starting exactly at the sequence it returned.
    @Test func cutsUnderConcurrentWritersKeepEveryAcknowledgedRecord() async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JournalWriter(directory: dir, after: 0, options: .init(fsyncPolicy: .always), logger: testLogger)
            let done = StopFlag()
            let (acknowledged, cuts) = try await withThrowingTaskGroup(of: ([(UInt64, [UInt8])], [UInt64]).self) { group in
                for task in 0..<16 {
                    group.addTask {
                        var mine: [(UInt64, [UInt8])] = []
                        for i in 0..<60 {
                            let bytes = payload(task * 1000 + i)
                            let receipt = try writer.appendRecord(type: UInt16(task), payload: bytes)
                            try await writer.waitDurable(receipt)
                            mine.append((receipt.sequence, bytes))
                        }
                        return (mine, [])
                    }
                }
                group.addTask {
                    var cuts: [UInt64] = []
                    while !done.isSet {
                        cuts.append(try await writer.cutSegment())
                        await Task.yield()
                    }
                    return ([], cuts)
                }
                var records: [(UInt64, [UInt8])] = []
                var cuts: [UInt64] = []
                var writersLeft = 16
                for try await (mine, made) in group {
                    records += mine
                    cuts += made
                    if !mine.isEmpty {
                        writersLeft -= 1
                        if writersLeft == 0 { done.set() }
                    }
                }
                return (records, cuts)
            }
            try writer.close()
            let total = 16 * 60
            #expect(acknowledged.count == total)
            let (records, _) = try replayAll(dir)
            #expect(records.map(\.sequence) == Array(1...UInt64(total)), "consecutive, none lost or repeated")
            let byPayload = Dictionary(uniqueKeysWithValues: acknowledged.map { ($0.0, $0.1) })
            for record in records { #expect(byPayload[record.sequence] == record.payload, "record \(record.sequence)") }
            let starts = Set(try JournalSegmentFile.list(in: dir).map(\.firstSequence))
            #expect(cuts.count > 3, "cuts were made while writing (\(cuts.count))")
            for cut in Set(cuts) where cut <= UInt64(total) { #expect(starts.contains(cut), "a segment starts at cut \(cut)") }
        }
    }
}

/// A flag one task sets and others poll.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
