import CallsheetCore
import Testing

/// Found by the codec fuzz target (scripts/fuzz codec): a payload of a few bytes whose count
/// field claims millions of items made the decoder reserve room for them all (3.3 GB for a
/// snapshot state claiming 2^24 contacts). Reservations are now bounded by the bytes left.
/// In-process the reservation goes unnoticed on Linux; ReservationRegressionTests replays these
/// inputs under an address-space cap, where it fails.
@Suite struct CodecCountReservationTests {
    @Test func changeSetClaimingHugeCountIsCorrupt() {
        var bytes: [UInt8] = [RecordCodec.changeSetVersion, 7]
        bytes += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]  // 2^63 - 1 changes
        let error = #expect(throws: CallsheetError.self) { try RecordCodec.decodeChangeSet(bytes) }
        #expect(error?.message.contains("exceeds the") == true, "\(String(describing: error))")
    }

    @Test func stateClaimingHugeContactCountIsCorrupt() {
        var writer = BinaryWriter()
        OrganizationState(organization: Organization(id: 7, name: "Acme", defaultRegion: "US", createdAt: 0)).encode(into: &writer)
        // Cut after the field count and claim 2^24 contacts.
        var bytes = writer.bytes
        bytes.removeLast(2)  // the contact and preset counts (both 0)
        bytes += [0x80, 0x80, 0x80, 0x08]
        var reader = BinaryReader(bytes)
        #expect(throws: CallsheetError.self) { try OrganizationState.decode(&reader) }
    }

    @Test func readerCountsWhatIsLeft() throws {
        var reader = BinaryReader([1, 2, 3])
        #expect(reader.remaining == 3)
        _ = try reader.byte()
        #expect(reader.remaining == 2)
    }
}
