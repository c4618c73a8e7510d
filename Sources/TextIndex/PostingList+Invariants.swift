extension PostingList {
    /// Checks the list's structure: strictly increasing slots, consistent counts, block and
    /// segment headers, and the recorded last slot and last block. `key` names it in errors.
    func _checkInvariants(key: UInt32 = 0) throws(TextIndexError) {
        let list = self
        guard !list.isEmpty else { throw .invariant("list \(key) is empty but stored") }
        let slots = list.decodedSlots()
        guard slots.count == Int(list.count) else {
            throw .invariant("list \(key) counts \(list.count) but decodes \(slots.count)")
        }
        for index in slots.indices.dropFirst() where slots[index - 1] >= slots[index] {
            throw .invariant("list \(key) is not strictly increasing at \(index)")
        }
        guard slots.last == list.last else { throw .invariant("list \(key) records the wrong last slot") }
        var total = 0
        for (index, segment) in list.segments.enumerated() {
            let starts = PostingList.blockStarts(of: segment)
            guard !starts.isEmpty else { throw .invariant("list \(key) has an empty segment") }
            for start in starts {
                let blockCount = Int(segment[start + 4])
                guard (1...PostingList.blockCapacity).contains(blockCount) else {
                    throw .invariant("list \(key) has a block of \(blockCount) slots")
                }
                total += blockCount
            }
            if index == list.segments.count - 1, starts.last != Int(list.lastBlockStart) {
                throw .invariant("list \(key) records the wrong last block")
            }
        }
        guard total == Int(list.count) else { throw .invariant("list \(key) has inconsistent block headers") }
    }
}
