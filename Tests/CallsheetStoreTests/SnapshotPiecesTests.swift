import CallsheetCore
import Testing
@testable import CallsheetStore

/// A snapshot encodes an organization in pieces of about a megabyte (never the whole
/// organization as one buffer); the pieces together are the one encoding, and decode to the state.
@Suite struct SnapshotPiecesTests {
    @Test func piecesConcatenateToTheWholeEncoding() throws {
        var state = OrganizationState(organization: Organization(id: 1, name: "Acme", defaultRegion: "US", createdAt: 0))
        state.apply((1...ContactID(500)).map { id in
            .putContact(Contact(
                id: id, organizationID: 1, departmentID: 1, createdByUserID: 1, name: "Person \(id)", phone: testPhone(Int(id)),
                company: "Company \(id % 9)", tags: ["t\(id % 4)"], createdAt: 1, updatedAt: 1))
        })
        var whole = BinaryWriter()
        whole.varint(UInt64(77))
        state.encode(into: &whole)
        var pieces: [[UInt8]] = []
        SnapshotCodec.organization(state, covered: 77, pieceSize: 1_000, imageMinimumContacts: 0) { pieces.append($0) }
        #expect(pieces.count > 10, "about one piece a kilobyte")
        // Contacts go out one by one; the text index image in parts (a text chunk of up to 1,024
        // documents, a posting list, a phone-suffix bucket), each a few kilobytes here.
        #expect(pieces.allSatisfy { $0.count <= 1_000 + 32 * 1024 }, "\(pieces.map(\.count).max() ?? 0)")
        #expect(Array(pieces.joined()) == whole.bytes)
        let content = SnapshotCodec.header(nextOrganizationID: 2, count: 1) + Array(pieces.joined())
        let recovered = try SnapshotCodec.decode(content, snapshotSequence: 77)
        #expect(recovered.organizations[1]?.contacts == state.contacts)
        #expect(recovered.organizations[1]?._checkInvariants() == [])
    }
}
