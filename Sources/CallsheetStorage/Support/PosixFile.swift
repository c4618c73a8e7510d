#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file descriptor with the few calls storage needs, each retrying `EINTR`
/// and turning failures into ``StorageError``s that name the file. Closed on deinit.
final class PosixFile {
    let fd: Int32
    let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    static func open(_ path: String, flags: Int32, mode: mode_t = 0o600) throws(StorageError) -> PosixFile {
        while true {
            let fd = systemOpen(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return PosixFile(fd: fd, path: path) }
            if errno != EINTR { throw .io("open", path: path, errno: errno) }
        }
    }

    static func openForReading(_ path: String) throws(StorageError) -> PosixFile {
        try open(path, flags: O_RDONLY)
    }

    /// Creates (or empties) `path` for writing.
    static func create(_ path: String) throws(StorageError) -> PosixFile {
        try open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
    }

    deinit { _ = systemClose(fd) }

    /// Writes every byte at `offset`, looping over short writes.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64, faults: JournalFaultInjection? = nil) throws(StorageError) {
        if let code = faults?.take(.write) { throw .io("write", path: path, errno: code) }
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        var position = offset
        while remaining > 0 {
            let n = pwrite(fd, base, remaining, off_t(position))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("write", path: path, errno: errno)
            }
            if n == 0 { throw .io("write", path: path, errno: ENOSPC) }
            base += n
            remaining -= n
            position += Int64(n)
        }
    }

    func write(_ bytes: [UInt8], at offset: Int64, faults: JournalFaultInjection? = nil) throws(StorageError) {
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(StorageError) in try write(raw, at: offset, faults: faults) }
        }
        try result.get()
    }

    func sync(faults: JournalFaultInjection? = nil) throws(StorageError) {
        if let code = faults?.take(.fsync) { throw .io("fsync", path: path, errno: code) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw .io("fsync", path: path, errno: errno) }
        }
    }

    /// Starts writing back the range's dirty pages without waiting for them, and lets the
    /// kernel drop its clean ones (`posix_fadvise(POSIX_FADV_DONTNEED)`, which starts
    /// write-back on Linux). A long write that calls it as it goes never piles up the dirty pages
    /// that make the kernel throttle every writer of the disk, the journal included, nor fills
    /// the page cache with a file nobody reads soon. It is no durability promise: `sync` is.
    func startWriteBack(offset: Int64, length: Int64) {
        #if os(Linux)
        _ = posix_fadvise(fd, off_t(offset), off_t(length), POSIX_FADV_DONTNEED)
        #endif
    }

    func truncate(to length: Int64) throws(StorageError) {
        while ftruncate(fd, off_t(length)) != 0 {
            if errno != EINTR { throw .io("ftruncate", path: path, errno: errno) }
        }
    }

    func size() throws(StorageError) -> Int64 {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io("fstat", path: path, errno: errno) }
        return Int64(st.st_size)
    }

    /// Reads up to `count` bytes at `offset`; fewer only at end of file.
    func read(count: Int, at offset: Int64) throws(StorageError) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = result.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + filled, count - filled, off_t(offset + Int64(filled)))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("read", path: path, errno: errno)
            }
            if n == 0 { break }
            filled += n
        }
        result.removeLast(count - filled)
        return result
    }

    func readAll() throws(StorageError) -> [UInt8] {
        try read(count: Int(try size()), at: 0)
    }
}

private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }
