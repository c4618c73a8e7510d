/// Streams a snapshot's content through zstd into a temporary file, then publishes it
/// atomically: header finalised, fsync, rename to `snapshot-<seq>.zst`, fsync of the directory.
///
/// ```swift
/// let writer = try SnapshotWriter(directory: dir, header: SnapshotHeader(sequence: 42, counts: ["contacts": 9]))
/// try writer.write(chunk)          // any number of times
/// let file = try writer.commit()
/// ```
/// Until `commit` returns, no reader sees the snapshot (readers never list `*.tmp`).
/// Single-owner: use one writer from one task at a time.
public final class SnapshotWriter {
    /// A step of ``commit()`` after which a test can stop, as if the process died there.
    public enum CrashPoint: Sendable, Hashable, CaseIterable {
        case afterTemporaryWritten
        case afterTemporaryFsynced
        case afterRename
        case afterDirectoryFsynced
    }

    /// Compression settings and the crash test hook.
    public struct Options: Sendable {
        public var compressionLevel: Int32
        /// zstd worker threads; ignored if the library has no multithreading.
        public var workers: Int32
        /// Test hook: ``commit()`` throws ``StorageError/Code/simulatedCrash`` after this step,
        /// leaving the files exactly as they are.
        public var crashPoint: CrashPoint?
        /// Test hook: injected write, fsync and rename failures.
        public var faultInjection: JournalFaultInjection?

        public init(
            compressionLevel: Int32 = 3, workers: Int32 = 2, crashPoint: CrashPoint? = nil,
            faultInjection: JournalFaultInjection? = nil
        ) {
            self.compressionLevel = compressionLevel
            self.workers = workers
            self.crashPoint = crashPoint
            self.faultInjection = faultInjection
        }
    }

    public let directory: String
    private var header: SnapshotHeader
    private let options: Options
    private let temporaryPath: String
    private let file: PosixFile
    private let compressor: ZstdCompressor
    private let headerSize: Int
    private var fileOffset: Int64
    private var outputBuffer: [UInt8] = []
    private var contentState = CRC32C.initial
    private var finished = false

    private static let flushThreshold = 1 << 20
    /// Written bytes whose write-back is started at once (see ``PosixFile/startWriteBack``).
    private static let writeBackStep: Int64 = 8 << 20
    private var writeBackStart: Int64 = 0

    public init(directory: String, header: SnapshotHeader, options: Options = Options()) throws(StorageError) {
        try header.validate()
        self.directory = directory
        self.header = header
        self.options = options
        self.temporaryPath = SnapshotFile(directory: directory, sequence: header.sequence).path + SnapshotFile.temporarySuffix
        self.compressor = try ZstdCompressor(level: options.compressionLevel, workers: options.workers)
        self.file = try PosixFile.create(temporaryPath)
        let placeholder = header.encoded()
        headerSize = placeholder.count
        try file.write(placeholder, at: 0, faults: options.faultInjection)
        fileOffset = Int64(headerSize)
        outputBuffer.reserveCapacity(Self.flushThreshold + (1 << 17))
    }

    deinit {
        if !finished { try? FileSystem.remove(temporaryPath) }
    }

    /// zstd worker threads in use.
    public var compressionWorkers: Int32 { compressor.workers }

    /// Compresses and writes a piece of content.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
        guard !finished else { throw StorageError(.invalidArgument, "the snapshot writer already committed") }
        contentState = CRC32C.update(contentState, bytes)
        header.contentLength += UInt64(bytes.count)
        try compressor.compress(bytes) { (piece) throws(StorageError) in try self.buffer(piece) }
    }

    public func write(_ bytes: [UInt8]) throws(StorageError) {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(StorageError) in try write(raw) } }
        try result.get()
    }

    /// Ends the zstd frame and publishes the snapshot atomically.
    /// - Returns: the published file.
    @discardableResult
    public func commit() throws(StorageError) -> SnapshotFile {
        guard !finished else { throw StorageError(.invalidArgument, "the snapshot writer already committed") }
        try compressor.finish { (piece) throws(StorageError) in try self.buffer(piece) }
        try flush()
        header.compressedLength = UInt64(fileOffset) - UInt64(headerSize)
        header.contentChecksum = CRC32C.finalize(contentState)
        try file.write(header.encoded(), at: 0, faults: options.faultInjection)
        finished = true
        try crash(at: .afterTemporaryWritten)
        try file.sync(faults: options.faultInjection)
        try crash(at: .afterTemporaryFsynced)
        let target = SnapshotFile(directory: directory, sequence: header.sequence)
        try FileSystem.rename(temporaryPath, to: target.path, faults: options.faultInjection)
        try crash(at: .afterRename)
        try FileSystem.syncDirectory(directory, faults: options.faultInjection)
        try crash(at: .afterDirectoryFsynced)
        return target
    }

    /// Gives up: removes the temporary file.
    public func abandon() {
        finished = true
        try? FileSystem.remove(temporaryPath)
    }

    /// The header as it will be written (lengths and checksum final after ``commit()``).
    public var currentHeader: SnapshotHeader { header }

    private func buffer(_ piece: UnsafeRawBufferPointer) throws(StorageError) {
        outputBuffer.append(contentsOf: piece)
        if outputBuffer.count >= Self.flushThreshold { try flush() }
    }

    private func flush() throws(StorageError) {
        guard !outputBuffer.isEmpty else { return }
        try file.write(outputBuffer, at: fileOffset, faults: options.faultInjection)
        fileOffset += Int64(outputBuffer.count)
        outputBuffer.removeAll(keepingCapacity: true)
        if fileOffset - writeBackStart >= Self.writeBackStep {
            file.startWriteBack(offset: writeBackStart, length: fileOffset - writeBackStart)
            writeBackStart = fileOffset
        }
    }

    private func crash(at point: CrashPoint) throws(StorageError) {
        if options.crashPoint == point {
            throw StorageError(.simulatedCrash, "snapshot commit stopped \(point) (test hook)", path: temporaryPath)
        }
    }
}
