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
    public static func verify(path: String) throws(StorageError) -> StorageReport {
        guard FileSystem.exists(path) else { throw StorageError(.invalidArgument, "nothing to verify: no such file or directory", path: path) }
        if FileSystem.isDirectory(path) {
            // Shared: checks may run side by side, but not beside a process that writes the directory.
            let lock = try DataDirectoryLock.acquire(directory: path, mode: .shared, advice: verifyAdvice(path))
            defer { lock.release() }
            let snapshots = try SnapshotFile.list(in: path).map { verifySnapshot($0.path, nameSequence: $0.sequence) }
            let scan = try JournalScan(directory: path)
            return StorageReport(path: path, snapshots: snapshots, journal: report(scan))
        }
        let magic = try PosixFile.openForReading(path).read(count: 8, at: 0)
        if magic == SnapshotHeader.magic {
            let sequence = SnapshotFile.parse(FileSystem.fileName(path))
            return StorageReport(path: path, snapshots: [verifySnapshot(path, nameSequence: sequence)], journal: nil)
        }
        if magic == JournalFormat.segmentMagic || JournalSegmentFile.parse(FileSystem.fileName(path)) != nil {
            let scan = try JournalScan(segment: try segmentFile(path))
            return StorageReport(path: path, snapshots: [], journal: report(scan))
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

    private static func report(_ scan: JournalScan) -> StorageReport.Journal {
        let cut = scan.damage.map { ($0.segmentIndex, $0.offset) }
        var journal = StorageReport.Journal(
            segments: scan.segments.map {
                .init(file: $0.file.path, bytes: $0.size, records: $0.records, firstSequence: $0.firstSequence, lastSequence: $0.lastSequence)
            },
            records: 0, firstSequence: nil, lastSequence: nil)
        for (index, segment) in scan.segments.enumerated() {
            if let cut, index > cut.0 || (index == cut.0 && cut.1 == 0) { break }
            journal.records += segment.records
            journal.firstSequence = journal.firstSequence ?? segment.firstSequence
            journal.lastSequence = segment.lastSequence ?? journal.lastSequence
        }
        if let damage = scan.damage {
            let spot = StorageReport.Damage(file: damage.file.path, offset: Int64(damage.offset), reason: "\(damage.kind)")
            if damage.isTornTail { journal.tornTail = spot } else { journal.corruption = spot }
        }
        return journal
    }
}
