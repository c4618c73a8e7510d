#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks data directories, snapshots and journal segments without changing anything, and
/// restores a data directory from one snapshot file. Backs `callsheet verify` and `callsheet restore`.
public enum StorageVerifier {
    /// Verifies a data directory (every snapshot and the whole journal) or one snapshot or segment file.
    ///
    /// A directory is checked under a shared ``DataDirectoryLock``: a directory another process has
    /// open for writing is refused with ``StorageError/Code/directoryLocked``. A single file is read
    /// without a lock.
    /// - Parameter startup: for a directory, a dry run of the start (decoding every snapshot and
    ///   record, as `callsheet verify` does through the store), run under the same lock.
    public static func verify(
        path: String, startup: ((String) -> StorageReport.Startup)? = nil
    ) throws(StorageError) -> StorageReport {
        guard FileSystem.exists(path) else { throw StorageError(.invalidArgument, "nothing to verify: no such file or directory", path: path) }
        if FileSystem.isDirectory(path) {
            // Shared: checks may run side by side, but not beside a process that writes the directory.
            let lock = try DataDirectoryLock.acquire(directory: path, mode: .shared, advice: verifyAdvice(path))
            defer { lock.release() }
            let snapshots = try SnapshotFile.list(in: path).map { verifySnapshot($0.path, nameSequence: $0.sequence) }
            let scan = try JournalScan(directory: path)
            let after = snapshots.first { $0.isValid }?.sequence ?? 0
            var report = StorageReport(path: path, snapshots: snapshots, journal: report(scan, after: after))
            report.startup = startup?(path)
            return report
        }
        let magic = try PosixFile.openForReading(path).read(count: 8, at: 0)
        if magic == SnapshotHeader.magic {
            let sequence = SnapshotFile.parse(FileSystem.fileName(path))
            return StorageReport(path: path, snapshots: [verifySnapshot(path, nameSequence: sequence)], journal: nil)
        }
        if magic == JournalFormat.segmentMagic || JournalSegmentFile.parse(FileSystem.fileName(path)) != nil {
            let file = try segmentFile(path)
            let scan = try JournalScan(segment: file)
            return StorageReport(path: path, snapshots: [], journal: report(scan, after: max(file.firstSequence, 1) - 1))
        }
        throw StorageError(.invalidArgument, "not a Callsheet snapshot or journal segment", path: path)
    }

    /// Copies a verified snapshot into `directory` (created if needed; it must hold no snapshot or
    /// journal yet) as `snapshot-<seq>.zst`, atomically, and verifies the copy.
    /// A journal writer for the new directory starts after the returned header's ``SnapshotHeader/sequence``.
    @discardableResult
    public static func restore(snapshot source: String, into directory: String) throws(StorageError) -> SnapshotHeader {
        let header = try SnapshotReader.verify(path: source)
        try FileSystem.createDirectory(directory)
        let lock = try DataDirectoryLock.acquire(
            directory: directory, advice: "Restore into a new directory that no process uses.")
        defer { lock.release() }
        let occupied = try FileSystem.list(directory).filter {
            SnapshotFile.parse($0) != nil || JournalSegmentFile.parse($0) != nil
        }
        guard occupied.isEmpty else {
            throw StorageError(
                .directoryNotEmpty,
                "restore needs a new data directory; this one already holds \(occupied.sorted().prefix(3).joined(separator: ", "))",
                path: directory)
        }
        let target = SnapshotFile(directory: directory, sequence: header.sequence)
        let temporary = target.path + SnapshotFile.temporarySuffix
        let input = try PosixFile.openForReading(source)
        let output = try PosixFile.create(temporary)
        let size = try input.size()
        var offset: Int64 = 0
        while offset < size {
            let chunk = try input.read(count: Int(min(Int64(4 << 20), size - offset)), at: offset)
            guard !chunk.isEmpty else { break }
            try output.write(chunk, at: offset)
            offset += Int64(chunk.count)
        }
        try output.sync()
        try FileSystem.rename(temporary, to: target.path)
        try FileSystem.syncDirectory(directory)
        return try SnapshotReader.verify(path: target.path)
    }

    private static func verifyAdvice(_ directory: String) -> String {
        "A journal being written cannot be checked: stop that process first, or verify a copy of the directory, or one snapshot file (`callsheet verify \(FileSystem.join(directory, "snapshot-….zst"))`)."
    }

    private static func verifySnapshot(_ path: String, nameSequence: UInt64?) -> StorageReport.Snapshot {
        do throws(StorageError) {
            let header = try SnapshotReader.verify(path: path)
            if let nameSequence, nameSequence != header.sequence {
                let error = StorageError(
                    .snapshotCorrupt, "file name says sequence \(nameSequence), header says \(header.sequence)", path: path)
                return .init(file: path, sequence: header.sequence, header: header, error: error)
            }
            return .init(file: path, sequence: header.sequence, header: header, error: nil)
        } catch {
            let header = try? SnapshotReader.readHeader(path: path)
            return .init(file: path, sequence: header?.sequence ?? nameSequence, header: header, error: error)
        }
    }

    /// A segment for a file that may have been renamed: its sequence comes from the name, else the header.
    private static func segmentFile(_ path: String) throws(StorageError) -> JournalSegmentFile {
        var file = JournalSegmentFile(directory: FileSystem.directoryName(path), firstSequence: 0)
        file.path = path
        if let sequence = JournalSegmentFile.parse(FileSystem.fileName(path)) {
            file.firstSequence = sequence
        } else {
            let bytes = try PosixFile.openForReading(path).read(count: JournalFormat.segmentHeaderSize, at: 0)
            if case .success(let header) = bytes.withUnsafeBytes({ JournalFormat.SegmentHeader.decode($0) }) {
                file.firstSequence = header.firstSequence
            }
        }
        return file
    }

    private static func report(_ scan: JournalScan, after: UInt64) -> StorageReport.Journal {
        let plan = scan.plan(after: after)
        var journal = StorageReport.Journal(
            segments: scan.segments.map {
                .init(file: $0.file.path, bytes: $0.size, records: $0.records, firstSequence: $0.firstSequence, lastSequence: $0.lastSequence)
            },
            records: scan.recordCount, firstSequence: scan.firstSequence, lastSequence: scan.lastSequence)
        if let torn = scan.tornTail {
            journal.tornTail = .init(file: scan.segments[torn.segmentIndex].file.path, offset: Int64(torn.offset), reason: "\(torn.kind)")
        }
        let lossy = Set(plan.lost.map { "\($0.segmentIndex):\($0.offset)" })
        journal.damage = plan.damage.filter { !lossy.contains("\($0.segmentIndex):\($0.defect.offset)") }.map {
            .init(file: scan.segments[$0.segmentIndex].file.path, offset: Int64($0.defect.offset), reason: "\($0.defect.kind), \($0.defect.length) bytes")
        }
        journal.lost = plan.lost.map {
            .init(first: $0.first, last: $0.last, file: scan.segments[$0.segmentIndex].file.path, offset: Int64($0.offset), reason: $0.reason)
        }
        if let newer = plan.newerRelease {
            journal.newerRelease = .init(
                file: scan.segments[newer.segmentIndex].file.path, offset: 8,
                reason: "written by a newer release (segment format version \(newer.version)); this build cannot start on it")
        }
        journal.duplicates = plan.duplicates
        return journal
    }
}
