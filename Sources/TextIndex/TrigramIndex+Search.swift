extension TrigramIndex {
    /// The documents whose fields contain `foldedQuery` (fold it with ``TextFolding/fold(_:)``),
    /// best ranked first (see ``Match``), at most `limit` of them.
    ///
    /// The search runs one pass per score — (exact, field 0), (exact, field 1), …,
    /// (substring, field 3) — each a join of the posting lists that any document matching that
    /// way must be in, in slot order, with every candidate verified against the stored text.
    /// A document is reported in the pass of its best score only, so the output is exactly the
    /// first `limit` matches in (score, slot) order, and the search stops as soon as it has
    /// `limit` of them: `ann` over a million contacts reads a few hundred postings, not the
    /// hundred thousand documents containing it.
    ///
    /// - Parameters:
    ///   - foldedQuery: the text to find, already folded; empty finds nothing. Under three
    ///     UTF-8 bytes it matches only at the start of a field or a word.
    ///   - limit: the most matches to return.
    ///   - after: the last match of the previous page; the results continue after it in the
    ///     same order, correctly even if documents were added or removed in between.
    ///   - filter: when given, only documents for which it returns true are reported.
    /// - Complexity: O(limit) verified candidates when the passes' lists are dense in matches.
    ///   The worst case is O(Σ lengths of the lists joined) — a query whose trigrams are each
    ///   common but seldom together, or a `filter` that rejects almost everything.
    public func search(
        _ foldedQuery: String, limit: Int, after: Match? = nil, filter: ((UInt32) -> Bool)? = nil
    ) -> [Match] {
        search(
            fieldQueries: Array(repeating: foldedQuery, count: Self.maxFieldCount),
            limit: limit, after: after, filter: filter)
    }

    /// As ``search(_:limit:after:filter:)``, with a separate folded query per field (nil or ""
    /// skips the field) — for example the folded text for name, email and company and its
    /// digits (``TextFolding/digits(_:)``) for the phone field.
    public func search(
        fieldQueries: [String?], limit: Int, after: Match? = nil, filter: ((UInt32) -> Bool)? = nil
    ) -> [Match] {
        guard limit > 0 else { return [] }
        let queries: [[UInt8]] = (0..<Self.maxFieldCount).map { field in
            field < fieldQueries.count ? Array((fieldQueries[field] ?? "").utf8) : []
        }
        var results: [Match] = []
        for kind in MatchKind.allCases {
            for field in queries.indices where !queries[field].isEmpty {
                if kind == .substring && queries[field].count < 3 { continue }
                let score = Self.score(kind: kind, field: field)
                var start: UInt32 = 0
                if let after {
                    if score < after.score { continue }
                    if score == after.score {
                        guard after.doc < UInt32.max else { continue }
                        start = after.doc + 1
                    }
                }
                guard var cursors = cursors(kind: kind, field: field, query: queries[field]) else { continue }
                PostingCursor.intersect(&cursors, from: start) { doc in
                    if let filter, !filter(doc) { return true }
                    if bestScore(of: doc, queries: queries) == score {
                        results.append(Match(doc: doc, field: field, kind: kind))
                    }
                    return results.count < limit
                }
                if results.count >= limit { return results }
            }
        }
        return results
    }

    /// The lists a document matching `query` in `field` by `kind` must be in, as many as pay
    /// for themselves (at most four), shortest first; nil when one is empty (no document can
    /// match that way). Verification against the text makes any subset exact.
    ///
    /// Trigrams that overlap in the query are strongly correlated (every `john` has `joh` and
    /// `ohn`), so after the shortest list only lists of trigrams not overlapping those chosen
    /// are joined, and only while the candidates expected (taking those as independent) exceed
    /// what verifying them directly would cost — except that a second list is always joined
    /// when the first is long, since a join step is much cheaper than a verification.
    private func cursors(kind: MatchKind, field: Int, query: [UInt8]) -> [PostingCursor]? {
        var keys: [(key: GramKey, position: Int)] = []
        query.withUnsafeBufferPointer { bytes in
            let leading = GramKey.gram(bytes, at: 0, length: min(3, bytes.count))
            switch kind {
            case .exactField:
                keys.append((GramKey(field: field, kind: .fieldEnd, gram: GramKey.endGram(bytes)), max(0, bytes.count - 3)))
                if bytes.count >= 3 { keys.append((GramKey(field: field, kind: .fieldStart, gram: leading), 0)) }
            case .fieldPrefix:
                keys.append((GramKey(field: field, kind: .fieldStart, gram: leading), 0))
            case .wordPrefix:
                keys.append((GramKey(field: field, kind: .wordStart, gram: leading), 0))
            case .substring:
                break
            }
            if bytes.count >= 3 && kind != .exactField {
                for offset in stride(from: kind == .substring ? 0 : 1, through: bytes.count - 3, by: 1) {
                    keys.append((GramKey(field: field, kind: .anywhere, gram: GramKey.gram(bytes, at: offset, length: 3)), offset))
                }
            }
        }
        var lists: [(cursor: PostingCursor, position: Int, key: UInt32)] = []
        lists.reserveCapacity(keys.count)
        for (key, position) in keys {
            guard let list = postings[key.rawValue] else { return nil }
            lists.append((PostingCursor(list), position, key.rawValue))
        }
        lists.sort { $0.cursor.count < $1.cursor.count }
        var chosen = [lists[0]]
        var expected = Double(lists[0].cursor.count)
        for candidate in lists.dropFirst() where chosen.count < 4 && expected > 16 {
            // A trigram the query repeats (`999` in `650253999999`) is one list: joining it again
            // filters nothing, though the estimate would think so and stop early.
            guard chosen.allSatisfy({ $0.key != candidate.key && abs($0.position - candidate.position) >= 3 }) else { continue }
            chosen.append(candidate)
            expected *= Double(candidate.cursor.count) / Double(Swift.max(count, 1))
        }
        // A join step costs a fraction of a verification: join two lists even when they overlap.
        if chosen.count == 1, expected > 16, let other = lists.first(where: { $0.key != chosen[0].key }) {
            chosen.append(other)
        }
        return chosen.map(\.cursor)
    }

    /// The best score of `doc` for the per-field `queries`, or `Int.max` if nothing matches.
    private func bestScore(of doc: UInt32, queries: [[UInt8]]) -> Int {
        texts.withRecord(doc) { arena, record in
            var best = Int.max
            DocumentTexts.forEachField(arena, record: record) { field, text in
                guard field < queries.count, !queries[field].isEmpty else { return }
                let kind = queries[field].withUnsafeBufferPointer { Self.classify($0, in: text) }
                if let kind { best = min(best, Self.score(kind: kind, field: field)) }
            }
            return best
        } ?? Int.max
    }
}
