extension TrigramIndex {
    /// How a query matched a field, best first.
    ///
    /// Queries of fewer than three UTF-8 bytes match only at the start of a field or a word
    /// (never ``substring``): one or two letters inside a word are noise in quick search.
    public enum MatchKind: Int, Sendable, Hashable, Comparable, CaseIterable {
        /// The field equals the query.
        case exactField = 0
        /// The field starts with the query.
        case fieldPrefix = 1
        /// A later word of the field starts with the query (`smi` in `john smith`).
        case wordPrefix = 2
        /// The query occurs inside the field, not at a word start.
        case substring = 3

        public static func < (lhs: MatchKind, rhs: MatchKind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One document found by a search, with the best way it matched.
    ///
    /// Results are ordered by ``score`` and then by slot. The score ranks the kind first and the
    /// field second: `kind × 4 + field`, so an exact name (0) beats an exact email (1), any exact
    /// field beats any field prefix (4...7), and a name substring (12) beats a company substring
    /// (14). Callers choose the field order when they insert (name first).
    public struct Match: Sendable, Hashable, Comparable {
        /// The document's slot.
        public var doc: UInt32
        /// The index of the field that matched best.
        public var field: Int
        /// How it matched.
        public var kind: MatchKind

        public init(doc: UInt32, field: Int, kind: MatchKind) {
            self.doc = doc
            self.field = field
            self.kind = kind
        }

        /// The rank of the match: lower is better (see ``Match``).
        public var score: Int { TrigramIndex.score(kind: kind, field: field) }

        public static func < (lhs: Match, rhs: Match) -> Bool {
            (lhs.score, lhs.doc) < (rhs.score, rhs.doc)
        }
    }

    static func score(kind: MatchKind, field: Int) -> Int {
        kind.rawValue * maxFieldCount + field
    }

    /// How `query` matches `field`, or nil when it does not.
    ///
    /// - Complexity: O(*n* × *m*) worst case for field length *n* and query length *m*;
    ///   fields and queries are short.
    static func classify(
        _ query: UnsafeBufferPointer<UInt8>, in field: UnsafeBufferPointer<UInt8>
    ) -> MatchKind? {
        let length = query.count
        guard length > 0, field.count >= length else { return nil }
        if bytesEqual(query, field, at: 0) {
            return field.count == length ? .exactField : .fieldPrefix
        }
        let first = query[0]
        var foundInside = false
        var offset = 1
        let lastOffset = field.count - length
        while offset <= lastOffset {
            if field[offset] == first, bytesEqual(query, field, at: offset) {
                if GramKey.isWordStart(field, at: offset) { return .wordPrefix }
                foundInside = true
            }
            offset += 1
        }
        return foundInside && length >= 3 ? .substring : nil
    }

    @inline(__always)
    private static func bytesEqual(
        _ query: UnsafeBufferPointer<UInt8>, _ field: UnsafeBufferPointer<UInt8>, at offset: Int
    ) -> Bool {
        for index in 0..<query.count where field[offset + index] != query[index] {
            return false
        }
        return true
    }
}
