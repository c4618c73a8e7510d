import Foundation
import Synchronization
import Testing
@testable import CallsheetStorage

/// Records the health changes a writer reports.
final class HealthLog: Sendable {
    private let changes = Mutex<[Bool]>([])
    var healthy: [Bool] { changes.withLock { $0 } }
    func record(_ health: JournalHealth) { changes.withLock { $0.append(health.isHealthy) } }
}

func eventually(timeout: Duration = .seconds(5), _ condition: () -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return condition()
}

func expectUnavailable(_ body: () async throws -> Void) async {
    do {
        try await body()
        Issue.record("expected journalUnavailable, got success")
    } catch let error as StorageError {
        #expect(error.code == .journalUnavailable, "\(error)")
    } catch {
        Issue.record("unexpected \(error)")
    }
}

@Suite struct JournalFailureTests {
    /// A real ENOSPC: the next segment's path is a symlink to /dev/full.
    @Test func fullDiskIsNeverAcknowledgedAndRecovers() async throws {
        try await withTemporaryDirectory { dir in
            let log = HealthLog()
            let options = JournalWriter.Options(
                segmentSize: 200, probeInterval: .milliseconds(30), onHealthChange: { log.record($0) })
            let writer = try JournalWriter(directory: dir, after: 0, options: options, logger: testLogger)
            _ = try await writer.appendDurably(type: 1, payload: payload(1, length: 100))
            _ = try await writer.appendDurably(type: 1, payload: payload(2, length: 100))
            let first = try #require(try segmentPaths(dir).first)
            let sizeBefore = try fileSize(first)
            let next = JournalSegmentFile(directory: dir, firstSequence: 3).path
            try FileManager.default.createSymbolicLink(atPath: next, withDestinationPath: "/dev/full")

            let doomed = try writer.append(type: 1, payload: payload(3, length: 100))
            #expect(doomed == 3)
            await expectUnavailable { try await writer.waitDurable(doomed) }
            #expect(!writer.health.isHealthy)
            if case .failed(let cause) = writer.health { #expect(cause.errno == ENOSPC) }
            await expectUnavailable { _ = try writer.append(type: 1, payload: [1]) }
            await expectUnavailable { try await writer.waitDurable(doomed) }
            try await Task.sleep(for: .milliseconds(150))
            #expect(!writer.health.isHealthy, "probes keep failing while the disk is full")
            #expect(try fileSize(first) == sizeBefore, "acknowledged records untouched")

            try FileManager.default.removeItem(atPath: next)
            #expect(try await eventually { writer.health.isHealthy })
            let retry = try await writer.appendDurably(type: 2, payload: [9, 9])
            #expect(retry == 3, "the sequence rewound past the discarded record")
            try writer.close()
            #expect(log.healthy == [false, true])
            let (records, _) = try replayAll(dir)
            #expect(records.map(\.sequence) == [1, 2, 3])
            #expect(records.last?.payload == [9, 9])
        }
    }

    @Test func failedFsyncIsNeverAcknowledgedAndRecovers() async throws {
        try await withTemporaryDirectory { dir in
            let faults = JournalFaultInjection()
            let options = JournalWriter.Options(probeInterval: .milliseconds(30), faultInjection: faults)
            let writer = try JournalWriter(directory: dir, after: 0, options: options, logger: testLogger)
            for i in 1...5 { _ = try await writer.appendDurably(type: 1, payload: payload(i)) }
            let path = try #require(try segmentPaths(dir).first)
            let durableSize = try fileSize(path)

            faults.failFsyncs()
            let a = try writer.append(type: 1, payload: payload(6))
            // The writer thread may already have failed on `a`; then this append is refused.
            let b = try? writer.append(type: 1, payload: payload(7))
            await expectUnavailable { try await writer.waitDurable(a) }
            if let b { await expectUnavailable { try await writer.waitDurable(b) } }
            #expect(try fileSize(path) == durableSize, "written but unsynced records are cut off")
            await expectUnavailable { _ = try writer.append(type: 1, payload: [1]) }
            try await Task.sleep(for: .milliseconds(150))
            #expect(!writer.health.isHealthy, "the probe's fsync fails too")

            faults.clear()
            #expect(try await eventually { writer.health.isHealthy })
            #expect(try await writer.appendDurably(type: 3, payload: [6]) == 6)
            try writer.close()
            let (records, _) = try replayAll(dir)
            #expect(records.map(\.sequence) == [1, 2, 3, 4, 5, 6])
            #expect(records.last?.payload == [6])
            #expect(writer.statistics.failures == 1)
        }
    }

    @Test func failedWriteDiscardsPendingRecordsToo() async throws {
        try await withTemporaryDirectory { dir in
            let faults = JournalFaultInjection()
            let options = JournalWriter.Options(probeInterval: .milliseconds(30), faultInjection: faults)
            let writer = try JournalWriter(directory: dir, after: 0, options: options, logger: testLogger)
            _ = try await writer.appendDurably(type: 1, payload: [1])
            faults.failWrites(count: 1)
            let sequences = (0..<20).compactMap { try? writer.append(type: 1, payload: payload($0)) }
            for sequence in sequences { await expectUnavailable { try await writer.waitDurable(sequence) } }
            #expect(try await eventually { writer.health.isHealthy })
            #expect(try await writer.appendDurably(type: 1, payload: [2]) == 2)
            try writer.close()
            #expect(try replayAll(dir).0.map(\.payload) == [[1], [2]])
        }
    }
}

@Suite struct JournalEverysecFailureTests {
    /// Under `everysec` records are acknowledged after `write`; a failing background fsync still
    /// puts the writer in its failed state, and it recovers.
    @Test func backgroundFsyncFailureIsDetected() async throws {
        try await withTemporaryDirectory { dir in
            let faults = JournalFaultInjection()
            let options = JournalWriter.Options(
                fsyncPolicy: .everysec, probeInterval: .milliseconds(30), everysecInterval: .milliseconds(50),
                faultInjection: faults)
            let writer = try JournalWriter(directory: dir, after: 0, options: options, logger: testLogger)
            faults.failFsyncs()
            _ = try await writer.appendDurably(type: 1, payload: [1])
            #expect(try await eventually { !writer.health.isHealthy })
            await expectUnavailable { _ = try writer.append(type: 1, payload: [2]) }
            faults.clear()
            #expect(try await eventually { writer.health.isHealthy })
            #expect(try await writer.appendDurably(type: 1, payload: [2]) == 2)
            try writer.close()
            #expect(try replayAll(dir).0.map(\.payload) == [[1], [2]])
        }
    }
}
