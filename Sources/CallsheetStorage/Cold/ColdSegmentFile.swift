import CZstd
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file of one cold call segment (docs/STORAGE.md, "Cold call segments"):
/// `"CSCS" · u8 version · 3 zero bytes · blocks · [version 2: "CSCI" · u32 id index offset ·
/// u32 id index length] · "CSCE" · u32 blocks · u32 CRC32C of every byte before it`, each block
/// `u32 compressed length · u32 CRC32C of the compressed bytes · one zstd frame` (little-endian).
/// Version 2 adds the locator of the id index (the block of its directory; 0, 0: none); version
/// 1 files are still read. The file is written once under a temporary name, synced, renamed,
/// and its directory synced: a segment the journal names is whole on disk.
public enum ColdSegmentFile {
    static let magic: [UInt8] = Array("CSCS".utf8)
    static let trailerMagic: [UInt8] = Array("CSCE".utf8)
    static let locatorMagic: [UInt8] = Array("CSCI".utf8)
    /// Written; 1 is still read.
    static let version: UInt8 = 2
    static let locatorSize = 12
    public static let headerSize = 8
    public static let blockHeaderSize = 8
    static let trailerSize = 12
    /// The largest block a reader decompresses (a contact's calls in one segment).
    static let maximumBlockBytes = 256 << 20
    /// zstd level: blocks are small and read often; 3 is zstd's default.
    static let level: Int32 = 3

    /// `segment-<id>.cold` in `directory`.
    public static func path(directory: String, id: UInt32) -> String {
        FileSystem.join(directory, "segment-\(id).cold")
    }

    /// The segment id a file name holds (`segment-<id>.cold`), nil for any other name.
    public static func id(fileName name: String) -> UInt32? {
        guard name.hasPrefix("segment-"), name.hasSuffix(".cold") else { return nil }
        return UInt32(name.dropFirst(8).dropLast(5))
    }

    /// Writes a segment: blocks appended one by one (compressed here), then ``finish()``.
    public final class Writer {
        public let path: String
        private let temporary: String
        private let file: PosixFile
        private let context: OpaquePointer
        private var buffer: [UInt8] = []
        private var written: Int64 = 0
        private var crc = CRC32C.initial
        private var blocks: UInt32 = 0
        private var finished = false

        /// Creates the directory when missing and the file under a temporary name.
        public init(directory: String, id: UInt32) throws(StorageError) {
            try FileSystem.createDirectory(FileSystem.directoryName(directory))
            try FileSystem.createDirectory(directory)
            path = ColdSegmentFile.path(directory: directory, id: id)
            temporary = path + ".tmp"
            guard let context = ZSTD_createCCtx() else { throw StorageError(.compressionFailed, "could not allocate a zstd compression context") }
            self.context = context
            do throws(StorageError) {
                file = try PosixFile.create(temporary)
            } catch {
                ZSTD_freeCCtx(context)
                throw error
            }
            buffer.reserveCapacity(1 << 20)
            buffer += ColdSegmentFile.magic
            buffer += [ColdSegmentFile.version, 0, 0, 0]
        }

        deinit {
            ZSTD_freeCCtx(context)
            if !finished { _ = unlink(temporary) }
        }

        /// The offset the next block starts at.
        public var offset: Int64 { written + Int64(buffer.count) }

        /// Compresses `content` as one block; returns where it lies (its header included).
        public func append(_ content: [UInt8]) throws(StorageError) -> (offset: UInt64, length: UInt32) {
            let start = offset
            let bound = callsheet_zstd_compress_bound(content.count)
            var frame = [UInt8](repeating: 0, count: bound)
            let size = frame.withUnsafeMutableBytes { out in
                content.withUnsafeBytes { input in ZSTD_compressCCtx(context, out.baseAddress, bound, input.baseAddress, input.count, ColdSegmentFile.level) }
            }
            try check(size, "compress a cold block")
            frame.removeLast(bound - size)
            buffer += ColdSegmentFile.littleEndian(UInt32(size))
            buffer += ColdSegmentFile.littleEndian(CRC32C.checksum(frame))
            buffer += frame
            blocks += 1
            if buffer.count >= 1 << 20 { try flush() }
            return (UInt64(start), UInt32(ColdSegmentFile.blockHeaderSize + size))
        }

        private func flush() throws(StorageError) {
            crc = CRC32C.update(crc, buffer)
            try file.write(buffer, at: written)
            written += Int64(buffer.count)
            buffer.removeAll(keepingCapacity: true)
        }

        /// Writes the id index locator (`index`: the block of its directory, nil for none) and the
        /// trailer, syncs, renames into place and syncs the directory.
        /// - Returns: the file's size and the CRC32C of its bytes before the trailer's checksum.
        public func finish(index: (offset: UInt64, length: UInt32)?) throws(StorageError) -> (bytes: UInt64, checksum: UInt32) {
            guard (index?.offset ?? 0) < UInt64(UInt32.max) else { throw StorageError(.invalidArgument, "a cold segment's id index lies past 4 GiB", path: path) }
            buffer += ColdSegmentFile.locatorMagic
            buffer += ColdSegmentFile.littleEndian(UInt32(index?.offset ?? 0))
            buffer += ColdSegmentFile.littleEndian(index?.length ?? 0)
            buffer += ColdSegmentFile.trailerMagic
            buffer += ColdSegmentFile.littleEndian(blocks)
            crc = CRC32C.update(crc, buffer)
            let checksum = CRC32C.finalize(crc)
            buffer += ColdSegmentFile.littleEndian(checksum)
            try file.write(buffer, at: written)
            written += Int64(buffer.count)
            buffer = []
            try file.sync()
            try FileSystem.rename(temporary, to: path)
            finished = true
            try FileSystem.syncDirectory(FileSystem.directoryName(path))
            return (UInt64(written), checksum)
        }
    }

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
    }

    static func word(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }

    /// Checks a block's header and checksum and decompresses it.
    static func decodeBlock(_ bytes: [UInt8], path: String, offset: UInt64) throws(StorageError) -> [UInt8] {
        func corrupt(_ what: String) -> StorageError {
            StorageError(.coldSegmentCorrupt, "cold segment block at offset \(offset): \(what)", path: path, offset: Int64(offset))
        }
        guard bytes.count >= blockHeaderSize, Int(word(bytes, 0)) == bytes.count - blockHeaderSize else { throw corrupt("length does not match the catalogue") }
        let frame = bytes[blockHeaderSize...]
        guard CRC32C.checksum(frame) == word(bytes, 4) else { throw corrupt("checksum mismatch") }
        let size = frame.withUnsafeBytes { ZSTD_getFrameContentSize($0.baseAddress, $0.count) }
        guard size <= UInt64(maximumBlockBytes) else { throw corrupt("content size unknown or too large") }
        var content = [UInt8](repeating: 0, count: Int(size))
        let produced = DecompressionContexts.shared.with { context in
            content.withUnsafeMutableBytes { out in
                frame.withUnsafeBytes { input in
                    guard let context else { return ZSTD_decompress(out.baseAddress, out.count, input.baseAddress, input.count) }
                    return ZSTD_decompressDCtx(context, out.baseAddress, out.count, input.baseAddress, input.count)
                }
            }
        }
        guard ZSTD_isError(produced) == 0, produced == Int(size) else { throw corrupt("does not decompress") }
        return content
    }

    /// Reads and decompresses the block at `offset` (`length` bytes, its header included).
    public static func readBlock(path: String, offset: UInt64, length: UInt32) throws(StorageError) -> [UInt8] {
        let file = try PosixFile.openForReading(path)
        let bytes = try file.read(count: Int(length), at: Int64(offset))
        guard bytes.count == Int(length) else {
            throw StorageError(.coldSegmentCorrupt, "cold segment ends before its block at offset \(offset)", path: path, offset: Int64(offset))
        }
        return try decodeBlock(bytes, path: path, offset: offset)
    }

    /// The decompressed directory of a segment's id index; nil for a version 1 file or one
    /// written without an index. Reads the header and the locator, then the directory block.
    public static func readIndexDirectory(path: String) throws(StorageError) -> [UInt8]? {
        let file = try PosixFile.openForReading(path)
        let header = try file.read(count: headerSize, at: 0)
        guard header.count == headerSize, Array(header[0..<4]) == magic else {
            throw StorageError(.coldSegmentCorrupt, "cold segment does not start with CSCS", path: path, offset: 0)
        }
        guard header[4] >= 2 else { return nil }
        let size = try file.size()
        let tail = Int64(locatorSize + trailerSize)
        guard size >= Int64(headerSize) + tail else { throw StorageError(.coldSegmentCorrupt, "cold segment too short for its trailer", path: path, offset: size) }
        let end = try file.read(count: Int(tail), at: size - tail)
        guard end.count == Int(tail), Array(end[0..<4]) == locatorMagic, Array(end[locatorSize..<(locatorSize + 4)]) == trailerMagic else {
            throw StorageError(.coldSegmentCorrupt, "cold segment has no id index locator before its trailer (cut short?)", path: path, offset: size - tail)
        }
        let offset = word(end, 4), length = word(end, 8)
        guard length > 0 else { return nil }
        guard Int64(offset) >= Int64(headerSize), Int64(offset) + Int64(length) <= size - tail else {
            throw StorageError(.coldSegmentCorrupt, "cold segment's id index at \(offset) lies outside its blocks", path: path, offset: size - tail)
        }
        return try readBlock(path: path, offset: UInt64(offset), length: length)
    }

    /// What ``verify(path:)`` found: each block's offset and length, the file's size and
    /// checksum, its version, and (version 2) the block of its id index directory.
    public struct Summary: Sendable {
        public var blocks: [(offset: UInt64, length: UInt32)]
        public var bytes: UInt64
        public var checksum: UInt32
        public var version: UInt8 = 1
        public var indexDirectory: (offset: UInt64, length: UInt32)?
    }

    /// Reads a whole segment and checks it: header, every block's checksum and frame, trailer.
    public static func verify(path: String) throws(StorageError) -> Summary {
        let bytes = try PosixFile.openForReading(path).readAll()
        func corrupt(_ what: String, _ at: Int) -> StorageError { StorageError(.coldSegmentCorrupt, "cold segment \(what)", path: path, offset: Int64(at)) }
        guard bytes.count >= headerSize + trailerSize, Array(bytes[0..<4]) == magic else { throw corrupt("does not start with CSCS", 0) }
        let fileVersion = bytes[4]
        guard fileVersion >= 1, fileVersion <= version else {
            throw StorageError(.newerFormat, "cold segment version \(fileVersion) (this build reads 1 to \(version))", path: path)
        }
        let trailer = bytes.count - trailerSize
        guard Array(bytes[trailer..<(trailer + 4)]) == trailerMagic else { throw corrupt("has no trailer (cut short?)", trailer) }
        let checksum = CRC32C.checksum(bytes[0..<(bytes.count - 4)])
        guard checksum == word(bytes, bytes.count - 4) else { throw corrupt("checksum mismatch", trailer) }
        // Version 2: the id index locator sits between the blocks and the trailer.
        let blocksEnd = fileVersion >= 2 ? trailer - locatorSize : trailer
        guard blocksEnd >= headerSize else { throw corrupt("too short for its id index locator", trailer) }
        if fileVersion >= 2, Array(bytes[blocksEnd..<(blocksEnd + 4)]) != locatorMagic { throw corrupt("has no id index locator", blocksEnd) }
        var blocks: [(offset: UInt64, length: UInt32)] = []
        var at = headerSize
        while at < blocksEnd {
            guard at + blockHeaderSize <= blocksEnd else { throw corrupt("block header cut at offset \(at)", at) }
            let length = blockHeaderSize + Int(word(bytes, at))
            guard at + length <= blocksEnd else { throw corrupt("block at offset \(at) runs past the trailer", at) }
            _ = try decodeBlock(Array(bytes[at..<(at + length)]), path: path, offset: UInt64(at))
            blocks.append((UInt64(at), UInt32(length)))
            at += length
        }
        guard UInt32(blocks.count) == word(bytes, trailer + 4) else { throw corrupt("trailer counts \(word(bytes, trailer + 4)) blocks, the file holds \(blocks.count)", trailer) }
        var summary = Summary(blocks: blocks, bytes: UInt64(bytes.count), checksum: checksum, version: fileVersion)
        if fileVersion >= 2, word(bytes, blocksEnd + 8) > 0 {
            let index = (offset: UInt64(word(bytes, blocksEnd + 4)), length: word(bytes, blocksEnd + 8))
            guard blocks.contains(where: { $0.offset == index.offset && $0.length == index.length }) else {
                throw corrupt("id index locator names no block (offset \(index.offset), \(index.length) bytes)", blocksEnd)
            }
            summary.indexDirectory = index
        }
        return summary
    }

    /// Every block of a segment decompressed, one after another (checked as ``verify(path:)`` does).
    public static func decompressedBlocks(path: String) throws(StorageError) -> [UInt8] {
        var content: [UInt8] = []
        for block in try verify(path: path).blocks { content += try readBlock(path: path, offset: block.offset, length: block.length) }
        return content
    }
}

/// zstd decompression contexts kept for reuse by cold block reads: `ZSTD_decompress` creates and
/// frees one (some 100 KiB) on every call, a good part of a small block's read.
final class DecompressionContexts: Sendable {
    static let shared = DecompressionContexts()
    /// At most this many are kept (one per thread reading at once is enough).
    static let kept = 8

    /// A context is used by one thread at a time: taken from the pool, then given back.
    private struct Context: @unchecked Sendable { let pointer: OpaquePointer }
    private let pool = Mutex<[Context]>([])

    func with<T>(_ body: (OpaquePointer?) -> T) -> T {
        let taken = pool.withLock { $0.popLast() }
        let context = taken?.pointer ?? ZSTD_createDCtx()
        defer {
            if let context {
                let returned = pool.withLock { contexts -> Bool in
                    guard contexts.count < Self.kept else { return false }
                    contexts.append(Context(pointer: context))
                    return true
                }
                if !returned { ZSTD_freeDCtx(context) }
            }
        }
        return body(context)
    }
}
