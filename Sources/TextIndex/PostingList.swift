/// A sorted set of document slots, compressed as blocks of delta varints in bounded segments.
///
/// A block is `first (UInt32 LE) · count (UInt8, 1...128) · payload length (UInt16 LE) ·
/// count-1 varint gaps`: dense lists cost about one byte a posting, and the 7-byte header lets a
/// cursor skip a block without decoding it. Blocks are grouped into segments of at most
/// ``segmentLimit`` bytes (split in two beyond it), so a write in the middle of a list holding
/// most documents re-encodes one block and moves at most a few kilobytes.
///
/// Appending a slot above ``last`` touches only the last block.
struct PostingList: Sendable {
    static let blockCapacity = 128
    static let headerSize = 7
    static let segmentLimit = 4096
    /// A full segment: the limit plus one block of 127 five-byte gaps started below it.
    static let segmentCapacity = segmentLimit + headerSize + (blockCapacity - 1) * 5

    var segments: [[UInt8]] = []
    var count: UInt32 = 0
    /// The largest slot in the list (meaningless while empty).
    var last: UInt32 = 0
    /// Offset of the last block's header in the last segment.
    var lastBlockStart: UInt32 = 0

    var isEmpty: Bool { count == 0 }

    /// Heap bytes held, counting allocation headers.
    var memoryFootprint: Int {
        guard !segments.isEmpty else { return 0 }
        return 48 + segments.capacity * 8 + segments.reduce(0) { $0 + $1.capacity + 48 }
    }

    /// Adds `slot`; returns false if it was already there.
    ///
    /// - Complexity: O(1) amortized when `slot` is above ``last``; otherwise O(log segments +
    ///   ``segmentLimit``).
    @discardableResult
    mutating func insert(_ slot: UInt32) -> Bool {
        if count == 0 || slot > last {
            append(slot)
            return true
        }
        let segment = segmentIndex(containing: slot)
        let start = blockStart(containing: slot, in: segments[segment])
        var slots = Self.decodeBlock(segments[segment], at: start)
        let position = Self.insertionPoint(of: slot, in: slots)
        guard position == slots.count || slots[position] != slot else { return false }
        slots.insert(slot, at: position)
        replaceBlock(segment: segment, at: start, with: slots)
        count += 1
        return true
    }

    /// Removes `slot`; returns false if it was not there.
    ///
    /// - Complexity: O(log segments + ``segmentLimit``).
    @discardableResult
    mutating func remove(_ slot: UInt32) -> Bool {
        guard count > 0, slot <= last else { return false }
        let segment = segmentIndex(containing: slot)
        let start = blockStart(containing: slot, in: segments[segment])
        var slots = Self.decodeBlock(segments[segment], at: start)
        let position = Self.insertionPoint(of: slot, in: slots)
        guard position < slots.count, slots[position] == slot else { return false }
        slots.remove(at: position)
        count -= 1
        if count == 0 {
            self = PostingList()
            return true
        }
        replaceBlock(segment: segment, at: start, with: slots)
        if slot == last {
            last = Self.decodeBlock(segments[segments.count - 1], at: Int(lastBlockStart)).last ?? 0
        }
        return true
    }

    /// Reallocates segments with more than an eighth of their capacity unused.
    mutating func shrinkToFit() {
        for index in segments.indices where segments[index].capacity - segments[index].count > segments[index].count / 8 {
            segments[index] = Array(segments[index][...])
        }
    }

    /// All slots, in order (tests and invariant checks).
    func decodedSlots() -> [UInt32] {
        var result: [UInt32] = []
        result.reserveCapacity(Int(count))
        var cursor = PostingCursor(self)
        while let slot = cursor.current {
            result.append(slot)
            cursor.advance()
        }
        return result
    }

    // MARK: Segments and blocks

    private mutating func append(_ slot: UInt32) {
        let lastIndex = segments.count - 1
        let lastCount = segments.isEmpty ? Self.blockCapacity : Int(segments[lastIndex][Int(lastBlockStart) + 4])
        if !segments.isEmpty, segments[lastIndex].count >= Self.segmentLimit / 2,
            segments[lastIndex].capacity < Self.segmentCapacity
        {
            // A segment this large will fill: size it once instead of letting it double to 8 KB.
            segments[lastIndex].reserveCapacity(Self.segmentCapacity)
        }
        if lastCount < Self.blockCapacity {
            let start = Int(lastBlockStart)
            let added = Self.appendVarint(slot - last, to: &segments[lastIndex])
            segments[lastIndex][start + 4] += 1
            let payload = Int(segments[lastIndex][start + 5]) | Int(segments[lastIndex][start + 6]) << 8 + added
            segments[lastIndex][start + 5] = UInt8(truncatingIfNeeded: payload)
            segments[lastIndex][start + 6] = UInt8(truncatingIfNeeded: payload >> 8)
        } else if segments.isEmpty || segments[lastIndex].count >= Self.segmentLimit {
            var segment: [UInt8] = []
            Self.appendHeader(first: slot, count: 1, payloadLength: 0, to: &segment)
            segments.append(segment)
            lastBlockStart = 0
        } else {
            lastBlockStart = UInt32(segments[lastIndex].count)
            Self.appendHeader(first: slot, count: 1, payloadLength: 0, to: &segments[lastIndex])
        }
        last = slot
        count += 1
    }

    /// The last segment whose first slot is at most `slot`, or the first segment.
    private func segmentIndex(containing slot: UInt32) -> Int {
        var low = 0
        var high = segments.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if segments[middle].withUnsafeBufferPointer({ Self.first($0, at: 0) }) <= slot {
                low = middle
            } else {
                high = middle - 1
            }
        }
        return low
    }

    /// The offset of the last block of `segment` whose first slot is at most `slot`, or 0.
    private func blockStart(containing slot: UInt32, in segment: [UInt8]) -> Int {
        segment.withUnsafeBufferPointer { buffer in
            var start = 0
            while true {
                let next = start + Self.headerSize + Self.payloadLength(buffer, at: start)
                if next >= buffer.count || Self.first(buffer, at: next) > slot { return start }
                start = next
            }
        }
    }

    /// Re-encodes the block at `start` of `segment` from `slots` (empty: the block goes),
    /// splitting the block past ``blockCapacity`` and the segment past twice ``segmentLimit``.
    private mutating func replaceBlock(segment: Int, at start: Int, with slots: [UInt32]) {
        var encoded: [UInt8] = []
        if slots.count > Self.blockCapacity {
            Self.encodeBlock(slots[..<(slots.count / 2)], to: &encoded)
            Self.encodeBlock(slots[(slots.count / 2)...], to: &encoded)
        } else if !slots.isEmpty {
            Self.encodeBlock(slots[...], to: &encoded)
        }
        let end = start + Self.headerSize + segments[segment].withUnsafeBufferPointer { Self.payloadLength($0, at: start) }
        segments[segment].replaceSubrange(start..<end, with: encoded)
        if segments[segment].isEmpty {
            segments.remove(at: segment)
        } else if segments[segment].count > 2 * Self.segmentLimit {
            let blocks = Self.blockStarts(of: segments[segment])
            let middle = blocks[blocks.count / 2]
            let tail = Array(segments[segment][middle...])
            segments[segment].removeSubrange(middle...)
            segments.insert(tail, at: segment + 1)
        }
        lastBlockStart = UInt32(Self.blockStarts(of: segments[segments.count - 1]).last ?? 0)
    }

    static func blockStarts(of segment: [UInt8]) -> [Int] {
        segment.withUnsafeBufferPointer { buffer in
            var starts: [Int] = []
            var start = 0
            while start < buffer.count {
                starts.append(start)
                start += headerSize + payloadLength(buffer, at: start)
            }
            return starts
        }
    }

    private static func decodeBlock(_ segment: [UInt8], at start: Int) -> [UInt32] {
        segment.withUnsafeBufferPointer { buffer in
            let count = Int(buffer[start + 4])
            var slots: [UInt32] = []
            slots.reserveCapacity(count + 1)
            var slot = first(buffer, at: start)
            slots.append(slot)
            var offset = start + headerSize
            for _ in 1..<count {
                slot += readVarint(buffer, at: &offset)
                slots.append(slot)
            }
            return slots
        }
    }

    private static func insertionPoint(of slot: UInt32, in slots: [UInt32]) -> Int {
        var low = 0
        var high = slots.count
        while low < high {
            let middle = (low + high) / 2
            if slots[middle] < slot { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
