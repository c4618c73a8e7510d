/// An array stored as chunks of ``chunkCapacity`` elements that copies share: after a copy, the
/// next write to either copies the chunk directory and the one chunk it changes, not the whole
/// array. A snapshot's view of an organization is such a copy, taken in O(1).
///
/// Elements are addressed by position as in an array; ``append(_:)`` is O(1) amortized.
public struct ChunkedArray<Element: Sendable>: Sendable, RandomAccessCollection, MutableCollection {
    /// Elements per chunk (a power of two).
    @inlinable
    public static var chunkCapacity: Int { 1 << chunkShift }
    @inlinable static var chunkShift: Int { 10 }

    @usableFromInline var chunks: [[Element]] = []
    @usableFromInline var storedCount = 0
    /// Leading chunks whose elements were let go (``releaseChunks(below:)``): empty, never read.
    @usableFromInline var releasedChunks = 0
    /// The number of elements.
    @inlinable public var count: Int { storedCount }

    @inlinable
    public init() {}

    /// `count` copies of `element`.
    @inlinable
    public init(repeating element: Element, count: Int) {
        append(repeating: element, count: count)
    }

    @inlinable
    public var startIndex: Int { 0 }
    @inlinable
    public var endIndex: Int { count }

    @inlinable
    public subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < count, "ChunkedArray index out of range")
            return chunks[position >> Self.chunkShift][position & (Self.chunkCapacity - 1)]
        }
        _modify {
            precondition(position >= 0 && position < count, "ChunkedArray index out of range")
            yield &chunks[position >> Self.chunkShift][position & (Self.chunkCapacity - 1)]
        }
    }

    /// - Complexity: O(1) amortized; a new chunk every ``chunkCapacity`` elements.
    @inlinable
    public mutating func append(_ element: Element) {
        if count & (Self.chunkCapacity - 1) == 0 {
            // Full chunks are exactly one chunk long; the first grows as a small array would,
            // so a short array (a small organization's) does not hold a whole chunk.
            var chunk: [Element] = []
            if count > 0 { chunk.reserveCapacity(Self.chunkCapacity) }
            chunks.append(chunk)
        }
        let last = chunks.count - 1
        if chunks[last].count == chunks[last].capacity {
            // Doubling that stops at a chunk's size, where the standard growth would overshoot.
            chunks[last].reserveCapacity(Swift.min(Self.chunkCapacity, Swift.max(16, chunks[last].capacity * 2)))
        }
        chunks[last].append(element)
        storedCount += 1
    }

    @inlinable
    public mutating func append(repeating element: Element, count added: Int) {
        for _ in 0..<Swift.max(added, 0) { append(element) }
    }

    /// Removes and returns the last element.
    /// - Complexity: O(1); an emptied chunk is dropped.
    @inlinable
    @discardableResult
    public mutating func removeLast() -> Element {
        precondition(count > 0, "removeLast of an empty ChunkedArray")
        let last = chunks.count - 1
        let element = chunks[last].removeLast()
        if chunks[last].isEmpty { chunks.removeLast() }
        storedCount -= 1
        return element
    }

    @inlinable
    public mutating func removeAll() {
        chunks = []
        storedCount = 0
        releasedChunks = 0
    }

    /// How many leading elements were let go by ``releaseChunks(below:)`` (a multiple of
    /// ``chunkCapacity``); reading one of them traps.
    @inlinable
    public var releasedCount: Int { releasedChunks << Self.chunkShift }

    /// Lets go of the storage of every whole chunk below `position`: their elements must never
    /// be read again (the call log's cold calls, which live on disk from then on). Positions stay
    /// as they were, and appending goes on as before.
    /// - Complexity: O(chunks released).
    @inlinable
    public mutating func releaseChunks(below position: Int) {
        let whole = Swift.min(Swift.max(position, 0), count) >> Self.chunkShift
        // The last chunk is never released: appending needs it whole.
        let target = Swift.min(whole, Swift.max(chunks.count - 1, 0))
        while releasedChunks < target {
            chunks[releasedChunks] = []
            releasedChunks += 1
        }
    }

    /// An array of `count` elements whose first `released` (a multiple of ``chunkCapacity``) are
    /// let go, as ``releaseChunks(below:)`` leaves one; the rest are `element` until set.
    @inlinable
    public init(releasedPrefix released: Int, repeating element: Element, count: Int) {
        precondition(released & (Self.chunkCapacity - 1) == 0 && released <= count, "a released prefix is whole chunks")
        for _ in 0..<(released >> Self.chunkShift) { chunks.append([]) }
        releasedChunks = released >> Self.chunkShift
        storedCount = released
        append(repeating: element, count: count - released)
    }

    /// Bytes the elements' storage occupies (the chunks' capacity, not what elements point to).
    @inlinable
    public var memoryFootprint: Int {
        chunks.capacity * 8 + chunks.reduce(0) { $0 + 32 + $1.capacity * MemoryLayout<Element>.stride }
    }
}

extension ChunkedArray {
    /// How many chunks this array shares with `other` (the same storage, not equal contents):
    /// tests use it to prove that a write after a copy copied one chunk, not the array.
    @inlinable
    public func _sharedChunks(with other: ChunkedArray) -> Int {
        zip(chunks, other.chunks).reduce(0) { shared, pair in
            let same = pair.0.withUnsafeBufferPointer { left in
                pair.1.withUnsafeBufferPointer { right in left.baseAddress != nil && left.baseAddress == right.baseAddress }
            }
            return shared + (same ? 1 : 0)
        }
    }
}
