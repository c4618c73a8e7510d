import CallsheetCore

/// The content of a snapshot (inside the zstd frame of docs/STORAGE.md): every organization's
/// state with the journal sequence it covers:
/// `"CSDS" | varint version | varint nextOrganizationID | varint count | count × (varint covered sequence, OrganizationState)`.
/// Version 2 (written since) adds each organization's text index image after its contacts;
/// version 1 (still read) rebuilds every index from the contacts. Version 3 adds each
/// organization's duplicate settings, ignored pairs and undo entries after its presets; version 4
/// its calls, do-not-call list, consents, campaigns, protected contacts, retention rules and
/// erasure receipts after those; version 5 the cold call catalogue (released rows, segments,
/// moved and erased cold calls) in the call log's image, and the `cold_call_days` rule. Version 6
/// (version 4 and each organization's contacts as its contact table's image: records as they lie
/// in memory, ``ContactSlots/writeImage(into:pieceSize:write:)``, instead of one record after
/// another) and version 5 were written by two lines of development; version 7, written since,
/// has both.
enum SnapshotCodec {
    static let magic: [UInt8] = Array("CSDS".utf8)
    static let version: UInt64 = 7
    /// Versions this build reads.
    static let readableVersions: ClosedRange<UInt64> = 1...7
    /// Journal sequences stay below this (what ``JournalWriter`` accepts), so `+ 1` never overflows.
    static let maximumSequence = UInt64.max / 2

    static func header(nextOrganizationID: OrganizationID, count: Int) -> [UInt8] {
        var writer = BinaryWriter()
        for byte in magic { writer.byte(byte) }
        writer.varint(version)
        writer.varint(nextOrganizationID)
        writer.varint(count)
        return writer.bytes
    }

    static func organization(_ state: OrganizationState, covered: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        organization(state, covered: covered) { bytes += $0 }
        return bytes
    }

    /// One organization's content in pieces of about ``pieceSize`` bytes, each handed to `write`.
    static func organization(
        _ state: OrganizationState, covered: UInt64, pieceSize: Int = pieceSize, imageMinimumContacts: Int = imageMinimumContacts,
        write: ([UInt8]) throws -> Void
    ) rethrows {
        var writer = BinaryWriter(capacity: min(pieceSize, 64 + state.contacts.count * 200) + 4096)
        writer.varint(covered)
        try state.encode(into: &writer, imageMinimumContacts: imageMinimumContacts, pieceSize: pieceSize, write: write)
        try writer.drain(write)
    }

    /// Organizations this large carry their text index image (a restart reads it instead of
    /// rebuilding the index, which takes about half a second at 20,000 contacts on one core);
    /// smaller ones rebuild it in milliseconds and keep their snapshots small.
    static let imageMinimumContacts = 20_000

    /// The bytes encoded before they go to the compressor.
    static let pieceSize = 1 << 20

    /// The content version a snapshot's content states, if its start can be read at all.
    static func contentVersion(_ content: [UInt8]) -> UInt64? {
        var reader = BinaryReader(content)
        for byte in magic { guard (try? reader.byte()) == byte else { return nil } }
        return try? reader.varint()
    }

    static func decode(_ content: [UInt8], snapshotSequence: UInt64) throws(CallsheetError) -> RecoveredState {
        var reader = BinaryReader(content)
        for byte in magic where try reader.byte() != byte {
            throw CallsheetError(.internal, "snapshot content does not start with CSDS")
        }
        let version = try reader.varint()
        guard readableVersions.contains(version) else { throw CallsheetError(.internal, "snapshot content written by a newer release of Callsheet (content version \(version); this build reads \(readableVersions.lowerBound)–\(readableVersions.upperBound))") }
        guard snapshotSequence < maximumSequence else {
            throw CallsheetError(.internal, "snapshot sequence \(snapshotSequence) out of range")
        }
        var recovered = RecoveredState()
        recovered.snapshotSequence = snapshotSequence
        recovered.nextOrganizationID = try reader.id()
        let count = try reader.count()
        for _ in 0..<count {
            let coveredAt = reader.offset
            let covered = try reader.varint()
            // A journal writer continues after the highest covered sequence; it refuses one this high.
            guard covered < maximumSequence else {
                throw reader.corrupt("covered sequence \(covered) out of range", at: coveredAt)
            }
            let state = try OrganizationState.decode(
                &reader, indexImage: version >= 2, duplicates: version >= 3, compliance: version >= 4, cold: version == 5 || version >= 7,
                contactImage: version >= 6)
            recovered.organizations[state.organization.id] = state
            recovered.coveredSequence[state.organization.id] = covered
        }
        guard reader.isAtEnd else { throw CallsheetError(.internal, "snapshot content has trailing bytes") }
        return recovered
    }
}
