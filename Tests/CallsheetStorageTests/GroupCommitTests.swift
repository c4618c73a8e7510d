import Synchronization
import Testing
@testable import CallsheetStorage

@Suite struct GroupCommitTests {
    /// 50 concurrent writers: every acknowledged record is durable and replays, each writer's
    /// sequences rise in call order, and they share fsyncs.
    @Test func concurrentWritersShareFsyncs() async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JournalWriter(directory: dir, after: 0, logger: testLogger)
            let perTask = 40
            let acknowledged = try await withThrowingTaskGroup(of: [(UInt64, [UInt8])].self) { group in
                for task in 0..<50 {
                    group.addTask {
                        var mine: [(UInt64, [UInt8])] = []
                        for i in 0..<perTask {
                            let bytes = payload(task * 1000 + i)
                            let sequence = try writer.append(type: UInt16(task), payload: bytes)
                            try await writer.waitDurable(sequence)
                            mine.append((sequence, bytes))
                        }
                        return mine
                    }
                }
                var all: [[(UInt64, [UInt8])]] = []
                for try await mine in group { all.append(mine) }
                return all
            }
            let statistics = writer.statistics
            try writer.close()
            for mine in acknowledged {
                #expect(mine.map(\.0) == mine.map(\.0).sorted(), "call order is sequence order")
            }
            let total = 50 * perTask
            #expect(statistics.recordsAppended == UInt64(total))
            #expect(statistics.fsyncs < UInt64(total), "group commit: \(statistics.fsyncs) fsyncs for \(total) records")
            #expect(statistics.batchesWritten < UInt64(total))
            let (records, _) = try replayAll(dir)
            #expect(records.map(\.sequence) == Array(1...UInt64(total)))
            let byTask = Dictionary(uniqueKeysWithValues: acknowledged.flatMap { $0 }.map { ($0.0, $0.1) })
            for record in records { #expect(byTask[record.sequence] == record.payload) }
        }
    }

    /// The state machine alone, with integer waiters.
    @Test func stateMachineReleasesExactlyTheCoveredWaiters() throws {
        var state = GroupCommitState<Int>(after: 10)
        guard case .idle = state.nextStep() else { Issue.record("expected idle"); return }
        let a = try state.append(type: 1, payload: [1], payloadState: JournalFormat.payloadState([1]))
        #expect(a.sequence == 11 && a.wakeWriter, "the idle writer is woken")
        let b = try state.append(type: 1, payload: [2], payloadState: JournalFormat.payloadState([2]))
        #expect(b.sequence == 12 && !b.wakeWriter, "and only once")
        #expect(state.wait(for: 10, 0).map { (try? $0.get()) != nil } == true, "already durable")
        #expect(state.wait(for: 11, 11) == nil && state.wait(for: 12, 12) == nil)
        guard case .write(let batch) = state.nextStep() else { Issue.record("expected write"); return }
        #expect(batch.firstSequence == 11 && batch.lastSequence == 12)
        _ = try state.append(type: 1, payload: [3], payloadState: JournalFormat.payloadState([3]))
        #expect(state.wait(for: 13, 13) == nil)
        #expect(state.acknowledge(through: 12).sorted() == [11, 12])
        #expect(state.fail(StorageError(.ioFailure, "test")) == [13])
        #expect(state.nextSequence == 13, "rewound past the discarded record")
        #expect(throws: StorageError.self) {
            _ = try state.append(type: 1, payload: [], payloadState: CRC32C.initial)
        }
        state.recover()
        #expect(try state.append(type: 1, payload: [], payloadState: CRC32C.initial).sequence == 13)
    }

    /// A record discarded by a failure, whose waiter comes late: by then its sequence belongs to
    /// a record appended after the journal recovered, and that one is durable. The late waiter
    /// must still hear that its own record was lost (it used to be told "durable").
    @Test func aWaitAfterARewindAsksAboutItsOwnRecord() throws {
        var state = GroupCommitState<Int>(after: 10)
        _ = state.nextStep()
        let lost = try state.append(type: 1, payload: [1], payloadState: JournalFormat.payloadState([1]))
        let lostEpoch = state.failureCount
        _ = state.nextStep()
        #expect(state.fail(StorageError(.ioFailure, "test")).isEmpty, "its waiter has not registered yet")
        #expect(state.discarded(lost.sequence, appendedAfter: lostEpoch))
        state.recover()
        let other = try state.append(type: 1, payload: [2], payloadState: JournalFormat.payloadState([2]))
        #expect(other.sequence == lost.sequence, "the rewound sequence is handed out again")
        let otherEpoch = state.failureCount
        _ = state.nextStep()
        _ = state.acknowledge(through: other.sequence)
        let late = state.wait(for: lost.sequence, appendedAfter: lostEpoch, 99)
        #expect(late.map { (try? $0.get()) == nil } == true, "the lost record is reported lost")
        #expect(state.wait(for: other.sequence, appendedAfter: otherEpoch, 98).map { (try? $0.get()) != nil } == true)
        #expect(!state.discarded(other.sequence, appendedAfter: otherEpoch))
        // A record acknowledged before a failure stays durable for a late waiter.
        let kept = try state.append(type: 1, payload: [3], payloadState: JournalFormat.payloadState([3]))
        let keptEpoch = state.failureCount
        _ = state.nextStep()
        _ = state.acknowledge(through: kept.sequence)
        _ = state.fail(StorageError(.ioFailure, "again"))
        #expect(!state.discarded(kept.sequence, appendedAfter: keptEpoch))
        #expect(state.wait(for: kept.sequence, appendedAfter: keptEpoch, 97).map { (try? $0.get()) != nil } == true)
    }
}

extension GroupCommitState.Step {
    var isWrite: Bool {
        if case .write = self { return true }
        return false
    }
}
