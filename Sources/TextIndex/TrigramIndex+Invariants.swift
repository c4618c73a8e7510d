extension TrigramIndex {
    /// Checks that the postings are exactly those the stored texts call for: every posting names
    /// a stored document whose fields produce its key and every key of every stored document has
    /// its posting, each list sorted and unique with consistent block headers, no empty lists,
    /// and the text arena's accounting right. For tests.
    ///
    /// - Complexity: O(total postings × log), with a full model of the index in memory.
    public func _checkInvariants() throws(TextIndexError) {
        var expected: [UInt32: [UInt32]] = [:]
        var documents = 0
        for slot in texts.storedSlots {
            documents += 1
            guard let fields = texts.fields(of: slot) else {
                throw .invariant("slot \(slot) is listed but has no fields")
            }
            guard fields.count <= Self.maxFieldCount else {
                throw .invariant("slot \(slot) has \(fields.count) fields")
            }
            for key in Self.keys(of: fields) {
                expected[key.rawValue, default: []].append(slot)
            }
        }
        guard documents == count else {
            throw .invariant("count is \(count) but \(documents) documents are stored")
        }
        try texts.checkAccounting()
        guard expected.count == postings.count else {
            throw .invariant("\(postings.count) posting lists, the texts call for \(expected.count)")
        }
        for (key, list) in postings {
            try list._checkInvariants(key: key)
            let slots = list.decodedSlots()
            guard slots == expected[key] else {
                throw .invariant("list \(GramKey(rawValue: key)) holds \(slots.prefix(8))…, expected \(expected[key]?.prefix(8) ?? [])…")
            }
        }
    }
}

extension TrigramIndex {
    /// Checks that the postings are exactly those the stored texts call for, as
    /// ``_checkInvariants()`` does, but in memory bounded by a batch: the (key, slot) pairs of
    /// 16,384 documents at a time are radix-sorted by key, and each key's list is then walked
    /// once by a cursor seeking those slots in order; the lists must hold no more postings than
    /// the texts call for. What `callsheet verify` runs on an organization of a million contacts.
    /// Returns the number of postings checked.
    ///
    /// - Complexity: O(postings + blocks visited), about 16 bytes a pair of a batch in memory.
    public func checkPostingsAgainstTexts() throws(TextIndexError) -> Int {
        var expected = 0
        var pairs: [UInt64] = []
        var scratch: [UInt64] = []
        var pending = 0
        let slots = texts.storedSlots
        for (position, slot) in slots.enumerated() {
            guard let fields = texts.fields(of: slot), fields.count <= Self.maxFieldCount else {
                throw .invariant("slot \(slot) is listed but has no readable fields")
            }
            for key in Self.keys(of: fields) { pairs.append(UInt64(key.rawValue) << 32 | UInt64(slot)) }
            pending += 1
            if pending == 16_384 || position == slots.count - 1 {
                expected += pairs.count
                try checkBatch(&pairs, scratch: &scratch)
                pending = 0
            }
        }
        var held = 0
        for list in postings.values { held += Int(list.count) }
        guard held == expected else {
            throw .invariant("the lists hold \(held) postings; the stored texts call for \(expected)")
        }
        try texts.checkAccounting()
        return expected
    }

    /// Finds every (key, slot) pair of `pairs` in its list, then empties `pairs`.
    private func checkBatch(_ pairs: inout [UInt64], scratch: inout [UInt64]) throws(TextIndexError) {
        Self.radixSortByKey(&pairs, scratch: &scratch)
        var start = 0
        while start < pairs.count {
            let key = UInt32(truncatingIfNeeded: pairs[start] >> 32)
            guard let list = postings[key] else { throw .invariant("no list for \(GramKey(rawValue: key)), which a stored text calls for") }
            var cursor = PostingCursor(list)
            while start < pairs.count, UInt32(truncatingIfNeeded: pairs[start] >> 32) == key {
                let slot = UInt32(truncatingIfNeeded: pairs[start])
                guard cursor.seek(atLeast: slot) == slot else {
                    throw .invariant("slot \(slot) is missing from the list of \(GramKey(rawValue: key)) its text calls for")
                }
                start += 1
            }
        }
        pairs.removeAll(keepingCapacity: true)
    }
}
