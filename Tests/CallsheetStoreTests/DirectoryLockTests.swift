import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// One data directory, one process: a second open is refused until the first lets go.
@Suite struct DirectoryLockTests {
    @Test func secondOpenInTheSameProcessFails() async throws {
        try await withTemporaryDirectory(prefix: "lock") { path in
            var store = try OpenStore(testConfiguration(path))
            await store.run("ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice")
            var advised = testConfiguration(path)
            advised.lockAdvice = "Try later."
            #expect(performing: { _ = try OpenStore(advised) }, throws: { error in
                guard let error = error as? CallsheetError, error.code == .unavailable else { return false }
                return error.message.hasPrefix("data directory \(path) is in use by process \(getpid()) (")
                    && error.message.hasSuffix("Try later.")
            })
            // The refused open changed nothing: no new journal segment next to the holder's.
            #expect(try journalSegments(path).count == 1)
            // Verify (shared) and restore into it (exclusive) are refused as well.
            #expect(throws: StorageError.self) { try StorageVerifier.verify(path: path) }
            await store.directory.close()
            #expect(store.directory.lock?.isHeld == false, "close releases the lock")

            let reopened = try OpenStore(testConfiguration(path))
            #expect(await reopened.directory.organization(named: "Acme") != nil)
            try await reopened.crash()
            #expect(try StorageVerifier.verify(path: path).isHealthy)
        }
    }

    /// An open that fails after taking the lock (a damaged journal) does not keep it.
    @Test func failedOpenReleasesTheLock() async throws {
        try await withTemporaryDirectory(prefix: "lock") { path in
            var store = try OpenStore(testConfiguration(path))
            await store.run("ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice")
            await store.run("ORG.CREATE", "Beta", "REGION", "US", "ADMIN", "bob")
            try await store.crash()
            let segment = try #require(try journalSegments(path).first)
            var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: segment)))
            bytes[32 + 24 + 2] ^= 0x01  // the first record's payload, with a valid record after it: corruption
            try Data(bytes).write(to: URL(fileURLWithPath: segment))
            #expect(performing: { _ = try OpenStore(testConfiguration(path)) }, throws: { error in
                (error as? CallsheetError)?.message.contains("JOURNAL_CORRUPT") == true
            })
            // The failure was the journal's, and the directory is free again for the next attempt.
            let lock = try DataDirectoryLock.acquire(directory: path)
            lock.release()
        }
    }
}
