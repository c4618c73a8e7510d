extension ContactGenerator {
    /// Zero to four distinct tags, in the order drawn.
    mutating func nextTags() -> [String] {
        let count = random.weightedIndex(TagVocabulary.countWeights)
        guard count > 0 else { return [] }
        var chosen: [Int] = []
        chosen.reserveCapacity(count)
        while chosen.count < count {
            let index = random.below(TagVocabulary.all.count)
            if !chosen.contains(index) {
                chosen.append(index)
            }
        }
        return chosen.map { TagVocabulary.all[$0] }
    }

    /// Nil for 40% of rows; otherwise one to three sentences, sometimes split by a line break.
    mutating func nextNotes() -> String? {
        guard !random.chance(perMille: NoteFragments.emptyPerMille) else { return nil }
        let sentences = 1 + random.weightedIndex([500, 350, 150])
        var notes = random.pick(NoteFragments.all)
        for _ in 1..<sentences {
            notes += random.chance(perMille: NoteFragments.lineBreakPerMille) ? "\n" : " "
            notes += random.pick(NoteFragments.all)
        }
        return notes
    }
}
