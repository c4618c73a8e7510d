/// Reads a ``PostingList`` in order a block at a time, skipping whole segments and blocks by
/// their first slots when seeking.
struct PostingCursor {
    private let segments: [[UInt8]]
    private var segment = 0
    /// Offset in the current segment of the block after the decoded one.
    private var blockEnd = 0
    /// The decoded current block and the position in it.
    private var block: [UInt32] = []
    private var index = 0
    /// The slot under the cursor; nil once past the end.
    private(set) var current: UInt32?
    /// The number of slots in the list (to order cursors by selectivity).
    let count: UInt32

    init(_ list: PostingList) {
        segments = list.segments
        count = list.count
        block.reserveCapacity(PostingList.blockCapacity)
        if !segments.isEmpty { decodeBlock(at: 0) }
    }

    /// Moves to the next slot.
    ///
    /// - Complexity: O(1) amortized.
    mutating func advance() {
        guard current != nil else { return }
        index += 1
        if index < block.count {
            current = block[index]
        } else if blockEnd < segments[segment].count {
            decodeBlock(at: blockEnd)
        } else if segment + 1 < segments.count {
            segment += 1
            decodeBlock(at: 0)
        } else {
            current = nil
        }
    }

    /// Moves to the first slot at or above `target` (never backwards); returns it.
    ///
    /// - Complexity: O(segments and blocks skipped + 128), each skipped by its first slot.
    @discardableResult
    mutating func seek(atLeast target: UInt32) -> UInt32? {
        guard let slot = current, slot < target else { return current }
        if let lastInBlock = block.last, lastInBlock >= target {
            while block[index] < target { index += 1 }
            current = block[index]
            return current
        }
        var start = blockEnd
        while segment + 1 < segments.count, Self.firstSlot(of: segments[segment + 1]) <= target {
            segment += 1
            start = 0
        }
        if start >= segments[segment].count {
            guard segment + 1 < segments.count else {
                current = nil
                return nil
            }
            segment += 1
            start = 0
        }
        segments[segment].withUnsafeBufferPointer { buffer in
            while true {
                let next = start + PostingList.headerSize + PostingList.payloadLength(buffer, at: start)
                guard next < buffer.count, PostingList.first(buffer, at: next) <= target else { return }
                start = next
            }
        }
        decodeBlock(at: start)
        while let slot = current, slot < target {
            advance()
        }
        return current
    }

    private static func firstSlot(of segment: [UInt8]) -> UInt32 {
        segment.withUnsafeBufferPointer { PostingList.first($0, at: 0) }
    }

    private mutating func decodeBlock(at start: Int) {
        block.removeAll(keepingCapacity: true)
        blockEnd = segments[segment].withUnsafeBufferPointer { buffer in
            var slot = PostingList.first(buffer, at: start)
            block.append(slot)
            var offset = start + PostingList.headerSize
            for _ in 1..<Int(buffer[start + 4]) {
                slot += PostingList.readVarint(buffer, at: &offset)
                block.append(slot)
            }
            return offset
        }
        index = 0
        current = block[0]
    }
}

extension PostingCursor {
    /// Calls `body` with every slot at or above `start` present in all `cursors`, in order,
    /// until `body` returns false. Leapfrog join: the first cursor drives, the others seek.
    ///
    /// - Complexity: O(Σ blocks + output × cursors) in the worst case; in practice close to
    ///   the length of the shortest list when the first cursor is the shortest.
    static func intersect(_ cursors: inout [PostingCursor], from start: UInt32, _ body: (UInt32) -> Bool) {
        // One and two lists (the usual cases) run on locals: no array access per step.
        if cursors.count == 1 {
            var only = cursors[0]
            var slot = only.seek(atLeast: start)
            while let current = slot, body(current) {
                only.advance()
                slot = only.current
            }
            return
        }
        if cursors.count == 2 {
            var driver = cursors[0]
            var other = cursors[1]
            guard var target = driver.seek(atLeast: start) else { return }
            while true {
                guard let found = other.seek(atLeast: target) else { return }
                if found > target {
                    guard let next = driver.seek(atLeast: found) else { return }
                    target = next
                    continue
                }
                if !body(target) { return }
                driver.advance()
                guard let next = driver.current else { return }
                target = next
            }
        }
        guard !cursors.isEmpty else { return }
        guard var target = cursors[0].seek(atLeast: start) else { return }
        while true {
            var agreed = true
            for index in cursors.indices {
                guard let slot = cursors[index].seek(atLeast: target) else { return }
                if slot > target {
                    target = slot
                    agreed = false
                    break
                }
            }
            guard agreed else { continue }
            if !body(target) { return }
            cursors[0].advance()
            guard let next = cursors[0].current else { return }
            target = next
        }
    }
}
