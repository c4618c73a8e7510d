import Foundation
import Testing
@testable import CallsheetStorage

/// Throughput figures for docs/BENCHMARKS.md. Run with
/// `CALLSHEET_STORAGE_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter StorageBenchmarks`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["CALLSHEET_STORAGE_BENCH"] != nil), .serialized)
struct StorageBenchmarks {
    @Test func durableAppendsWith50ConcurrentWriters() async throws {
        try await withTemporaryDirectory { dir in
            let writer = try JournalWriter(directory: dir, after: 0, logger: testLogger)
            let duration = Duration.seconds(5)
            let start = ContinuousClock.now
            let deadline = start + duration
            let record = [UInt8](repeating: 0x61, count: 100)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<50 {
                    group.addTask {
                        while ContinuousClock.now < deadline {
                            try await writer.waitDurable(try writer.append(type: 1, payload: record))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = (ContinuousClock.now - start) / .seconds(1)
            let stats = writer.statistics
            try writer.close()
            let line = String(
                format: "journal fsync=always, 50 writers, 100-byte payloads: %.0f appends/s, %.0f fsyncs/s, %.1f records per fsync",
                Double(stats.recordsAppended) / elapsed, Double(stats.fsyncs) / elapsed,
                Double(stats.recordsAppended) / Double(max(stats.fsyncs, 1)))
            print(line)
            #expect(stats.fsyncs < stats.recordsAppended)
        }
    }

    @Test(arguments: [Int32(2), 0])
    func snapshotCompression(workers: Int32) async throws {
        try await withTemporaryDirectory { dir in
            let content = sampleContent(bytes: 100 << 20)
            let start = ContinuousClock.now
            let file = try writeSnapshot(dir, sequence: 1, content: content, chunk: 1 << 20, options: .init(workers: workers))
            let written = (ContinuousClock.now - start) / .seconds(1)
            let readStart = ContinuousClock.now
            let loaded = try SnapshotReader.load(path: file.path)
            let read = (ContinuousClock.now - readStart) / .seconds(1)
            #expect(loaded.content.count == content.count)
            let compressed = Double(try fileSize(file.path))
            let mb = Double(content.count) / 1_048_576
            print(String(
                format: "snapshot zstd level 3, %d workers, %.0f MiB JSON-like: compress+write+fsync %.0f MiB/s, ratio %.1f:1 (%.1f MiB), load+verify %.0f MiB/s",
                workers, mb, mb / written, Double(content.count) / compressed, compressed / 1_048_576, mb / read))
        }
    }
}
