/// A sorted set of contact ids: what a tag, a department and the organization's id order hold.
///
/// Stored as a list of sorted blocks of at most ``maximumBlockCount`` ids with a directory of
/// each block's largest id, so that inserting or removing an id in the middle of a million
/// shifts one block, not the whole set. Appending the largest id yet (every new contact) goes
/// to the last block. A copy shares its blocks: the next write to either copies the directory
/// and the one block it changes.
///
/// Positions are ``Index`` values (block, offset), valid until the set next changes;
/// ``position(after:)`` turns an id cursor into one, in O(log n).
public struct SortedIDs: Sendable {
    /// Sorted, non-empty blocks, each holding at most ``maximumBlockCount`` ids, ascending across blocks.
    private var blocks: [[ContactID]] = []
    /// `lasts[b]` is the largest id of `blocks[b]`: the directory searched to find a block.
    private var lasts: [ContactID] = []
    public private(set) var count = 0

    /// The most ids a block holds; a block that would hold more is split in two halves.
    public static let maximumBlockCount = 512
    /// A block smaller than this after a removal is merged into a neighbour when both fit in
    /// ``mergedBlockLimit`` (so that a merged block is not split again by the next insert).
    static let minimumBlockCount = maximumBlockCount / 4
    static let mergedBlockLimit = maximumBlockCount * 3 / 4

    public init() {}

    /// - Complexity: O(n log n).
    public init(_ unsorted: some Sequence<ContactID>) {
        var ids = Array(unsorted)
        ids.sort()
        var previous: ContactID?
        for id in ids where id != previous {
            append(id)
            previous = id
        }
    }

    public var isEmpty: Bool { count == 0 }

    /// The smallest and largest ids, or nil when empty.
    public var first: ContactID? { blocks.first?.first }
    public var last: ContactID? { lasts.last }

    /// The block that holds `id` if it is in the set, else the block it would go to (the first
    /// whose largest id is at least `id`); `blocks.count` when `id` is above every id.
    /// - Complexity: O(log(n / block size)).
    func block(for id: ContactID) -> Int {
        var low = 0
        var high = lasts.count
        while low < high {
            let middle = (low + high) / 2
            if lasts[middle] >= id { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// - Complexity: O(log n).
    public func contains(_ id: ContactID) -> Bool {
        let block = block(for: id)
        guard block < blocks.count else { return false }
        let ids = blocks[block]
        let offset = ids.partitioningIndex { $0 >= id }
        return offset < ids.count && ids[offset] == id
    }

    /// Adds `id`; false when it was there already.
    /// - Complexity: O(1) amortized when `id` is the largest yet (the usual case: a new contact),
    ///   O(log n + block size) otherwise, plus O(n / block size) when a block splits.
    @discardableResult
    public mutating func insert(_ id: ContactID) -> Bool {
        guard let last = lasts.last, id <= last else {
            append(id)
            return true
        }
        let block = block(for: id)
        let offset = blocks[block].partitioningIndex { $0 >= id }
        if blocks[block][offset] == id { return false }
        blocks[block].insert(id, at: offset)
        count += 1
        if blocks[block].count > Self.maximumBlockCount { split(block) }
        return true
    }

    /// Adds an id larger than every id in the set.
    private mutating func append(_ id: ContactID) {
        if let last = blocks.indices.last, blocks[last].count < Self.maximumBlockCount {
            blocks[last].append(id)
            lasts[last] = id
        } else {
            // A set already a block long will likely fill this block too: one allocation instead
            // of ten doublings. A smaller set (a tag on three contacts) holds what it needs.
            var block: [ContactID] = []
            if count >= Self.maximumBlockCount { block.reserveCapacity(Self.maximumBlockCount) }
            block.append(id)
            blocks.append(block)
            lasts.append(id)
        }
        count += 1
    }

    /// Splits a full block in two halves, each in an allocation of its size (the full block's
    /// grew past ``maximumBlockCount`` when the id that overfilled it went in).
    private mutating func split(_ block: Int) {
        let half = blocks[block].count / 2
        let upper = Array(blocks[block][half...])
        blocks[block] = Array(blocks[block][..<half])
        lasts[block] = blocks[block][half - 1]
        blocks.insert(upper, at: block + 1)
        lasts.insert(upper[upper.count - 1], at: block + 1)
    }

    /// Removes `id`; false when it was not there.
    /// - Complexity: O(log n + block size), plus O(n / block size) when a block empties or merges.
    @discardableResult
    public mutating func remove(_ id: ContactID) -> Bool {
        let block = block(for: id)
        guard block < blocks.count else { return false }
        let offset = blocks[block].partitioningIndex { $0 >= id }
        guard offset < blocks[block].count, blocks[block][offset] == id else { return false }
        blocks[block].remove(at: offset)
        count -= 1
        if blocks[block].isEmpty {
            blocks.remove(at: block)
            lasts.remove(at: block)
            return true
        }
        if offset == blocks[block].count { lasts[block] = blocks[block][offset - 1] }
        if blocks[block].count < Self.minimumBlockCount { mergeIfSmall(block) }
        return true
    }

    /// Merges a small block into its smaller neighbour when both fit in ``mergedBlockLimit``.
    private mutating func mergeIfSmall(_ block: Int) {
        let before = block > 0 ? blocks[block - 1].count : Int.max
        let after = block + 1 < blocks.count ? blocks[block + 1].count : Int.max
        let lower = before <= after ? block - 1 : block
        guard Swift.min(before, after) != Int.max, blocks[lower].count + blocks[lower + 1].count <= Self.mergedBlockLimit else { return }
        let upper = blocks.remove(at: lower + 1)
        blocks[lower].append(contentsOf: upper)
        lasts.remove(at: lower)
    }
}

// MARK: Positions and iteration

extension SortedIDs: BidirectionalCollection {
    /// A position: a block and an offset in it. ``endIndex`` is (number of blocks, 0).
    public struct Index: Comparable, Hashable, Sendable {
        var block: Int
        var offset: Int

        init(block: Int, offset: Int) {
            self.block = block
            self.offset = offset
        }

        public static func < (lhs: Index, rhs: Index) -> Bool {
            (lhs.block, lhs.offset) < (rhs.block, rhs.offset)
        }
    }

    public var startIndex: Index { Index(block: 0, offset: 0) }
    public var endIndex: Index { Index(block: blocks.count, offset: 0) }

    public subscript(position: Index) -> ContactID { blocks[position.block][position.offset] }

    public func index(after position: Index) -> Index {
        position.offset + 1 < blocks[position.block].count
            ? Index(block: position.block, offset: position.offset + 1)
            : Index(block: position.block + 1, offset: 0)
    }

    public func index(before position: Index) -> Index {
        position.offset > 0
            ? Index(block: position.block, offset: position.offset - 1)
            : Index(block: position.block - 1, offset: blocks[position.block - 1].count - 1)
    }

    /// The position of the first id greater than `id` (``endIndex`` when there is none): where a
    /// page after the cursor `id` starts.
    /// - Complexity: O(log n).
    public func position(after id: ContactID) -> Index {
        guard id < .max else { return endIndex }
        let block = block(for: id + 1)
        guard block < blocks.count else { return endIndex }
        return Index(block: block, offset: blocks[block].partitioningIndex { $0 > id })
    }

    /// The ids greater than `id`, in ascending order.
    /// - Complexity: O(log n) to start, O(1) per id.
    public func ids(after id: ContactID) -> SubSequence { self[position(after: id)...] }

    public func makeIterator() -> Iterator { Iterator(blocks: blocks) }

    /// Reads the ids in ascending order, block by block.
    public struct Iterator: IteratorProtocol {
        let blocks: [[ContactID]]
        var block = 0
        var offset = 0

        init(blocks: [[ContactID]]) { self.blocks = blocks }

        public mutating func next() -> ContactID? {
            guard block < blocks.count else { return nil }
            let id = blocks[block][offset]
            offset += 1
            if offset == blocks[block].count {
                block += 1
                offset = 0
            }
            return id
        }
    }
}

// MARK: Equality and literals

extension SortedIDs: Hashable {
    /// Two sets are equal when they hold the same ids, however their blocks are cut.
    /// - Complexity: O(n).
    public static func == (lhs: SortedIDs, rhs: SortedIDs) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }

    /// - Complexity: O(n): every id is hashed (block cuts must not change the hash).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for id in self { hasher.combine(id) }
    }
}

extension SortedIDs: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: ContactID...) { self.init(elements) }
}

extension SortedIDs {
    /// Checks the block layout: non-empty sorted blocks within the size limit, ascending across
    /// blocks, a directory matching them, and the count. Empty when sound; for tests.
    public func _checkInvariants() -> [String] {
        var problems: [String] = []
        if blocks.count != lasts.count { problems.append("\(blocks.count) blocks but \(lasts.count) directory entries") }
        var total = 0
        var previous: ContactID?
        for (number, block) in blocks.enumerated() {
            if block.isEmpty { problems.append("block \(number) is empty") }
            if block.count > Self.maximumBlockCount { problems.append("block \(number) holds \(block.count) ids, over \(Self.maximumBlockCount)") }
            for id in block {
                if let previous, previous >= id { problems.append("id \(id) in block \(number) follows \(previous)") }
                previous = id
            }
            if number < lasts.count, let last = block.last, lasts[number] != last {
                problems.append("directory says block \(number) ends at \(lasts[number]), it ends at \(last)")
            }
            total += block.count
        }
        if total != count { problems.append("count \(count), blocks hold \(total)") }
        return problems
    }
}
