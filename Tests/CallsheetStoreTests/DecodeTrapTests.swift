import CallsheetCore
import CallsheetStorage
import Foundation
import TestSupport
import Testing
@testable import CallsheetStore

/// Decoded numbers that later arithmetic would trap on (`id + 1`, `Int64(id)`, `+= 1`, formatting a
/// time, a reservation of a hostile count) are decode errors with the file and offset.
/// Payloads are built byte by byte; each case used to crash the process.
@Suite struct DecodeTrapTests {
    func expectCorrupt(
        _ bytes: [UInt8], _ words: String, atByte offset: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let error = #expect(throws: CallsheetError.self, sourceLocation: sourceLocation) { try RecordCodec.decodeChangeSet(bytes) }
        let message = error?.message ?? ""
        #expect(message.contains(words) && message.hasSuffix("at byte \(offset)"), "\(message)", sourceLocation: sourceLocation)
    }

    func contact(_ change: (inout Contact) -> Void) -> [UInt8] {
        var contact = Contact(id: 1, organizationID: 1, departmentID: 1, createdByUserID: 1, name: "Ann", phone: "+16502530000", createdAt: 0, updatedAt: 0)
        change(&contact)
        return RecordCodec.encode(ChangeSet(organizationID: 1, changes: [.putContact(contact)]))
    }

    @Test func changeSetNumbersOutOfRange() {
        var writer = BinaryWriter()
        writer.byte(1)
        writer.varint(UInt64.max)  // organization id: `id + 1` trapped in recovery
        writer.varint(0)
        expectCorrupt(writer.bytes, "id 18446744073709551615 out of range", atByte: 1)

        writer = BinaryWriter()
        writer.byte(1)
        writer.varint(3)
        writer.varint(1)
        writer.byte(9)  // removeContact
        writer.varint(BinaryReader.maximumID + 1)
        expectCorrupt(writer.bytes, "id 9007199254740993 out of range", atByte: 4)

        writer = BinaryWriter()
        writer.byte(1)
        writer.varint(3)
        writer.varint(UInt64(1) << 62)  // 2^62 changes in 11 bytes: a huge reservation
        expectCorrupt(writer.bytes, "count 4611686018427387904 exceeds the 0 bytes left", atByte: 2)

        // Ten continuation bytes and more: not a 64-bit number.
        expectCorrupt([1] + [UInt8](repeating: 0xFF, count: 10) + [0x01], "varint too long", atByte: 10)
        expectCorrupt([1] + [UInt8](repeating: 0xFF, count: 9) + [0x02, 0], "varint too long", atByte: 10)
    }

    @Test func contactValuesOutOfRange() throws {
        expectCorrupt(contact { $0.id = .max }, "id 18446744073709551615 out of range", atByte: 4)
        expectCorrupt(contact { $0.departmentID = .max }, "id 18446744073709551615 out of range", atByte: 6)
        // `totalCalls += 1` on CONTACT.LOGCALL trapped.
        let calls = contact { $0.totalCalls = .max }
        expectCorrupt(calls, "value 9223372036854775807 out of range", atByte: calls.count - 12)
        // Formatting `created_at` trapped for times near Int64.min.
        let created = contact { $0.createdAt = .min }
        expectCorrupt(created, "timestamp -9223372036854775808 out of range", atByte: created.count - 12)
        let called = contact { $0.lastCalledAt = .max }
        #expect(throws: CallsheetError.self) { try RecordCodec.decodeChangeSet(called) }
        // The edges of every range still decode.
        let edges = contact {
            $0.id = BinaryReader.maximumID
            $0.totalCalls = 1 << 53
            $0.createdAt = BinaryReader.timestampRange.lowerBound
            $0.updatedAt = BinaryReader.timestampRange.upperBound
        }
        let decoded = try RecordCodec.decodeChangeSet(edges)
        #expect(RecordCodec.encode(decoded) == edges)
    }

    @Test func fieldOrderOutOfRange() {
        let field = FieldDefinition(name: "x", label: "x", type: .text, order: .min)
        let bytes = RecordCodec.encode(ChangeSet(organizationID: 1, changes: [.putField(field)]))
        expectCorrupt(bytes, "field order -9223372036854775808 out of range", atByte: bytes.count - 11)
    }

    /// A journal record whose checksum verifies but whose organization id is UInt64.max.
    @Test func journalRecordErrorNamesFileAndOffset() async throws {
        try await withTemporaryDirectory(prefix: "trap") { path in
            let writer = try JournalWriter(directory: path, after: 0, logger: durabilityLogger)
            let organization = Organization(id: .max, name: "Evil", defaultRegion: "US", createdAt: 0)
            let payload = RecordCodec.encode(ChangeSet(organizationID: 1, changes: [.putOrganization(organization)]))
            _ = try await writer.appendDurably(type: JournalRecordType.changeSet, payload: payload)
            try writer.close()
            let segment = try #require(try journalSegments(path).first)
            let error = #expect(throws: CallsheetError.self) { _ = try OpenStore(testConfiguration(path)) }
            let message = error?.message ?? ""
            #expect(error?.code == .unavailable)
            #expect(message.contains("RECORD_UNREADABLE: journal record 1 (type 1)"), "\(message)")
            #expect(message.contains("id 18446744073709551615 out of range") && message.contains("at byte 4;"), "\(message)")
            #expect(message.contains("[file \(segment) offset 56]"), "\(message)")
        }
    }

    /// A snapshot whose content verifies but holds an organization with id UInt64.max.
    @Test func snapshotContentErrorNamesTheFile() async throws {
        try await withTemporaryDirectory(prefix: "trap") { path in
            // At sequence 3 with no journal: no older snapshot or journal holds what it covers.
            let writer = try SnapshotWriter(directory: path, header: SnapshotHeader(sequence: 3))
            let state = OrganizationState(organization: Organization(id: .max, name: "Evil", defaultRegion: "US", createdAt: 0))
            try writer.write(SnapshotCodec.header(nextOrganizationID: 1, count: 1))
            try writer.write(SnapshotCodec.organization(state, covered: 0))
            let file = try writer.commit()
            let error = #expect(throws: CallsheetError.self) { _ = try OpenStore(testConfiguration(path)) }
            let message = error?.message ?? ""
            #expect(message.contains("snapshot content verifies but does not decode"), "\(message)")
            #expect(message.contains("id 18446744073709551615 out of range") && message.contains("at byte 8 of the content"), "\(message)")
            #expect(message.contains("[file \(file.path)]"), "\(message)")
        }
    }

    @Test func snapshotCountsAndSequencesOutOfRange() throws {
        var content = SnapshotCodec.header(nextOrganizationID: .max, count: 0)
        #expect(throws: CallsheetError.self) { try SnapshotCodec.decode(content, snapshotSequence: 0) }
        content = SnapshotCodec.header(nextOrganizationID: 1, count: 1 << 40)
        #expect(throws: CallsheetError.self) { try SnapshotCodec.decode(content, snapshotSequence: 0) }
        content = SnapshotCodec.header(nextOrganizationID: 1, count: 1)
            + SnapshotCodec.organization(OrganizationState(organization: Organization(id: 1, name: "A", defaultRegion: "US", createdAt: 0)), covered: .max)
        let error = #expect(throws: CallsheetError.self) { try SnapshotCodec.decode(content, snapshotSequence: 0) }
        #expect(error?.message.contains("covered sequence 18446744073709551615 out of range at byte 7") == true, "\(String(describing: error))")
    }

    /// Job files: a negative or too-large id used to trap converting to UInt64 (or later, `id + 1`).
    @Test func importJobFilesWithImpossibleNumbers() async throws {
        /// A job file with `members` replacing or adding to a valid one's.
        func job(_ members: [String: String] = [:]) throws -> JSONValue {
            var all = ["job_id": "3", "organization_id": "1", "user_id": "0", "state": #""completed""#, "started_at": #""2026-01-01T00:00:00Z""#]
            all.merge(members) { $1 }
            return try JSONValue.parse("{" + all.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",") + "}")
        }
        #expect(try ImportJob(decoding: job()).id == 3)
        for (members, words) in [
            (["job_id": "-1"], "job_id -1 is out of range"),
            (["job_id": "9223372036854775807"], "job_id 9223372036854775807 is out of range"),
            (["organization_id": "-5"], "organization_id -5 is out of range"),
            (["user_id": "-1"], "user_id -1 is out of range"),
            (["created": "-1"], "created -1 is out of range"),
            (["marker": #"{"contact_id":-1,"phone":"+1","time":0}"#], "contact_id -1 is out of range"),
            (["marker": #"{"contact_id":1,"phone":"+1","time":-9223372036854775808}"#], "marker time"),
        ] {
            let error = #expect(throws: CallsheetError.self) { try ImportJob(decoding: job(members)) }
            #expect(error?.message.contains(words) == true, "\(members): \(String(describing: error))")
            #expect(ImportJob(json: try job(members)) == nil)
        }
        // In a data directory: the bad file is skipped; the store starts and answers.
        try await withTemporaryDirectory(prefix: "trap") { path in
            var store = try OpenStore(testConfiguration(path))
            await store.run("ORG.CREATE", "Acme", "REGION", "US", "ADMIN", "alice")
            try FileManager.default.createDirectory(atPath: path + "/imports/jobs", withIntermediateDirectories: true)
            try Data(#"{"job_id":-1,"organization_id":1,"user_id":0,"state":"committing","started_at":"2026-01-01T00:00:00Z"}"#.utf8)
                .write(to: URL(fileURLWithPath: path + "/imports/jobs/1.json"))
            #expect(errorCode(await store.run("IMPORT.STATUS", "1")) == "NOT_FOUND")
            try await store.crash()
        }
    }
}

/// Seeded random damage to valid payloads: every result decodes or is an error, and whatever
/// decodes can be applied and opened. A trap anywhere ends the test process.
@Suite struct RandomDamageTests {
    @Test func damagedPayloadsDecodeOrFail() throws {
        var state = OrganizationState(organization: Organization(id: 1, name: "Acme", defaultRegion: "US", createdAt: 0))
        for n in 0..<30 {
            state.apply(.putContact(Contact(
                id: UInt64(n + 1), organizationID: 1, departmentID: 1, createdByUserID: 1, name: "P \(n)", phone: testPhone(n),
                tags: ["t\(n % 3)"], customFields: ["score": .integer(Int64(n))], totalCalls: n, createdAt: Int64(n), updatedAt: Int64(n))))
        }
        state.apply(.putField(FieldDefinition(name: "score", label: "Score", type: .integer, order: 1)))
        let content = SnapshotCodec.header(nextOrganizationID: 2, count: 1) + SnapshotCodec.organization(state, covered: 3)
        let record = RecordCodec.encode(ChangeSet(organizationID: 1, changes: state.contacts.values.map { .putContact($0) }))
        var random = SeededRandom(seed: 9)
        var decoded = 0
        for round in 0..<3000 {
            var bytes = round % 2 == 0 ? content : record
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0...3, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes[index] = 0xFF
                case 2: bytes.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], at: index)
                default: bytes.removeSubrange(index..<min(bytes.count, index + Int.random(in: 1...8, using: &random)))
                }
            }
            if round % 2 == 0 {
                guard let recovered = try? SnapshotCodec.decode(bytes, snapshotSequence: 3) else { continue }
                _ = ShardDirectory(configuration: StoreConfiguration(directory: ""), journal: nil, recovered: recovered, logger: durabilityLogger)
            } else {
                guard let set = try? RecordCodec.decodeChangeSet(bytes) else { continue }
                var recovered = RecoveredState()
                recovered.organizations[1] = state
                try? recovered.apply(set, sequence: 4)
                _ = ShardDirectory(configuration: StoreConfiguration(directory: ""), journal: nil, recovered: recovered, logger: durabilityLogger)
            }
            decoded += 1
        }
        #expect(decoded > 0, "some damage (a changed letter) still decodes")
    }
}
