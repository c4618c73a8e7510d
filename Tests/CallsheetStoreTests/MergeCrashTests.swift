import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// A crash in the middle of a merge: the merge is one journal record (both contacts' changes and
/// its undo entry), so a record cut anywhere leaves the contacts as they were and no merge logged,
/// and the whole record leaves the merge whole.
@Suite struct MergeCrashTests {
    @Test func aTornMergeIsAllOrNothing() async throws {
        try await withTemporaryDirectory(prefix: "merge-crash") { path in
            let source = path + "/source"
            var store = try await SnapshotCrashTests.seeded(testConfiguration(source), count: 6)
            await store.run("CONTACT.ADD", #"{"name":"Ann Lee","phone":"+16502539001","tags":["VIP"],"notes":"first"}"#)
            await store.run("CONTACT.ADD", #"{"name":"Anne Lee","phone":"+16502539002","tags":["DNC"],"notes":"second"}"#)
            let before = try await dump(store.directory)
            let merged = await store.run("CONTACT.MERGE", "7", "8")
            #expect(merged.string?.contains(#""merge_id""#) == true, "\(merged)")
            let complete = try await dump(store.directory)
            try await store.crash()
            let segment = try #require(try journalSegments(source).last)
            let size = try TestFiles.size(segment)
            let recordLength = size - (try lastRecordOffset(segment))
            for cut in Set(stride(from: 1, through: recordLength, by: max(1, recordLength / 23)).map { $0 } + [recordLength]).sorted() {
                let copy = path + "/cut-\(cut)"
                try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
                try copyDirectory(source, to: copy)
                try TestFiles.truncate(copy + "/" + (segment as NSString).lastPathComponent, to: size - cut)
                let reopened = try OpenStore(testConfiguration(copy))
                expectSameState(try await dump(reopened.directory).organizations, before.organizations, "cut \(cut) of \(recordLength) bytes")
                let log = try await reopened.directory.shard(1)?.read { $0.undoEntries.count }
                #expect(log == 0, "cut \(cut): no merge logged")
                try await reopened.crash()
                try FileManager.default.removeItem(atPath: copy)
            }
            let intact = try OpenStore(testConfiguration(source))
            expectSameState(try await dump(intact.directory).organizations, complete.organizations, "uncut")
            let survivor = try await intact.directory.shard(1)?.read { $0.contacts[8]?.mergedInto }
            #expect(survivor == 7)
            try await intact.crash()
        }
    }
}
