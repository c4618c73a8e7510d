/// An organization's contacts by id, in chunks of ``chunkCapacity`` slots indexed by id (ids
/// are handed out from 1 up and never reused, so the slots are dense). Each contact is a
/// ``ContactRecord`` of a few dozen bytes in its chunk's arena, decoded into a `Contact` value
/// when read and encoded again when written. A copy (a snapshot's view) costs O(1); the next
/// write copies the chunk directory and one chunk of 1,024 records.
///
/// A chunk is allocated when an id in it is first stored, and holds slots up to the highest
/// offset stored, so an id far beyond the others (damaged or hostile input: the decoders allow
/// ids up to 2^53) costs one directory entry per chunk before it, never the slots. Ids from
/// ``denseLimit`` on go to a dictionary.
public struct ContactSlots: Sendable {
    /// Ids below this are slots; the directory is then at most 6 MB.
    static let denseLimit: ContactID = 1 << 28
    static let chunkShift = 10
    /// Slots per chunk.
    public static let chunkCapacity = 1 << chunkShift

    var chunks: [RecordChunk] = []
    var sparse: [ContactID: Contact] = [:]
    /// The texts records share (``ContactRecord``).
    var texts = SharedTexts()
    public internal(set) var count = 0
    /// How many of the contacts are archived, kept by every write (`CONTACT.COUNT` reads it
    /// instead of decoding every record).
    public internal(set) var archivedCount = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public subscript(id: ContactID) -> Contact? {
        get {
            guard id < Self.denseLimit else { return sparse[id] }
            let chunk = Int(id) >> Self.chunkShift, offset = Int(id) & (Self.chunkCapacity - 1)
            guard chunk < chunks.count else { return nil }
            return chunks[chunk].contact(at: offset, id: id, texts: texts)
        }
        set {
            guard id < Self.denseLimit else {
                let previous = sparse[id]
                sparse[id] = newValue
                count += (newValue != nil ? 1 : 0) - (previous != nil ? 1 : 0)
                archivedCount += (newValue?.isArchived == true ? 1 : 0) - (previous?.isArchived == true ? 1 : 0)
                return
            }
            let chunk = Int(id) >> Self.chunkShift, offset = Int(id) & (Self.chunkCapacity - 1)
            if chunk >= chunks.count {
                guard newValue != nil else { return }
                chunks.append(contentsOf: repeatElement(RecordChunk(), count: chunk + 1 - chunks.count))
            }
            // The new record keeps the old one's numbers of unchanged texts and takes its other
            // references before the old one gives the rest up, so a text both hold is not freed
            // and entered again.
            var wasArchived = false
            var old = SharedNumbers()
            chunks[chunk].withRecord(at: offset) { bytes in
                wasArchived = ContactRecord.isArchived(bytes)
                old = ContactRecord.sharedNumbers(bytes)
            }
            var record: [UInt8]?
            if let newValue {
                var writer = BinaryWriter(capacity: 128)
                ContactRecord.encode(newValue, into: &writer, texts: &texts, reusing: &old)
                record = writer.bytes
            }
            old.release(from: &texts)
            let existed = if let record { chunks[chunk].store(record, at: offset) } else { chunks[chunk].remove(at: offset) }
            count += (newValue != nil ? 1 : 0) - (existed ? 1 : 0)
            archivedCount += (newValue?.isArchived == true ? 1 : 0) - (wasArchived ? 1 : 0)
        }
    }

    /// True when a contact has this id, without decoding it.
    public func contains(_ id: ContactID) -> Bool {
        guard id < Self.denseLimit else { return sparse[id] != nil }
        let chunk = Int(id) >> Self.chunkShift, offset = Int(id) & (Self.chunkCapacity - 1)
        return chunk < chunks.count && chunks[chunk].contains(offset)
    }

    /// Whether the contact of this id is archived, read from its record's first byte; nil when
    /// there is no such contact.
    public func isArchived(_ id: ContactID) -> Bool? {
        guard id < Self.denseLimit else { return sparse[id]?.isArchived }
        let chunk = Int(id) >> Self.chunkShift, offset = Int(id) & (Self.chunkCapacity - 1)
        guard chunk < chunks.count else { return nil }
        var archived: Bool?
        chunks[chunk].withRecord(at: offset) { archived = ContactRecord.isArchived($0) }
        return archived
    }

    /// Sets one contact's call fields and updated-at time in its record without decoding it
    /// (`CONTACT.LOGCALL`); returns the fields it held, or nil when there is no such contact.
    public mutating func setCallFields(_ fields: CallFields) -> CallFields? {
        let id = fields.contactID
        guard id < Self.denseLimit else {
            guard var contact = sparse[id] else { return nil }
            let previous = CallFields(of: contact)
            contact.set(fields)
            sparse[id] = contact
            return previous
        }
        let chunk = Int(id) >> Self.chunkShift, offset = Int(id) & (Self.chunkCapacity - 1)
        guard chunk < chunks.count, chunks[chunk].contains(offset) else { return nil }
        var replaced: (record: [UInt8], previous: CallFields, releasedOutcome: UInt32?)?
        chunks[chunk].withRecord(at: offset) { old in
            replaced = ContactRecord.replacingCallFields(of: old, id: id, with: fields, texts: &texts)
        }
        guard let replaced else { return nil }
        // The new record holds its outcome's reference before the old one's is let go.
        _ = chunks[chunk].store(replaced.record, at: offset)
        if let outcome = replaced.releasedOutcome { texts.release(text: outcome) }
        return replaced.previous
    }

    /// The contacts merged into `survivor` (`CONTACT.ERASE` forgets them with it): only records
    /// whose presence byte says merged are decoded.
    /// - Complexity: O(n) bytes read, one per record, plus a decode per merged contact.
    public func contacts(mergedInto survivor: ContactID) -> [Contact] {
        var merged: [Contact] = []
        for (index, chunk) in chunks.enumerated() {
            for offset in chunk.starts.indices where chunk.starts[offset] != RecordChunk.empty {
                var isMerged = false
                chunk.withRecord(at: offset) { isMerged = ContactRecord.isMerged($0) }
                guard isMerged, let contact = chunk.contact(at: offset, id: ContactID(index << Self.chunkShift | offset), texts: texts),
                      contact.mergedInto == survivor else { continue }
                merged.append(contact)
            }
        }
        merged.append(contentsOf: sparse.values.filter { $0.mergedInto == survivor }.sorted { $0.id < $1.id })
        return merged
    }

    /// Stores `contact` under its id; returns the contact it replaced.
    @discardableResult
    public mutating func updateValue(_ contact: Contact, forKey id: ContactID) -> Contact? {
        let previous = self[id]
        self[id] = contact
        return previous
    }

    @discardableResult
    public mutating func removeValue(forKey id: ContactID) -> Contact? {
        let previous = self[id]
        if previous != nil { self[id] = nil }
        return previous
    }

    /// Kept for the dictionary's interface: chunks are allocated as ids arrive.
    public mutating func reserveCapacity(_ count: Int) {}

    /// Gives every chunk's arena exactly the bytes its records take (after a load or import:
    /// arenas grow by doubling while records are appended).
    public mutating func trimArenas() {
        for index in chunks.indices { chunks[index].compact() }
    }

    /// The contacts in ascending id order.
    public var values: ContactSlots { self }

    /// The ids in ascending order, without decoding the contacts.
    public var keys: [ContactID] {
        var ids: [ContactID] = []
        ids.reserveCapacity(count)
        for (index, chunk) in chunks.enumerated() {
            for offset in chunk.starts.indices where chunk.starts[offset] != RecordChunk.empty {
                ids.append(ContactID(index << Self.chunkShift | offset))
            }
        }
        ids.append(contentsOf: sparse.keys.sorted())
        return ids
    }

    /// How many chunks of records this table shares with `other` (tests of copy-on-write).
    public func _sharedChunks(with other: ContactSlots) -> Int {
        zip(chunks, other.chunks).reduce(0) { shared, pair in
            let same = pair.0.bytes.withUnsafeBufferPointer { left in
                pair.1.bytes.withUnsafeBufferPointer { right in left.baseAddress != nil && left.baseAddress == right.baseAddress }
            }
            return shared + (same ? 1 : 0)
        }
    }

    /// Bytes the records, their slots and the shared texts occupy.
    public var memoryFootprint: Int {
        chunks.capacity * MemoryLayout<RecordChunk>.stride + chunks.reduce(0) { $0 + $1.memoryFootprint }
            + sparse.capacity * (MemoryLayout<Contact>.stride + 8) + texts.memoryFootprint
    }

    /// The record arenas' bytes and the garbage among them (superseded records not yet compacted).
    public var arenaBytes: (live: Int, garbage: Int) {
        chunks.reduce((0, 0)) { ($0.0 + $1.bytes.count - $1.garbage, $0.1 + $1.garbage) }
    }
}

/// 1,024 slots of contact records: each slot's record start in one arena of bytes. A write
/// appends the new record and leaves the old one as garbage, compacted away once garbage
/// outweighs the live records; the first write after a copy copies this chunk only.
struct RecordChunk: Sendable {
    static let empty = UInt32.max

    /// Per slot, where its record starts in `bytes` (a varint length, then the record), or ``empty``.
    var starts: [UInt32] = []
    var bytes: [UInt8] = []
    var garbage = 0

    func contains(_ offset: Int) -> Bool { offset < starts.count && starts[offset] != Self.empty }

    /// Lets `body` read the slot's record, if it holds one.
    func withRecord(at offset: Int, _ body: (UnsafeRawBufferPointer) -> Void) {
        guard offset < starts.count, starts[offset] != Self.empty else { return }
        let start = Int(starts[offset])
        bytes.withUnsafeBytes { buffer in
            let (length, header) = Self.length(in: buffer, at: start)
            body(UnsafeRawBufferPointer(rebasing: buffer[start + header..<start + header + length]))
        }
    }

    func contact(at offset: Int, id: ContactID, texts: SharedTexts) -> Contact? {
        guard offset < starts.count, starts[offset] != Self.empty else { return nil }
        let start = Int(starts[offset])
        return bytes.withUnsafeBytes { buffer in
            let (length, header) = Self.length(in: buffer, at: start)
            return ContactRecord.decode(UnsafeRawBufferPointer(rebasing: buffer[start + header..<start + header + length]), id: id, texts: texts)
        }
    }

    /// Stores `record` in the slot; true when the slot held one before.
    mutating func store(_ record: [UInt8], at offset: Int) -> Bool {
        if offset >= starts.count {
            let needed = offset + 1
            if needed > starts.capacity {
                starts.reserveCapacity(Swift.min(ContactSlots.chunkCapacity, Swift.max(needed, starts.capacity * 2, 16)))
            }
            starts.append(contentsOf: repeatElement(Self.empty, count: needed - starts.count))
        }
        let existed = starts[offset] != Self.empty
        if existed { garbage += recordSize(at: Int(starts[offset])) }
        starts[offset] = UInt32(bytes.count)
        var length = UInt64(record.count)
        while length >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: length) | 0x80)
            length >>= 7
        }
        bytes.append(UInt8(length))
        bytes.append(contentsOf: record)
        if garbage > 16 << 10, garbage * 2 > bytes.count { compact() }
        // A chunk filled to its last slot for the first time (a load, an import) gets an arena
        // of its size instead of doubling's spare half.
        else if !existed, offset == ContactSlots.chunkCapacity - 1 { compact() }
        return existed
    }

    /// Empties the slot; true when it held a record.
    mutating func remove(at offset: Int) -> Bool {
        guard offset < starts.count, starts[offset] != Self.empty else { return false }
        garbage += recordSize(at: Int(starts[offset]))
        starts[offset] = Self.empty
        if garbage > 16 << 10, garbage * 2 > bytes.count { compact() }
        return true
    }

    /// The live records, copied into an arena of exactly their size, in slot order.
    mutating func compact() {
        guard garbage > 0 || bytes.capacity > bytes.count + 64 else { return }
        var packed: [UInt8] = []
        packed.reserveCapacity(bytes.count - garbage)
        bytes.withUnsafeBytes { buffer in
            for offset in starts.indices where starts[offset] != Self.empty {
                let start = Int(starts[offset])
                let (length, header) = Self.length(in: buffer, at: start)
                starts[offset] = UInt32(packed.count)
                packed.append(contentsOf: buffer[start..<start + header + length])
            }
        }
        bytes = packed
        garbage = 0
        if starts.capacity > starts.count + 16 { starts = Array(starts) }
    }

    private func recordSize(at start: Int) -> Int {
        bytes.withUnsafeBytes { buffer in
            let (length, header) = Self.length(in: buffer, at: start)
            return header + length
        }
    }

    /// A record's length and the bytes of the varint that states it.
    static func length(in buffer: UnsafeRawBufferPointer, at start: Int) -> (Int, Int) {
        var value = 0, shift = 0, index = start
        while true {
            let byte = buffer[index]
            index += 1
            value |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return (value, index - start) }
            shift += 7
        }
    }

    var memoryFootprint: Int { starts.capacity * 4 + bytes.capacity + (starts.capacity > 0 ? 32 : 0) + (bytes.capacity > 0 ? 32 : 0) }
}

extension ContactSlots: Sequence {
    /// Walks the chunks in order, decoding each record, then the sparse ids in order.
    public struct Iterator: IteratorProtocol {
        private let table: ContactSlots
        private var chunk = 0
        private var offset = 0
        private var sparse: [Contact]?

        init(_ table: ContactSlots) { self.table = table }

        public mutating func next() -> Contact? {
            while chunk < table.chunks.count {
                if offset < table.chunks[chunk].starts.count {
                    defer { offset += 1 }
                    let id = ContactID(chunk << ContactSlots.chunkShift | offset)
                    if let contact = table.chunks[chunk].contact(at: offset, id: id, texts: table.texts) { return contact }
                } else {
                    chunk += 1
                    offset = 0
                }
            }
            if sparse == nil { sparse = table.sparse.keys.sorted(by: >).compactMap { table.sparse[$0] } }
            return sparse?.popLast()
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }
    public var underestimatedCount: Int { count }
}

extension ContactSlots: Equatable {
    /// The same contacts under the same ids.
    public static func == (lhs: ContactSlots, rhs: ContactSlots) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }
}
