#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CallsheetStorage

/// Loads the input as a snapshot file (`SnapshotReader.load`, what startup runs). The input is
/// written to a scratch file first: the reader reads files.
///
/// The first byte holds flags, applied in this order so mutations get past the header's
/// checks: bit 1 sets the header's compressed length to what follows the header; bit 0
/// rewrites the header's checksum. The rest is the file.
///
/// Properties: content that loads has the length and checksum its header states, and
/// `verify` agrees with `load`.
enum SnapshotReaderFuzz {
    static func run(_ data: UnsafeRawBufferPointer) throws(FuzzFailure) {
        guard let flags = data.first else { return }
        var bytes = Array(data[1...])
        repair(&bytes, compressedLength: flags & 2 != 0, checksum: flags & 1 != 0)
        let path = ScratchFile.path
        guard ScratchFile.replace(with: bytes) else {
            throw FuzzFailure(.snapshot, "the scratch file can be written", path)
        }
        let loaded: LoadedSnapshot
        do {
            loaded = try SnapshotReader.load(path: path)
        } catch {
            guard error.code == .snapshotCorrupt || error.code == .newerFormat else {
                throw FuzzFailure(.snapshot, "a bad snapshot is SNAPSHOT_CORRUPT (or NEWER_FORMAT for an unknown version)", "\(error)")
            }
            return
        }
        guard UInt64(loaded.content.count) == loaded.header.contentLength,
            CRC32C.checksum(loaded.content) == loaded.header.contentChecksum
        else {
            throw FuzzFailure(.snapshot, "loaded content matches its header", "\(loaded.header)")
        }
        do {
            guard try SnapshotReader.verify(path: path) == loaded.header else {
                throw FuzzFailure(.snapshot, "verify reads the header load read")
            }
        } catch let failure as FuzzFailure {
            throw failure
        } catch {
            throw FuzzFailure(.snapshot, "verify agrees with load", "\(error)")
        }
    }

    /// Header offsets (docs/STORAGE.md, "Snapshot files").
    static let lengthOffset = 12
    static let compressedLengthOffset = 40

    static func repair(_ bytes: inout [UInt8], compressedLength: Bool, checksum: Bool) {
        guard bytes.count >= 16 else { return }
        let length = Int(load(UInt32.self, bytes, at: lengthOffset))
        guard length >= 58, length <= bytes.count else { return }
        if compressedLength {
            store(UInt64(bytes.count - length), &bytes, at: compressedLengthOffset)
        }
        if checksum {
            store(CRC32C.checksum(bytes[0..<(length - 4)]), &bytes, at: length - 4)
        }
    }

    static func load<T: FixedWidthInteger>(_: T.Type, _ bytes: [UInt8], at offset: Int) -> T {
        var value: T = 0
        for index in (0..<MemoryLayout<T>.size).reversed() { value = value << 8 | T(bytes[offset + index]) }
        return value
    }

    static func store<T: FixedWidthInteger>(_ value: T, _ bytes: inout [UInt8], at offset: Int) {
        for index in 0..<MemoryLayout<T>.size { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
}

/// One scratch file per process in the temporary directory, removed at exit.
enum ScratchFile {
    static let path: String = {
        let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        let path = "\(directory)/callsheet-fuzz-\(getpid()).snapshot"
        atexit { _ = unlink(ScratchFile.path) }
        return path
    }()

    /// Replaces the file's content with `bytes`.
    static func replace(with bytes: [UInt8]) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return true }
            var written = 0
            while written < raw.count {
                let result = write(descriptor, base + written, raw.count - written)
                guard result > 0 else { return false }
                written += result
            }
            return true
        }
    }
}
