extension OrganizationState {
    /// Writes the whole state (records and counters; indexes are rebuilt on load) for a snapshot.
    public func encode(into writer: inout BinaryWriter) {
        encode(into: &writer, pieceSize: .max) { _ in }
    }

    /// ``encode(into:)`` in pieces: whenever `writer` holds more than `pieceSize` bytes between
    /// two contacts, `flush` gets it (and empties it), so that a snapshot never holds a second
    /// copy of the organization as bytes.
    public func encode(into writer: inout BinaryWriter, pieceSize: Int, flush: (inout BinaryWriter) throws -> Void) rethrows {
        RecordCodec.encode(organization, into: &writer)
        writer.varint(nextContactID)
        writer.varint(nextDepartmentID)
        writer.varint(nextUserID)
        writer.varint(departments.count)
        for department in departments.values.sorted(by: { $0.id < $1.id }) { RecordCodec.encode(department, into: &writer) }
        writer.varint(users.count)
        for user in users.values.sorted(by: { $0.id < $1.id }) { RecordCodec.encode(user, into: &writer) }
        writer.varint(fields.count)
        for field in orderedFields { RecordCodec.encode(field, into: &writer) }
        writer.varint(contacts.count)
        for id in orderedIDs {
            if let contact = contacts[id] { RecordCodec.encode(contact, into: &writer) }
            if writer.bytes.count > pieceSize { try flush(&writer) }
        }
        let allPresets = presets.values.flatMap(\.values).sorted { ($0.userID, $0.name) < ($1.userID, $1.name) }
        writer.varint(allPresets.count)
        for preset in allPresets { RecordCodec.encode(preset, into: &writer) }
    }

    /// Reads what ``encode(into:)`` wrote and rebuilds every index.
    public static func decode(_ reader: inout BinaryReader) throws(CallsheetError) -> OrganizationState {
        var state = OrganizationState(organization: try RecordCodec.decodeOrganization(&reader))
        let nextContact = try reader.id()
        let nextDepartment = try reader.id()
        let nextUser = try reader.id()
        for _ in 0..<(try reader.count()) { state.apply(.putDepartment(try RecordCodec.decodeDepartment(&reader))) }
        for _ in 0..<(try reader.count()) { state.apply(.putUser(try RecordCodec.decodeUser(&reader))) }
        for _ in 0..<(try reader.count()) { state.apply(.putField(try RecordCodec.decodeField(&reader))) }
        // A contact takes at least 16 bytes (four ids, two strings, presence bytes, three timestamps).
        let contactCount = try reader.count(minimumBytes: 16)
        var loaded: [Contact] = []
        loaded.reserveCapacity(contactCount)
        for _ in 0..<contactCount { loaded.append(try RecordCodec.decodeContact(&reader)) }
        state.load(loaded)
        for _ in 0..<(try reader.count()) { state.apply(.putPreset(try RecordCodec.decodePreset(&reader))) }
        state.nextContactID = max(state.nextContactID, nextContact)
        state.nextDepartmentID = max(state.nextDepartmentID, nextDepartment)
        state.nextUserID = max(state.nextUserID, nextUser)
        return state
    }
}
