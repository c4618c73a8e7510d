// The storage paths: journal append (CallsheetStorage's JournalWriter in a temporary directory,
// fsync policy `no`, so the append path is measured and not the disk's fsync), and the snapshot
// content of an organization (OrganizationState.encode(into:) / decode, before zstd).
import Benchmark
import BenchmarkFixtures
import CallsheetCore
import CallsheetStorage
import CallsheetStore
import Foundation
import Logging

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = Settings.configuration(.nanoseconds, warmup: 1_000, seconds: 5, iterations: 100_000)

    // MARK: Journal

    // What the shard actor pays per write: frame the record into the writer's buffer and signal
    // its thread (no I/O on the caller's thread). The record is a CONTACT.ADD's change set.
    Benchmark("Journal append <one contact record> (fsync no)") { benchmark, journal in
        blackHole(try? journal.writer.append(type: JournalRecordType.changeSet, payload: journal.nextPayload()))
    } setup: {
        try JournalFixture()
    } teardown: {
        JournalFixture.removeAll()
    }

    // What a client waits for under `--fsync no`: append, then until the writer thread has
    // written the record to the segment file (a thread hand-off and a write(2) per record here,
    // with one writer at a time).
    Benchmark("Journal append and wait until written <one contact record> (fsync no)") { benchmark, journal in
        let payload = journal.nextPayload()
        benchmark.startMeasurement()
        do {
            let receipt = try journal.writer.appendRecord(type: JournalRecordType.changeSet, payload: payload)
            try await journal.writer.waitDurable(receipt)
        } catch {
            benchmark.error("journal: \(error)")
        }
    } setup: {
        try JournalFixture()
    } teardown: {
        JournalFixture.removeAll()
    }

    // MARK: Snapshot content (what SNAPSHOT encodes off the actor, and what a restart decodes)

    let snapshotConfiguration = Settings.configuration(.milliseconds, warmup: 1, seconds: 10, iterations: 50)

    Benchmark("Snapshot encode <100k contacts, 100k calls>", configuration: snapshotConfiguration) { benchmark, fixture in
        var writer = BinaryWriter()
        fixture.state.encode(into: &writer)
        blackHole(writer.bytes.count)
    } setup: {
        StateFixture(contacts: Fixtures.organizationSize, calls: 100_000)
    }

    Benchmark("Snapshot decode <100k contacts, 100k calls>", configuration: snapshotConfiguration) { benchmark, bytes in
        var reader = BinaryReader(bytes)
        do {
            blackHole(try OrganizationState.decode(&reader))
        } catch {
            benchmark.error("decode: \(error)")
        }
    } setup: {
        var writer = BinaryWriter()
        StateFixture(contacts: Fixtures.organizationSize, calls: 100_000).state.encode(into: &writer)
        return writer.bytes
    }
}

/// A journal writer in a new temporary directory, and the records to append.
final class JournalFixture: @unchecked Sendable {
    static let root = FileManager.default.temporaryDirectory.appendingPathComponent("callsheet-benchmark-journal-\(getpid())").path
    /// The fixture of the running benchmark, for its teardown (one benchmark runs per process).
    nonisolated(unsafe) static var current: JournalFixture?
    let writer: JournalWriter
    private let payloads: [[UInt8]]
    private var position = 0

    init() throws {
        try? FileManager.default.removeItem(atPath: Self.root)
        try FileManager.default.createDirectory(atPath: Self.root, withIntermediateDirectories: true)
        var logger = Logger(label: "benchmark")
        logger.logLevel = .error
        writer = try JournalWriter(directory: Self.root, after: 0, options: .init(fsyncPolicy: .no), logger: logger)
        // CONTACT.ADD's record: one new contact (about 150–400 bytes).
        payloads = Fixtures.generated(count: 10_000, seed: 3).enumerated().map { index, generated in
            RecordCodec.encode(ChangeSet(organizationID: 1, changes: [.putContact(Fixtures.contact(generated, id: ContactID(index + 1)))]))
        }
        Self.current = self
    }

    func nextPayload() -> [UInt8] {
        defer { position = (position + 1) % payloads.count }
        return payloads[position]
    }

    /// Closes the writer (its thread writes what is pending) and removes the directory.
    static func removeAll() {
        try? current?.writer.close()
        current = nil
        try? FileManager.default.removeItem(atPath: root)
    }
}
