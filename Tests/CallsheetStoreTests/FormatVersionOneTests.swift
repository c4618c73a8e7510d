import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// A data directory written by the last release of snapshot content version 1
/// (`Fixtures/v1-data`, made as its README says) opens with this build exactly as it was written,
/// `verify` accepts it, and the next snapshot is written in the current version and reads back
/// the same.
@Suite struct FormatVersionOneTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/v1-data").path

    /// Copies the fixture into `path` (tests never write into the repository).
    static func copyFixture(to path: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture) {
            try FileManager.default.copyItem(atPath: fixture + "/" + name, toPath: path + "/" + name)
        }
    }

    static func contentVersion(ofNewestSnapshotIn path: String) throws -> UInt64? {
        let newest = try #require(
            try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasPrefix("snapshot-") }.sorted().last)
        return SnapshotCodec.contentVersion(try SnapshotReader.load(path: path + "/" + newest).content)
    }

    static func ids(_ reply: JSONValue) -> [Int64] {
        guard case .array(let contacts)? = reply["contacts"] else { return [] }
        return contacts.compactMap { if case .integer(let id)? = $0["id"] { id } else { nil } }
    }

    /// What the fixture holds, checked through commands (snapshot records and the seven journal
    /// records after it).
    static func expectFixtureState(_ store: inout OpenStore, _ context: String) async throws {
        await store.run("USE", "Fixture")
        #expect(try await store.json("CONTACT.COUNT") == (try JSONValue.parse(#"{"active":8,"archived":1}"#)), "\(context)")
        let ann = try await store.json("CONTACT.GET", "2")
        #expect(ann["notes"] == .string("Switched to email"), "\(context)")
        #expect(ann["tags"] == .array([.string("VIP"), .string("Renewal")]), "\(context)")
        #expect(ann["total_calls"] == .integer(1), "\(context)")
        let jose = try await store.json("CONTACT.GET", "1")
        #expect(jose["total_calls"] == .integer(2) && jose["last_call_outcome"] == .string("voicemail"), "\(context)")
        #expect(jose["custom_fields"]?["account_value"] == .number("1234.5"), "\(context): \(jose)")
        #expect(errorCode(await store.run("CONTACT.GET", "8")) == "NOT_FOUND", "\(context)")
        // Searches read the text index: accents, apostrophes, the renamed contact, phone digits.
        #expect(Self.ids(try await store.json("CONTACT.SEARCH", "garcia")) == [1], "\(context)")
        #expect(Self.ids(try await store.json("CONTACT.SEARCH", "oberg")) == [3], "\(context)")
        #expect(Self.ids(try await store.json("CONTACT.SEARCH", "sohne")) == [5], "\(context)")
        #expect(Self.ids(try await store.json("CONTACT.SEARCH", "obrien")) == [4], "\(context)")
        #expect(Self.ids(try await store.json("CONTACT.SEARCH", "acme")).sorted() == [1, 2, 7], "\(context)")
        #expect(Self.ids(try await store.json("CONTACT.SEARCH", "removed")) == [], "\(context)")
        #expect(Self.ids(try await store.json("CONTACT.SEARCH", "555-0190")) == [10], "\(context)")
        #expect(Self.ids(try await store.json("CONTACT.CALLERID", "5550199")) == [4], "\(context)")
        #expect(Self.ids(try await store.json("CONTACT.SEARCH", "*", "TAGS", "ANY", "Lukewarm")) == [3, 4], "\(context)")
        #expect(Self.ids(try await store.json("CONTACT.SEARCH", "*", "DEPT", "3")) == [3, 4, 5, 6, 10], "\(context)")
        #expect(try await store.json("CONTACT.BYPHONE", "+1 650 555 0190")["id"] == .integer(10), "\(context)")
    }

    @Test func aVersionOneDirectoryOpensAsWrittenAndItsNextSnapshotIsCurrent() async throws {
        try await withTemporaryDirectory(prefix: "v1-fixture") { path in
            try Self.copyFixture(to: path)
            #expect(try Self.contentVersion(ofNewestSnapshotIn: path) == 1)
            let before = try StorageVerifier.verify(path: path)
            #expect(before.isHealthy, "\(before.description)")

            var store = try OpenStore(testConfiguration(path))
            try await Self.expectFixtureState(&store, "version 1 directory")
            let first = try await dump(store.directory)
            #expect(first.problems.isEmpty, "\(first.problems.prefix(3))")
            _ = try await store.json("SNAPSHOT")
            #expect(try Self.contentVersion(ofNewestSnapshotIn: path) == SnapshotCodec.version)
            try await store.crash()

            store = try OpenStore(testConfiguration(path))
            let reopened = try await dump(store.directory)
            expectSameState(reopened.organizations, first.organizations, "after a snapshot of the current version")
            #expect(reopened.problems.isEmpty, "\(reopened.problems.prefix(3))")
            try await Self.expectFixtureState(&store, "after a snapshot of the current version")
            #expect(try await store.json("CONTACT.ADD", #"{"name":"Next","phone":"+1 650 555 0191"}"#)["id"] == .integer(11))
            try await store.crash()
            let after = try StorageVerifier.verify(path: path)
            #expect(after.isHealthy, "\(after.description)")
        }
    }

    /// A snapshot whose text index image reads (every structure checks) but does not match its
    /// contacts: the directory starts, and `verify` finds the mismatch and calls it a problem.
    @Test func verifyFindsAnIndexImageThatDisagreesWithItsContacts() async throws {
        try await withTemporaryDirectory(prefix: "image-mismatch") { path in
            var store = try OpenStore(testConfiguration(path))
            await store.run("ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice")
            await store.run("USE", "Acme")
            for n in 0..<5 { await store.run("CONTACT.ADD", contactJSON(n)) }
            _ = try await store.json("CONTACT.ADD", #"{"name":"Zyxwvut Person","phone":"+1 650 555 0142"}"#)
            _ = try await store.json("SNAPSHOT")
            try await store.crash()
            #expect(try StorageVerifier.verify(path: path) { ShardDirectory.startupCheck(directory: $0) }.isHealthy)

            // The folded name is in the image only (the contact keeps "Zyxwvut"): change one letter.
            let file = try #require(try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasPrefix("snapshot-") }.sorted().last)
            let loaded = try SnapshotReader.load(path: path + "/" + file)
            var content = loaded.content
            let folded = Array("zyxwvut person".utf8)
            let at = try #require(content.indices.first { content[$0..<min($0 + folded.count, content.count)].elementsEqual(folded) })
            content[at] = UInt8(ascii: "q")
            try FileManager.default.removeItem(atPath: path + "/" + file)
            let writer = try SnapshotWriter(directory: path, header: SnapshotHeader(sequence: loaded.header.sequence))
            try writer.write(content)
            _ = try writer.commit()

            let report = try StorageVerifier.verify(path: path) { ShardDirectory.startupCheck(directory: $0) }
            #expect(!report.isHealthy)
            #expect(report.description.contains("INDEX organization 1: the text index does not match its contacts"), "\(report.description)")
            store = try OpenStore(testConfiguration(path))
            await store.run("USE", "Acme")
            #expect(try await store.json("CONTACT.COUNT") == (try JSONValue.parse(#"{"active":6,"archived":0}"#)))
            try await store.crash()
        }
    }
}

