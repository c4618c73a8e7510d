extension OrganizationState {
    /// Writes the whole state for a snapshot: records and counters, then (content version 2,
    /// `indexImage`) the text index as it lies in memory, so that loading does not rebuild it.
    /// The other indexes are rebuilt on load.
    public func encode(into writer: inout BinaryWriter, indexImage: Bool = true, duplicates: Bool = true, compliance: Bool = true, contactImage: Bool = true) {
        // With no piece size, nothing is handed on: everything stays in `writer`.
        encode(into: &writer, indexImage: indexImage, duplicates: duplicates, compliance: compliance, contactImage: contactImage, pieceSize: .max) { _ in }
    }

    /// ``encode(into:indexImage:)`` in pieces: whenever `writer` holds more than `pieceSize`
    /// bytes between two contacts (or two parts of the index image), `write` gets them and
    /// `writer` starts again empty, so that a snapshot never holds a second copy of the
    /// organization as bytes. What is left at the end stays in `writer`.
    ///
    /// With `indexImage`, an organization of fewer than `imageMinimumContacts` contacts is
    /// written without its image (version 2, presence byte 0): rebuilding its index takes
    /// milliseconds, and the image would make its snapshot several times larger.
    ///
    /// With `duplicates` (content version 3), the duplicate settings, ignored pairs and undo
    /// entries follow the presets; with `compliance` (content version 4), the calls, do-not-call
    /// list, consents, campaigns, protected contacts, retention rules and erasure receipts follow those.
    ///
    /// With `contactImage` (content version 6), the contacts are the table's image
    /// (``ContactSlots/writeImage(into:pieceSize:write:)``): records as they lie in memory.
    public func encode(
        into writer: inout BinaryWriter, indexImage: Bool = true, duplicates: Bool = true, compliance: Bool = true, contactImage: Bool = true,
        imageMinimumContacts: Int = 0, pieceSize: Int,
        write: ([UInt8]) throws -> Void
    ) rethrows {
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
        // Version 2 says before the contacts that the image follows them, so that loading
        // knows how to index the contacts while it decodes them.
        let withImage = indexImage && contacts.count >= imageMinimumContacts
        if indexImage { writer.bool(withImage) }
        if contactImage {
            try contacts.writeImage(into: &writer, pieceSize: pieceSize, write: write)
        } else {
            writer.varint(contacts.count)
            for id in orderedIDs {
                if let contact = contacts[id] { RecordCodec.encode(contact, into: &writer) }
                if writer.bytes.count > pieceSize { try writer.drain(write) }
            }
        }
        if withImage { try textIndex.writeImage(into: &writer, pieceSize: pieceSize, write: write) }
        let allPresets = presets.values.flatMap(\.values).sorted { ($0.userID, $0.name) < ($1.userID, $1.name) }
        writer.varint(allPresets.count)
        for preset in allPresets { RecordCodec.encode(preset, into: &writer) }
        guard duplicates else { return }
        RecordCodec.encode(duplicateSettings, into: &writer)
        writer.varint(ignoredPairs.count)
        for pair in ignoredPairs.sorted(by: { ($0.low, $0.high) < ($1.low, $1.high) }) {
            writer.varint(pair.low)
            writer.varint(pair.high)
        }
        writer.varint(nextUndoID)
        writer.varint(undoEntries.count)
        for entry in undoEntries.values.sorted(by: { $0.id < $1.id }) {
            RecordCodec.encode(entry, into: &writer)
            if writer.bytes.count > pieceSize { try writer.drain(write) }
        }
        guard compliance else { return }
        try encodeCompliance(into: &writer, pieceSize: pieceSize, write: write)
    }

    /// Reads what ``encode(into:indexImage:)`` wrote and rebuilds every index but the text
    /// index, which it reads from the image when there is one (`indexImage`: the content is of
    /// version 2, where a presence byte before the contacts says whether the image follows them).
    public static func decode(
        _ reader: inout BinaryReader, indexImage: Bool = true, duplicates: Bool = true, compliance: Bool = true, cold: Bool = true,
        contactImage: Bool = true
    ) throws(CallsheetError) -> OrganizationState {
        var state = OrganizationState(organization: try RecordCodec.decodeOrganization(&reader))
        let nextContact = try reader.id()
        let nextDepartment = try reader.id()
        let nextUser = try reader.id()
        for _ in 0..<(try reader.count()) { state.apply(.putDepartment(try RecordCodec.decodeDepartment(&reader))) }
        for _ in 0..<(try reader.count()) { state.apply(.putUser(try RecordCodec.decodeUser(&reader))) }
        for _ in 0..<(try reader.count()) { state.apply(.putField(try RecordCodec.decodeField(&reader))) }
        let withImage = indexImage ? try reader.bool() : false
        var pendingTable: PendingTable?
        if contactImage {
            pendingTable = try state.startReadingTable(&reader, textIndexImage: withImage)
        } else {
            try state.decodeContacts(&reader, textIndexImage: withImage)
        }
        do {
            try state.decodeAfterContacts(&reader, duplicates: duplicates, compliance: compliance, cold: cold)
        } catch {
            pendingTable?.done.wait()
            throw error
        }
        if let pendingTable { try state.adoptTable(pendingTable, reader: reader) }
        state.nextContactID = max(state.nextContactID, nextContact)
        state.nextDepartmentID = max(state.nextDepartmentID, nextDepartment)
        state.nextUserID = max(state.nextUserID, nextUser)
        return state
    }

    /// Contacts as the journal encodes them, one by one (content versions 1–5), and the text
    /// index from its image when `withImage` (version 2 on) says one follows them.
    private mutating func decodeContacts(_ reader: inout BinaryReader, textIndexImage withImage: Bool) throws(CallsheetError) {
        // A contact takes at least 16 bytes (four ids, two strings, presence bytes, three timestamps).
        let contactCount = try reader.count(minimumBytes: 16)
        if withImage {
            let start = reader.offset
            try load(
                count: contactCount, next: { () throws(CallsheetError) in try RecordCodec.decodeContact(&reader) },
                textIndexImage: { () throws(CallsheetError) in try ContactTextIndex(image: &reader) })
            if let problem = textIndex.checkImage(against: contacts) { throw reader.corrupt(problem, at: start) }
        } else {
            var loaded: [Contact] = []
            loaded.reserveCapacity(contactCount)
            for _ in 0..<contactCount { loaded.append(try RecordCodec.decodeContact(&reader)) }
            load(loaded)
        }
        // Each contact once: a repeated id would leave the first one's memberships indexed.
        guard contacts.count == contactCount else {
            throw reader.corrupt("\(contactCount - contacts.count) contact id(s) appear twice among the contacts")
        }
    }

    /// What follows the contacts: presets, then (version 3) duplicate settings, ignored pairs
    /// and undo entries, then (version 4) calls and compliance.
    private mutating func decodeAfterContacts(_ reader: inout BinaryReader, duplicates: Bool, compliance: Bool, cold: Bool) throws(CallsheetError) {
        for _ in 0..<(try reader.count()) { apply(.putPreset(try RecordCodec.decodePreset(&reader))) }
        if duplicates {
            duplicateSettings = try RecordCodec.decodeDuplicateSettings(&reader)
            for _ in 0..<(try reader.count(minimumBytes: 2)) {
                let start = reader.offset
                let low = try reader.id(), high = try reader.id()
                guard low < high else { throw reader.corrupt("an ignored pair of contacts \(low) and \(high) (the smaller id comes first)", at: start) }
                ignoredPairs.insert(ContactPair(low, high))
            }
            let nextUndo = try reader.id()
            for _ in 0..<(try reader.count(minimumBytes: 8)) {
                let start = reader.offset
                let entry = try RecordCodec.decodeUndoEntry(&reader)
                guard undoEntries.updateValue(entry, forKey: entry.id) == nil else { throw reader.corrupt("undo entry \(entry.id) appears twice", at: start) }
            }
            nextUndoID = max(nextUndo, (undoEntries.keys.max() ?? 0) + 1)
        }
        if compliance { try decodeCompliance(&reader, cold: cold) }
    }
}
