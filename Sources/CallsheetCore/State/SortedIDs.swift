/// A sorted set of contact ids in one array: compact, iterable in id order from any cursor, and
/// cheap to extend because new contacts get the largest ids.
public struct SortedIDs: Sendable, Hashable, Sequence {
    public private(set) var ids: [ContactID] = []

    public init() {}

    public init(_ unsorted: some Sequence<ContactID>) {
        ids = Array(Set(unsorted)).sorted()
    }

    public var count: Int { ids.count }
    public var isEmpty: Bool { ids.isEmpty }

    public func makeIterator() -> IndexingIterator<[ContactID]> { ids.makeIterator() }

    /// - Complexity: O(log n).
    public func contains(_ id: ContactID) -> Bool {
        let position = ids.partitioningIndex { $0 >= id }
        return position < ids.count && ids[position] == id
    }

    /// - Complexity: O(1) when `id` is the largest yet (the usual case), O(n) otherwise.
    @discardableResult
    public mutating func insert(_ id: ContactID) -> Bool {
        if let last = ids.last, last >= id {
            let position = ids.partitioningIndex { $0 >= id }
            if position < ids.count, ids[position] == id { return false }
            ids.insert(id, at: position)
        } else {
            ids.append(id)
        }
        return true
    }

    /// - Complexity: O(n) for the shift, O(log n) to find.
    @discardableResult
    public mutating func remove(_ id: ContactID) -> Bool {
        let position = ids.partitioningIndex { $0 >= id }
        guard position < ids.count, ids[position] == id else { return false }
        ids.remove(at: position)
        return true
    }

    /// The position of the first id greater than `id`.
    /// - Complexity: O(log n).
    public func position(after id: ContactID) -> Int {
        ids.partitioningIndex { $0 > id }
    }
}

extension SortedIDs: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: ContactID...) { self.init(elements) }
}
