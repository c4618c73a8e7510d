import ChunkedCollections

/// An organization's contacts by id: a dense ``ChunkedArray`` indexed by id, as ids are handed
/// out from 1 up and never reused. A copy (a snapshot's view) costs O(1); the next write copies
/// the chunk directory and one chunk of 1,024 contacts.
///
/// Ids past ``denseLimit`` (which only damaged or hostile input could carry, the decoders allow
/// up to 2^53) go to a dictionary, so no id can make the array grow without bound.
public struct ContactSlots: Sendable {
    /// Ids below this are array slots.
    static let denseLimit: ContactID = 1 << 32

    private var slots = ChunkedArray<Contact?>()
    private var sparse: [ContactID: Contact] = [:]
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public subscript(id: ContactID) -> Contact? {
        get {
            if id < Self.denseLimit {
                return Int(id) < slots.count ? slots[Int(id)] : nil
            }
            return sparse[id]
        }
        _modify {
            if id < Self.denseLimit {
                if Int(id) >= slots.count { slots.append(repeating: nil, count: Int(id) + 1 - slots.count) }
                let existed = slots[Int(id)] != nil
                defer { count += (slots[Int(id)] != nil ? 1 : 0) - (existed ? 1 : 0) }
                yield &slots[Int(id)]
            } else {
                let existed = sparse[id] != nil
                defer { count += (sparse[id] != nil ? 1 : 0) - (existed ? 1 : 0) }
                yield &sparse[id]
            }
        }
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

    /// Room for ids up to `count` beyond the current ones (loading a snapshot).
    public mutating func reserveCapacity(_ count: Int) {}

    /// The contacts in ascending id order.
    public var values: ContactSlots { self }

    /// The ids in ascending order.
    public var keys: LazyMapSequence<ContactSlots, ContactID> { lazy.map(\.id) }

    /// How many chunks of slots this table shares with `other` (tests of copy-on-write).
    public func _sharedChunks(with other: ContactSlots) -> Int { slots._sharedChunks(with: other.slots) }

    /// Bytes the slots occupy, without what each contact's strings and arrays point to.
    public var memoryFootprint: Int { slots.memoryFootprint + sparse.capacity * (MemoryLayout<Contact>.stride + 8) }
}

extension ContactSlots: Sequence {
    /// Walks the slots, then the sparse ids in order.
    public struct Iterator: IteratorProtocol {
        private let slots: ChunkedArray<Contact?>
        private var position = 0
        private var sparse: [Contact]?
        private let sparseSource: [ContactID: Contact]

        init(_ table: ContactSlots) {
            slots = table.slots
            sparseSource = table.sparse
        }

        public mutating func next() -> Contact? {
            while position < slots.count {
                defer { position += 1 }
                if let contact = slots[position] { return contact }
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
