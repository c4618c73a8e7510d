import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// A crash in the middle of the journal's last write, seen through the store.
@Suite struct RecoveryTornTailTests {
    /// Cuts the last record at every byte offset (header, then payload): the reopened store has
    /// everything before the last write and nothing of it, and the report names the cut.
    @Test func tornLastRecordLosesOnlyThatWrite() async throws {
        try await withTemporaryDirectory(prefix: "torn") { path in
            let source = path + "/source"
            var store = try await SnapshotCrashTests.seeded(testConfiguration(source), count: 12)
            let before = try await dump(store.directory)
            await store.run("CONTACT.UPDATE", "3", #"{"notes":"the torn write","tags":["late"]}"#)
            let complete = try await dump(store.directory)
            try await store.crash()
            let segment = try #require(try journalSegments(source).last)
            let size = try TestFiles.size(segment)
            let recordLength = size - (try lastRecordOffset(segment))

            for cut in 1...recordLength {
                let copy = path + "/cut-\(cut)"
                try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: false)
                try copyDirectory(source, to: copy)
                let copiedSegment = copy + "/" + (segment as NSString).lastPathComponent
                try TestFiles.truncate(copiedSegment, to: size - cut)
                let reopened = try OpenStore(testConfiguration(copy))
                let state = try await dump(reopened.directory)
                expectSameState(state.organizations, before.organizations, "cut \(cut) of \(recordLength) bytes")
                #expect(state.problems.isEmpty)
                let report = await reopened.directory.recoveryReport
                if cut < recordLength {
                    #expect(report.contains("torn journal tail cut at \(copiedSegment) offset \(size - recordLength)"), "\(report)")
                }
                try await reopened.crash()
                #expect(try TestFiles.size(copiedSegment) >= size - recordLength, "the good records stay")
                try FileManager.default.removeItem(atPath: copy)
            }
            let intact = try OpenStore(testConfiguration(source))
            expectSameState(try await dump(intact.directory).organizations, complete.organizations, "uncut")
            try await intact.crash()
        }
    }

    /// Zeros after the last record (what a power loss can leave) are a torn tail, not corruption.
    @Test(arguments: [1, 24, 4096])
    func zeroFilledTailIsCutAndNothingIsLost(zeros: Int) async throws {
        try await withTemporaryDirectory(prefix: "zeros") { path in
            var store = try await SnapshotCrashTests.seeded(testConfiguration(path), count: 10)
            await store.run("CONTACT.DELETE", "4")
            let live = try await dump(store.directory)
            try await store.crash()
            let segment = try #require(try journalSegments(path).last)
            let handle = try #require(FileHandle(forWritingAtPath: segment))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(count: zeros))
            try handle.close()

            var reopened = try OpenStore(testConfiguration(path))
            expectSameState(try await dump(reopened.directory).organizations, live.organizations, "\(zeros) zeros")
            #expect(await reopened.directory.recoveryReport.contains("zero-filled"))
            await reopened.run("USE", "Acme")
            #expect(errorCode(await reopened.run("CONTACT.ADD", contactJSON(99))) == nil, "writes continue after the cut")
            let after = try await dump(reopened.directory)
            try await reopened.crash()
            let again = try OpenStore(testConfiguration(path))
            expectSameState(try await dump(again.directory).organizations, after.organizations, "after writing past the cut")
            try await again.crash()
        }
    }

    /// A flipped byte in an earlier record is corruption: open refuses with the file and offset;
    /// with `repair` it keeps every readable record, those after the damage included.
    @Test func flippedByteMidJournalRefusesToOpenUnlessRepaired() async throws {
        try await withTemporaryDirectory(prefix: "flip") { path in
            let store = try await SnapshotCrashTests.seeded(testConfiguration(path), count: 10)
            try await store.crash()
            let segment = try #require(try journalSegments(path).first)
            let offsets = try recordOffsets(segment)
            try TestFiles.flipByte(segment, at: offsets[5] + 30)
            #expect {
                _ = try OpenStore(testConfiguration(path))
            } throws: { error in
                let message = (error as? CallsheetError)?.message ?? ""
                return (error as? CallsheetError)?.code == .unavailable && message.contains(segment) && message.contains("\(offsets[5])")
            }
            var repairing = testConfiguration(path)
            repairing.repair = true
            let repaired = try OpenStore(repairing)
            let state = try await dump(repaired.directory)
            // Record 1 is the organization, records 2–11 contacts 1–10: only record 6 (contact 5) is lost.
            #expect(state.organizations.values.first?.contacts.count == 9)
            let report = await repaired.directory.recoveryReport
            #expect(report.contains("journal repaired: 1 record(s) lost, 5 record(s) after the damage kept"), "\(report)")
            #expect(report.contains("snapshot") && report.contains("written to cover the repaired journal"), "\(report)")
            try await repaired.crash()
            // The snapshot covers the hole: the next start needs no --repair and finds the same nine.
            let reopened = try OpenStore(testConfiguration(path))
            #expect(try await dump(reopened.directory) == state)
            try await reopened.crash()
        }
    }
}

/// Where each record of a valid segment starts (32-byte segment header, 24-byte record headers).
func recordOffsets(_ segment: String) throws -> [Int] {
    let bytes = try TestFiles.bytes(segment)
    var offsets: [Int] = []
    var offset = 32
    while offset + 24 <= bytes.count {
        offsets.append(offset)
        let length = (4..<8).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * ($1 - 4)) }
        offset += 24 + length
    }
    return offsets
}

func lastRecordOffset(_ segment: String) throws -> Int {
    try recordOffsets(segment).last ?? 32
}
