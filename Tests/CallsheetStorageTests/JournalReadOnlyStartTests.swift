import Foundation
import Testing
@testable import CallsheetStorage

/// A writer opened while the disk is full (docs/STORAGE.md, "Read-only start"): with
/// `startsReadOnlyWhenFull` it starts failed, leaves no segment file, and opens its segment once
/// the probe finds room; without it, `init` throws and still leaves no segment file.
@Suite struct JournalReadOnlyStartTests {
    @Test func fullDiskStartsFailedAndTheProbeOpensTheSegment() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeJournal(dir, count: 3)
            let before = try segmentPaths(dir)
            let faults = JournalFaultInjection()
            faults.failWrites(errno: ENOSPC)
            let log = HealthLog()
            let options = JournalWriter.Options(
                probeInterval: .milliseconds(20), onHealthChange: { log.record($0) }, faultInjection: faults, startsReadOnlyWhenFull: true)
            let writer = try JournalWriter(directory: dir, after: 3, options: options, logger: testLogger)
            #expect(!writer.health.isHealthy && log.healthy == [false])
            #expect(writer.health.refusal?.contains("is full") == true, "\(String(describing: writer.health.refusal))")
            await expectUnavailable { _ = try writer.append(type: 1, payload: [1]) }
            try await Task.sleep(for: .milliseconds(100))
            #expect(try segmentPaths(dir) == before, "no segment file while the disk is full")
            #expect(!FileManager.default.fileExists(atPath: dir + "/.journal-probe"))
            #expect(writer.nextSequence == 4)

            faults.clear()
            #expect(try await eventually { writer.health.isHealthy })
            #expect(log.healthy == [false, true])
            let sequence = try await writer.appendDurably(type: 1, payload: payload(4, length: 10))
            #expect(sequence == 4, "the journal continues where it was")
            try writer.close()
            let (records, _) = try replayAll(dir)
            #expect(records.map(\.sequence) == [1, 2, 3, 4])
        }
    }

    @Test func withoutTheOptionAFullDiskThrowsAndLeavesNoSegment() async throws {
        try await withTemporaryDirectory { dir in
            _ = try await writeJournal(dir, count: 2)
            let before = try segmentPaths(dir)
            let faults = JournalFaultInjection()
            faults.failWrites(errno: ENOSPC)
            #expect(performing: {
                _ = try JournalWriter(directory: dir, after: 2, options: .init(faultInjection: faults), logger: testLogger)
            }, throws: { ($0 as? StorageError)?.errno == ENOSPC })
            #expect(try segmentPaths(dir) == before, "the segment whose header could not be written is removed")
        }
    }

    /// Other errors than a full disk still stop the writer from opening.
    @Test func anIOErrorStillThrows() async throws {
        try await withTemporaryDirectory { dir in
            let faults = JournalFaultInjection()
            faults.failWrites(errno: EIO)
            #expect(performing: {
                _ = try JournalWriter(directory: dir, after: 0, options: .init(faultInjection: faults, startsReadOnlyWhenFull: true), logger: testLogger)
            }, throws: { ($0 as? StorageError)?.errno == EIO })
            let paths = try segmentPaths(dir)
            #expect(paths.isEmpty, "\(paths)")
        }
    }
}
