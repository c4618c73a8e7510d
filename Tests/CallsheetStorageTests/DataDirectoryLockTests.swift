import Foundation
import Testing
@testable import CallsheetStorage

/// The `flock` on a data directory's `LOCK` file: one writer, or any number of readers.
@Suite struct DataDirectoryLockTests {
    func lockText(_ dir: String) throws -> String {
        try String(contentsOfFile: FileSystem.join(dir, DataDirectoryLock.fileName), encoding: .utf8)
    }

    @Test func secondExclusiveOpenInTheSameProcessIsRefused() async throws {
        try await withTemporaryDirectory { dir in
            let first = try DataDirectoryLock.acquire(directory: dir, command: "callsheet serve")
            #expect(try lockText(dir) == "\(getpid())\ncallsheet serve\n")
            #expect(performing: {
                _ = try DataDirectoryLock.acquire(directory: dir, command: "callsheet org create", advice: "Do this instead.")
            }, throws: { error in
                guard let error = error as? StorageError, error.code == .directoryLocked else { return false }
                return error.message.contains("data directory \(dir) is in use by process \(getpid()) (callsheet serve)")
                    && error.message.hasSuffix("Do this instead.")
                    && error.path == FileSystem.join(dir, "LOCK")
            })
            // The refused attempt did not overwrite the holder's record.
            #expect(try lockText(dir) == "\(getpid())\ncallsheet serve\n")
            first.release()
            #expect(!first.isHeld)
            let second = try DataDirectoryLock.acquire(directory: dir, command: "callsheet org create")
            #expect(second.isHeld)
            #expect(try lockText(dir) == "\(getpid())\ncallsheet org create\n")
        }
    }

    /// A child this process starts holds a copy of the lock's descriptor from fork to exec. A
    /// lock released just before must not be refused to this process meanwhile: the attempt
    /// waits that moment out (here an open file description held 150 ms stands for the child's)
    /// and still refuses at once when a lock object of this process holds the directory.
    @Test func aDescriptorInheritedByAChildIsWaitedOut() async throws {
        try await withTemporaryDirectory { dir in
            let first = try DataDirectoryLock.acquire(directory: dir, command: "callsheet serve")
            let inherited = open(FileSystem.join(dir, "LOCK"), O_RDONLY)
            #expect(inherited >= 0 && flock(inherited, LOCK_SH | LOCK_NB) != 0, "the exclusive lock is held")
            first.release()
            #expect(flock(inherited, LOCK_EX | LOCK_NB) == 0, "the stand-in for the child's descriptor holds it now")
            let started = Date()
            let closer = Thread {
                usleep(150_000)
                close(inherited)
            }
            closer.start()
            let second = try DataDirectoryLock.acquire(directory: dir, command: "callsheet repl")
            #expect(second.isHeld && Date().timeIntervalSince(started) >= 0.1)
            let refusedAt = Date()
            #expect(throws: StorageError.self) { _ = try DataDirectoryLock.acquire(directory: dir) }
            #expect(Date().timeIntervalSince(refusedAt) < 1.5, "held by this process: refused without the 2 s wait")
        }
    }

    @Test func releasedOnDeinit() async throws {
        try await withTemporaryDirectory { dir in
            do { _ = try DataDirectoryLock.acquire(directory: dir) }
            let again = try DataDirectoryLock.acquire(directory: dir)
            #expect(again.isHeld)
        }
    }

    /// What `kill -9` leaves: a LOCK file naming a process that no longer holds it. It must not block.
    @Test func stalePidInTheFileDoesNotBlock() async throws {
        try await withTemporaryDirectory { dir in
            try "2147483000\ncallsheet serve\n".write(toFile: FileSystem.join(dir, "LOCK"), atomically: false, encoding: .utf8)
            let lock = try DataDirectoryLock.acquire(directory: dir, command: "callsheet repl")
            #expect(try lockText(dir) == "\(getpid())\ncallsheet repl\n")
            lock.release()
            // A longer stale record is replaced whole, not overwritten in part.
            try "12345678\n\(String(repeating: "x", count: 300))\n".write(toFile: FileSystem.join(dir, "LOCK"), atomically: false, encoding: .utf8)
            _ = try DataDirectoryLock.acquire(directory: dir, command: "c")
            #expect(try lockText(dir) == "\(getpid())\nc\n")
        }
    }

    @Test func readersShareAndExcludeWriters() async throws {
        try await withTemporaryDirectory { dir in
            let reader = try DataDirectoryLock.acquire(directory: dir, mode: .shared)
            let otherReader = try DataDirectoryLock.acquire(directory: dir, mode: .shared)
            #expect(try lockText(dir) == "", "a reader writes nothing")
            #expect(throws: StorageError.self) { _ = try DataDirectoryLock.acquire(directory: dir) }
            reader.release()
            #expect(throws: StorageError.self) { _ = try DataDirectoryLock.acquire(directory: dir) }
            otherReader.release()
            let writer = try DataDirectoryLock.acquire(directory: dir, command: "callsheet serve")
            #expect(performing: { _ = try DataDirectoryLock.acquire(directory: dir, mode: .shared) }, throws: { error in
                (error as? StorageError)?.message.contains("in use by process \(getpid()) (callsheet serve)") == true
            })
            writer.release()
        }
    }

    /// A holder that is not the process the file names (a reader, or the file was rewritten):
    /// the message does not name a process that is gone.
    @Test func deadRecordedHolderIsNotNamed() async throws {
        try await withTemporaryDirectory { dir in
            try "2147483000\ncallsheet serve\n".write(toFile: FileSystem.join(dir, "LOCK"), atomically: false, encoding: .utf8)
            let reader = try DataDirectoryLock.acquire(directory: dir, mode: .shared)
            defer { reader.release() }
            #expect(performing: { _ = try DataDirectoryLock.acquire(directory: dir) }, throws: { error in
                guard let message = (error as? StorageError)?.message else { return false }
                return message.contains("is in use by another process") && !message.contains("2147483000")
            })
        }
    }

    @Test func currentCommandNamesTheProgram() {
        #expect(!DataDirectoryLock.currentCommand.isEmpty)
        #expect(!DataDirectoryLock.currentCommand.contains("/"))
    }
}
