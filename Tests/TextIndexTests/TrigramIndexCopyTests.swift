import Testing

@testable import TextIndex

/// A copy of the index (what a snapshot takes) shares its storage; a write after it copies the
/// posting shards and the text chunk it touches, not the index.
@Suite struct TrigramIndexCopyTests {
    @Test func aWriteAfterACopyCopiesOnlyWhatItTouches() throws {
        var index = TrigramIndex()
        let documents = (0..<UInt32(10_000)).map { ($0, ["person \($0) smith", "p\($0)@example.com", "acme \($0 % 7)", "1650555\($0)"]) }
        index.insert(contentsOf: documents)
        let view = index
        let chunks = index.texts.chunks.count
        let shards = index.postings._occupiedShards
        #expect(chunks == 10)
        #expect(index.texts._sharedChunks(with: view.texts) == chunks)
        #expect(index.postings._sharedShards(with: view.postings) == shards)

        index.update(4_321, fields: ["someone else", "other@example.org", "globex", "442071234567"])
        #expect(index.texts._sharedChunks(with: view.texts) == chunks - 1, "one text chunk copied")
        // The changed keys (about 160 added or removed) touch a fraction of the 1,024 shards; the
        // rest stay shared.
        #expect(index.postings._sharedShards(with: view.postings) >= shards / 2)
        #expect(view.fields(of: 4_321) == ["person 4321 smith", "p4321@example.com", "acme 2", "16505554321"], "the copy is untouched")
        #expect(index.fields(of: 4_321)?.first == "someone else")
        try index._checkInvariants()
        try view._checkInvariants()
    }
}
