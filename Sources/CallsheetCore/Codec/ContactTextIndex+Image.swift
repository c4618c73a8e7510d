import ChunkedCollections
import TextIndex

/// The text index as it lies in memory, for snapshot content version 2 (docs/STORAGE.md):
///
/// ```
/// varint slots · slots × varint contact id (0: a removed contact's slot)
/// TrigramIndex image · PhoneSuffixIndex image          (TextIndex/IndexImage.swift)
/// ```
///
/// A restart reads it instead of folding every contact's texts and rebuilding the postings.
extension ContactTextIndex {
    /// Appends the image to `writer`, handing full pieces of more than `pieceSize` bytes to `write`.
    func writeImage(into writer: inout BinaryWriter, pieceSize: Int, write: ([UInt8]) throws -> Void) rethrows {
        writer.varint(contactOfSlot.count)
        for id in contactOfSlot {
            writer.varint(id)
            if writer.bytes.count > pieceSize { try writer.drain(write) }
        }
        try writer.withBytes { bytes in
            let flush = { (piece: inout [UInt8]) throws in
                try write(piece)
                piece.removeAll(keepingCapacity: true)
            }
            try trigrams.writeImage(into: &bytes, pieceSize: pieceSize, flush: flush)
            try suffixes.writeImage(into: &bytes, pieceSize: pieceSize, flush: flush)
        }
    }

    /// Reads an image written by ``writeImage(into:pieceSize:write:)``. The caller checks it
    /// against the contacts with ``checkImage(against:)`` once they are loaded.
    init(image reader: inout BinaryReader) throws(CallsheetError) {
        self.init()
        let slots = try reader.count(minimumBytes: 1)
        for _ in 0..<slots { contactOfSlot.append(try reader.id()) }
        let start = reader.offset
        do {
            let (trigrams, suffixes) = try reader.withBytes { bytes, offset throws(TextIndexError) in
                (
                    try TrigramIndex(image: bytes, offset: &offset, documentLimit: slots),
                    try PhoneSuffixIndex(image: bytes, offset: &offset, documentLimit: slots)
                )
            }
            self.trigrams = trigrams
            self.suffixes = suffixes
        } catch {
            throw reader.corrupt("text index image: \(error.message)", at: start)
        }
        slotOfContact.reserveCapacity(trigrams.count)
        for slot in 0..<slots where contactOfSlot[slot] != 0 {
            guard slotOfContact.updateValue(UInt32(slot), forKey: contactOfSlot[slot]) == nil else {
                throw reader.corrupt("text index image names contact \(contactOfSlot[slot]) twice", at: start)
            }
        }
    }

    /// Checks what a read image says of the contacts: one slot for each contact and none for
    /// anything else, and stored texts exactly for the slots of contacts.
    ///
    /// - Complexity: O(slots), no text is folded.
    func checkImage(against contacts: ContactSlots) -> String? {
        guard slotOfContact.count == contacts.count, trigrams.count == contacts.count else {
            return "text index image holds \(slotOfContact.count) contacts and \(trigrams.count) texts for \(contacts.count) contacts"
        }
        for slot in 0..<contactOfSlot.count {
            let id = contactOfSlot[slot]
            guard (id != 0) == trigrams.contains(UInt32(slot)) else {
                return "text index image slot \(slot) has \(id == 0 ? "a text but no contact" : "a contact but no text")"
            }
            if id != 0, !contacts.contains(id) { return "text index image names contact \(id), which the snapshot does not hold" }
        }
        return nil
    }
}

extension ContactTextIndex {
    /// Checks the index against the contacts completely, in memory bounded by a batch of
    /// documents: a slot for each contact and none for anything else, each contact's stored
    /// texts equal to its folded fields, every posting its texts call for and no other, its
    /// phone in the suffix index. What `callsheet verify` runs, so that an index image that does
    /// not match its contacts is found. Returns a line describing what was checked, or throws
    /// the first problem.
    ///
    /// - Complexity: O(postings + blocks visited); about 15 s a million contacts.
    public func verify(against contacts: ContactSlots) throws(CallsheetError) -> String {
        if let problem = checkImage(against: contacts) { throw CallsheetError(.internal, problem) }
        var phones = 0
        for contact in contacts {
            guard let slot = slotOfContact[contact.id] else { throw CallsheetError(.internal, "contact \(contact.id) has no slot") }
            let fields = Self.fields(of: contact)
            guard trigrams.fields(of: slot) == fields else {
                throw CallsheetError(.internal, "the stored texts of contact \(contact.id) are not its folded name, email, company and phone")
            }
            guard !PhoneSuffixIndex.isIndexed(fields[3]) || suffixes.contains(slot, digits: fields[3]) else {
                throw CallsheetError(.internal, "contact \(contact.id) is missing from the phone suffix index")
            }
            if PhoneSuffixIndex.isIndexed(fields[3]) { phones += 1 }
        }
        guard suffixes.count == phones else {
            throw CallsheetError(.internal, "the phone suffix index holds \(suffixes.count) numbers for \(phones) contacts")
        }
        do {
            let postings = try trigrams.checkPostingsAgainstTexts()
            return "\(contacts.count) contacts, \(postings) postings, \(phones) phone suffixes"
        } catch {
            throw CallsheetError(.internal, error.message)
        }
    }
}
