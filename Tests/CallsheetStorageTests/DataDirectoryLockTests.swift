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
