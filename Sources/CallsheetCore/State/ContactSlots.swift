/// An organization's contacts by id, in chunks of ``chunkCapacity`` slots indexed by id (ids
/// are handed out from 1 up and never reused, so the slots are dense). A copy (a snapshot's
/// view) costs O(1); the next write copies the chunk directory and one chunk of 1,024 contacts.
///
/// A chunk is allocated when an id in it is first stored, and holds slots up to the highest
/// offset stored, so an id far beyond the others (damaged or hostile input: the decoders allow
/// ids up to 2^53) costs one directory entry per chunk before it, never the slots. Ids from
/// ``denseLimit`` on go to a dictionary.
public struct ContactSlots: Sendable {
    /// Ids below this are slots; the directory is then at most 2 MB.
    static let denseLimit: ContactID = 1 << 28
    static let chunkShift = 10
    /// Slots per chunk.
    public static let chunkCapacity = 1 << chunkShift

    private var chunks: [[Contact?]] = []
    private var sparse: [ContactID: Contact] = [:]
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public subscript(id: ContactID) -> Contact? {
        get {
            guard id < Self.denseLimit else { return sparse[id] }
            let chunk = Int(id) >> Self.chunkShift, offset = Int(id) & (Self.chunkCapacity - 1)
            guard chunk < chunks.count, offset < chunks[chunk].count else { return nil }
            return chunks[chunk][offset]
        }
        _modify {
            if id < Self.denseLimit {
                let chunk = Int(id) >> Self.chunkShift, offset = Int(id) & (Self.chunkCapacity - 1)
                if chunk >= chunks.count { chunks.append(contentsOf: repeatElement([], count: chunk + 1 - chunks.count)) }
                if offset >= chunks[chunk].count {
                    // A chunk grows by doubling up to its capacity, never past it.
                    let needed = offset + 1
                    if needed > chunks[chunk].capacity {
                        chunks[chunk].reserveCapacity(Swift.min(Self.chunkCapacity, Swift.max(needed, chunks[chunk].capacity * 2, 16)))
                    }
                    if needed == chunks[chunk].count + 1 {
                        chunks[chunk].append(nil)  // the common case (ids in order), without a generic loop
                    } else {
                        chunks[chunk].append(contentsOf: repeatElement(nil, count: needed - chunks[chunk].count))
                    }
                }
                let existed = chunks[chunk][offset] != nil
                defer { count += (chunks[chunk][offset] != nil ? 1 : 0) - (existed ? 1 : 0) }
                yield &chunks[chunk][offset]
            } else {
                let existed = sparse[id] != nil
                defer { count += (sparse[id] != nil ? 1 : 0) - (existed ? 1 : 0) }
                yield &sparse[id]
            }
        }
    }

    /// True when a contact has this id, without copying it out.
    public func contains(_ id: ContactID) -> Bool {
        guard id < Self.denseLimit else { return sparse[id] != nil }
        let chunk = Int(id) >> Self.chunkShift, offset = Int(id) & (Self.chunkCapacity - 1)
        guard chunk < chunks.count, offset < chunks[chunk].count else { return false }
        return chunks[chunk][offset] != nil
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

    /// The contacts in ascending id order.
    public var values: ContactSlots { self }

    /// The ids in ascending order.
    public var keys: LazyMapSequence<ContactSlots, ContactID> { lazy.map(\.id) }

    /// How many chunks of slots this table shares with `other` (tests of copy-on-write).
    public func _sharedChunks(with other: ContactSlots) -> Int {
        zip(chunks, other.chunks).reduce(0) { shared, pair in
            let same = pair.0.withUnsafeBufferPointer { left in
                pair.1.withUnsafeBufferPointer { right in left.baseAddress != nil && left.baseAddress == right.baseAddress }
            }
            return shared + (same ? 1 : 0)
        }
    }

    /// Bytes the slots occupy, without what each contact's strings and arrays point to.
    public var memoryFootprint: Int {
        chunks.capacity * 8 + chunks.reduce(0) { $0 + ($1.capacity > 0 ? 32 + $1.capacity * MemoryLayout<Contact?>.stride : 0) }
            + sparse.capacity * (MemoryLayout<Contact>.stride + 8)
    }
}

extension ContactSlots: Sequence {
    /// Walks the chunks in order, then the sparse ids in order.
    public struct Iterator: IteratorProtocol {
        private let chunks: [[Contact?]]
        private var chunk = 0
        private var offset = 0
        private var sparse: [Contact]?
        private let sparseSource: [ContactID: Contact]

        init(_ table: ContactSlots) {
            chunks = table.chunks
            sparseSource = table.sparse
        }

        public mutating func next() -> Contact? {
            while chunk < chunks.count {
                if offset < chunks[chunk].count {
                    defer { offset += 1 }
                    if let contact = chunks[chunk][offset] { return contact }
                } else {
                    chunk += 1
                    offset = 0
                }
            }
            if sparse == nil { sparse = sparseSource.keys.sorted(by: >).compactMap { sparseSource[$0] } }
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
