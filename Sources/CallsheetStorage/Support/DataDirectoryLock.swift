#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A `flock` on the file `LOCK` of a data directory, held for as long as a process uses the
/// directory, so that two processes never write one journal (docs/STORAGE.md, "The lock").
///
/// Every command that opens a data directory takes it exclusively; `callsheet verify` takes it
/// shared. An exclusive holder writes its process id and command into the file, for the error
/// the next process gets; a shared holder writes nothing (it creates the file empty if missing). The kernel releases a `flock` when its holder exits, however it exits, so a
/// process killed with `SIGKILL` leaves no stale lock: the pid left in the file is only a hint
/// for messages and never decides anything.
///
/// Locks belong to an open file description, so a second open of the same directory in the
/// same process is refused too. Released by ``release()`` or on deinit.
public final class DataDirectoryLock: Sendable {
    /// How the directory is held.
    public enum Mode: Sendable, Hashable {
        /// One holder, no readers: every command that may write the directory.
        case exclusive
        /// Any number of readers, no writer: `callsheet verify`.
        case shared
    }

    /// Who holds a lock, as its `LOCK` file says.
    public struct Holder: Sendable, Hashable, CustomStringConvertible {
        public var pid: Int32?
        public var command: String?

        public var description: String {
            switch (pid, command) {
            case let (pid?, command?): return "process \(pid) (\(command))"
            case let (pid?, nil): return "process \(pid)"
            default: return "another process"
            }
        }
    }

    /// The lock file's name inside a data directory.
    public static let fileName = "LOCK"

    public let directory: String
    public let mode: Mode
    /// The open `LOCK` file while held; `nil` once released, or for a shared lock on a directory
    /// this process cannot create the file in (nothing there can be written by it either).
    private let descriptor: Mutex<Int32?>

    private init(directory: String, mode: Mode, descriptor: Int32?) {
        self.directory = directory
        self.mode = mode
        self.descriptor = Mutex(descriptor)
    }

    deinit { release() }

    /// Takes the lock of `directory` (which must exist) without waiting.
    /// - Parameters:
    ///   - command: what this process is, written into the file for others' error messages.
    ///   - advice: what a person should do when the lock is taken; ends the error message.
    /// - Throws: ``StorageError/Code/directoryLocked`` naming the holder when another open file
    ///   description holds it; ``StorageError/Code/ioFailure`` when the file cannot be opened.
    public static func acquire(
        directory: String, mode: Mode = .exclusive, command: String = currentCommand, advice: String? = nil
    ) throws(StorageError) -> DataDirectoryLock {
        let path = FileSystem.join(directory, fileName)
        var fd: Int32
        switch mode {
        case .exclusive:
            fd = openFile(path, O_RDWR | O_CREAT)
        case .shared:
            // A reader changes nothing in an existing file; it creates an empty one if there is none.
            fd = openFile(path, O_RDONLY)
            if fd < 0, errno == ENOENT {
                fd = openFile(path, O_RDONLY | O_CREAT)
                // A directory this user cannot write: nobody with this user's rights writes it either.
                if fd < 0, errno == EACCES || errno == EROFS {
                    return DataDirectoryLock(directory: directory, mode: mode, descriptor: nil)
                }
            }
        }
        guard fd >= 0 else { throw .io("open the lock file", path: path, errno: errno) }
        let operation = (mode == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB
        var waited = 0
        while flock(fd, operation) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = readHolder(fd)
            // The file names this process, yet no lock object of it holds the directory: a child
            // this process is starting inherited the descriptor between fork and exec (exec
            // closes it, O_CLOEXEC). Wait that moment out rather than refuse.
            if code == EWOULDBLOCK || code == EAGAIN, holder?.pid == getpid(), !isHeldHere(directory), waited < 2_000 {
                usleep(5_000)
                waited += 5
                continue
            }
            _ = close(fd)
            if code == EWOULDBLOCK || code == EAGAIN {
                throw StorageError(.directoryLocked, lockedMessage(directory, holder: holder, advice: advice), path: path)
            }
            throw .io("flock", path: path, errno: code)
        }
        if mode == .exclusive {
            let text = Array("\(getpid())\n\(command)\n".utf8)
            _ = ftruncate(fd, 0)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        }
        heldHere.withLock { $0[directory, default: 0] += 1 }
        return DataDirectoryLock(directory: directory, mode: mode, descriptor: fd)
    }

    /// How many lock objects of this process hold each directory (as its path was given).
    private static let heldHere = Mutex<[String: Int]>([:])

    private static func isHeldHere(_ directory: String) -> Bool {
        heldHere.withLock { $0[directory] != nil }
    }

    /// Releases the lock (closing the file closes the `flock`). Idempotent.
    public func release() {
        let released = descriptor.withLock { fd in
            defer { fd = nil }
            guard let open = fd else { return false }
            _ = close(open)
            return true
        }
        if released {
            Self.heldHere.withLock { held in
                held[directory, default: 1] -= 1
                if held[directory] == 0 { held[directory] = nil }
            }
        }
    }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { descriptor.withLock { $0 != nil } }

    /// Who the `LOCK` file of `directory` names, whether or not anyone holds it now.
    public static func recordedHolder(of directory: String) -> Holder? {
        let fd = openFile(FileSystem.join(directory, fileName), O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { _ = close(fd) }
        return readHolder(fd)
    }

    /// This process as the lock file records it: the program's name and its subcommand words
    /// (arguments before the first option, at most two: `callsheet org create`).
    public static var currentCommand: String {
        let arguments = CommandLine.arguments
        guard let program = arguments.first else { return "unknown" }
        let words = arguments.dropFirst().prefix { !$0.hasPrefix("-") }.prefix(2)
        return ([FileSystem.fileName(program)] + words).joined(separator: " ")
    }

    // MARK: Internals

    static func lockedMessage(_ directory: String, holder: Holder?, advice: String?) -> String {
        var who = holder ?? Holder()
        // The pid is a hint left by the last holder; a shared holder may have overwritten it and exited.
        if let pid = who.pid, kill(pid, 0) != 0, errno == ESRCH { who = Holder() }
        var text = "data directory \(directory) is in use by \(who)"
        if who.pid == nil { text += " (its LOCK file names no running process; a `callsheet verify` holds it without naming itself)" }
        text += "; only one process may open a data directory at a time."
        text += " " + (advice ?? "Stop that process first, or if it is `callsheet serve`, work through it: `callsheet repl --connect HOST:PORT --user NAME`.")
        return text
    }

    /// Parses `pid\ncommand\n`; anything else gives what could be read.
    private static func readHolder(_ fd: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let lines = String(decoding: buffer[0..<count], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var holder = Holder()
        if let first = lines.first, let pid = Int32(first), pid > 0 { holder.pid = pid }
        if lines.count > 1 {
            let command = lines[1].filter { !$0.isNewline && ($0.isLetter || $0.isNumber || " ._-/".contains($0)) }
            if !command.isEmpty { holder.command = String(command.prefix(100)) }
        }
        return holder.pid == nil && holder.command == nil ? nil : holder
    }

    private static func openFile(_ path: String, _ flags: Int32) -> Int32 {
        while true {
            let fd = open(path, flags | O_CLOEXEC, 0o600)
            if fd >= 0 || errno != EINTR { return fd }
        }
    }
}
