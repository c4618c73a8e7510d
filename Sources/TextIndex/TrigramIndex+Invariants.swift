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
    /// ``_checkInvariants()`` does, but in constant memory: every key of every stored document
    /// is looked up in its list, and the lists hold no more postings than those (what
    /// `callsheet verify` runs on an organization of a million contacts). Returns the number
    /// of postings checked.
    ///
    /// - Complexity: O(postings × (log segments + a block)), no model of the index in memory.
    public func checkPostingsAgainstTexts() throws(TextIndexError) -> Int {
        var expected = 0
        for slot in texts.storedSlots {
            guard let fields = texts.fields(of: slot), fields.count <= Self.maxFieldCount else {
                throw .invariant("slot \(slot) is listed but has no readable fields")
            }
            for key in Self.keys(of: fields) {
                guard postings[key.rawValue]?.contains(slot) == true else {
                    throw .invariant("slot \(slot) is missing from the list of \(key) its text calls for")
                }
                expected += 1
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
}
