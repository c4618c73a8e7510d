import CallsheetCore
import Testing

/// Found by the codec fuzz target (scripts/fuzz codec, input
/// Fuzz/Regressions/codec/state-department-id-at-top-of-range): a decoded department, user or
/// contact whose id is at the top of the UInt64 range trapped when applied, since the state keeps
/// the next id as the largest seen plus 1. Journal replay and snapshot loading both apply what
/// they decode, so the decoder now refuses such ids as corrupt.
@Suite struct CodecIDRangeTests {
    static let organization = Organization(id: 7, name: "Acme", defaultRegion: "US", createdAt: 0)

    /// Decodes `set` and applies what decoded, as replay does; returns the decode error if any.
    func replay(_ set: ChangeSet) -> CallsheetError? {
        var state = OrganizationState(organization: Self.organization)
        do {
            for change in try RecordCodec.decodeChangeSet(RecordCodec.encode(set)).changes { state.apply(change) }
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [UInt64.max, UInt64(Int64.max)])
    func idsAtTheTopOfTheRangeAreCorrupt(_ id: UInt64) {
        let user = User(id: id, name: "u", role: .agent, departmentID: nil, secret: SecretHash(salt: [1], digest: [2]), createdAt: 0)
        let contact = Contact(id: id, organizationID: 7, departmentID: 1, createdByUserID: 1, name: "n", phone: "+16502530000", createdAt: 0, updatedAt: 0)
        for change in [Change.putDepartment(Department(id: id, name: "d")), .putUser(user), .putContact(contact)] {
            let error = replay(ChangeSet(organizationID: 7, changes: [change]))
            #expect(error?.message.contains("id \(id) out of range") == true, "\(change)")
        }
    }

    @Test func idsBelowTheTopStillDecode() {
        let id = BinaryReader.maximumID
        #expect(replay(ChangeSet(organizationID: 7, changes: [.putDepartment(Department(id: id, name: "d"))])) == nil)
    }

    @Test func stateWithCounterAtTheTopIsCorrupt() {
        var writer = BinaryWriter()
        OrganizationState(organization: Self.organization).encode(into: &writer, indexImage: false, duplicates: false, compliance: false, contactImage: false)
        var bytes = writer.bytes
        // The organization record, the three id counters, five empty counts: rewrite the first counter.
        var reader = BinaryReader(bytes)
        #expect(throws: Never.self) { _ = try OrganizationState.decode(&reader, indexImage: false, duplicates: false, compliance: false, contactImage: false) }
        let counterOffset = bytes.count - 8  // 3 counters + 5 empty counts, one byte each
        var counter = BinaryWriter()
        counter.varint(UInt64.max)
        bytes.replaceSubrange(counterOffset..<(counterOffset + 1), with: counter.bytes)
        var damaged = BinaryReader(bytes)
        let error = #expect(throws: CallsheetError.self) { _ = try OrganizationState.decode(&damaged, indexImage: false, duplicates: false, compliance: false, contactImage: false) }
        #expect(error?.message.contains("out of range") == true)
    }
}
