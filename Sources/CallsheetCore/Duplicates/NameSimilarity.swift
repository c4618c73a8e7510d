import TextIndex

/// A name as duplicate detection compares it: folded (case, accents, apostrophes), split into
/// tokens at anything not a letter or digit, nicknames replaced by the name they stand for.
/// The forms compared are kept as bytes, so that a scan compares millions of pairs without
/// building a string; a class, so that a comparison borrows them instead of copying seven arrays.
public final class NameProfile: Sendable {
    /// The tokens as written (folded), in order.
    public let tokens: [String]
    /// The tokens with nicknames replaced, in order.
    public let canonical: [String]
    /// The canonical tokens joined by spaces, in order.
    let joined: [UInt8]
    /// The canonical tokens sorted, joined by spaces.
    let sortedJoined: [UInt8]
    /// The tokens as written, joined by spaces.
    let written: [UInt8]
    /// Whether a token is a single letter (an initial), and whether a nickname was replaced.
    let hasInitial: Bool
    let hasNickname: Bool
    /// For a name of three or four tokens, the canonical form without each token in turn (a
    /// middle name left out), joined.
    let withoutOne: [[UInt8]]
    /// How many bytes of `joined` fall in each of 16 buckets (the byte's low four bits): the
    /// same for `sortedJoined`, so one comparison of two bags bounds the edit distance of both
    /// forms from below (``bagDistance(_:_:)``) before either is measured.
    let bag: SIMD16<UInt8>

    /// Names longer than this are compared on their first this many bytes (a name is ≤ 255).
    static let comparedBytes = 64

    public convenience init(_ name: String) {
        self.init(folded: TextFolding.fold(name))
    }

    /// A profile of a name already folded (``TextFolding/fold(_:)``), as the text index holds it.
    public init(folded: String) {
        // A scan builds a million of these: the forms share storage where they are equal (no
        // nickname: written is joined; tokens already in order: sorted is joined).
        let tokens = Self.tokens(ofFolded: folded)
        self.tokens = tokens
        var canonical = tokens
        var replaced = false
        for index in tokens.indices {
            if let name = Nicknames.canonical[tokens[index]], name != tokens[index] {
                canonical[index] = name
                replaced = true
            }
        }
        self.canonical = canonical
        let joined = Self.joinedBytes(canonical)
        self.joined = joined
        var inOrder = true
        for index in canonical.indices.dropFirst() where canonical[index - 1] > canonical[index] {
            inOrder = false
            break
        }
        self.sortedJoined = inOrder ? joined : Self.joinedBytes(canonical.sorted())
        self.written = replaced ? Self.joinedBytes(tokens) : joined
        self.hasInitial = tokens.contains { $0.utf8.count == 1 }
        self.hasNickname = replaced
        var bag = SIMD16<UInt8>()
        for byte in joined { bag[Int(byte & 15)] &+= 1 }
        self.bag = bag
        if (3...4).contains(canonical.count) {
            self.withoutOne = canonical.indices.map { skipped in
                var fewer = canonical
                fewer.remove(at: skipped)
                return Self.joinedBytes(fewer)
            }
        } else {
            self.withoutOne = []
        }
    }

    public var isEmpty: Bool { tokens.isEmpty }

    /// Tokens joined by single spaces, as bytes, in one allocation.
    static func joinedBytes(_ tokens: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(tokens.reduce(max(0, tokens.count - 1)) { $0 + $1.utf8.count })
        for (index, token) in tokens.enumerated() {
            if index > 0 { bytes.append(0x20) }
            bytes.append(contentsOf: token.utf8)
        }
        return bytes
    }

    /// A lower bound of the edit distance between the joined (or sorted) forms of two names:
    /// an edit changes one byte, so it moves at most one byte in or out of each bag, and bytes
    /// folded into one bucket can only make the bags closer. Names are at most
    /// ``comparedBytes`` long, so no bucket and no sum overflows a byte.
    /// - Complexity: O(1).
    static func bagDistance(_ a: NameProfile, _ b: NameProfile) -> Int {
        let low = pointwiseMin(a.bag, b.bag)
        return max(Int((a.bag &- low).wrappedSum()), Int((b.bag &- low).wrappedSum()))
    }

    /// The tokens of folded text: runs of letters and digits (and bytes of other scripts), in its
    /// first ``comparedBytes`` bytes.
    static func tokens(ofFolded folded: String) -> [String] {
        var tokens: [String] = []
        var start = -1
        var folded = folded
        folded.withUTF8 { bytes in
            let end = min(bytes.count, Self.comparedBytes)
            for index in 0...end {
                let byte: UInt8 = index < end ? bytes[index] : 0x20
                if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte >= 0x80 {
                    if start < 0 { start = index }
                } else if start >= 0 {
                    tokens.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self))
                    start = -1
                }
            }
        }
        return tokens
    }

    /// The canonical tokens sorted and joined, as text (a sort key).
    public var sortKey: String { String(decoding: sortedJoined, as: UTF8.self) }
}

/// How alike two names are, and why.
public struct NameSimilarity: Sendable, Hashable {
    /// 0–100.
    public var score: Int
    /// A few words a person reads: `levenshtein 1`, `token order`, `initial`, `nickname`.
    public var how: String

    /// Levenshtein similarity of the names, the best of: as written; tokens sorted (`Doe, John`
    /// against `John Doe`); initials matching a token's first letter (`J. Doe`, scored at most
    /// 92); one token fewer (a middle name, scored at most 95). Nicknames compare as the name
    /// they stand for (`Bob` as `Robert`), scored at most 96 when the spellings differ.
    /// - Complexity: O(length²) of the two names' first 64 bytes.
    ///
    /// With `atLeast`, forms that cannot reach that score are not measured exactly (the edit
    /// distance stops at the band the score allows), so a score below it may be reported as 0.
    public static func compare(_ a: NameProfile, _ b: NameProfile, atLeast minimum: Int = 0) -> NameSimilarity {
        guard !a.isEmpty, !b.isEmpty else { return NameSimilarity(score: 0, how: "no name") }
        if a.written == b.written { return NameSimilarity(score: 100, how: "equal") }
        var bestScore = 0
        var how = ""
        /// The similarity of two forms when it can reach `minimum`, else 0.
        func measure(_ x: [UInt8], _ y: [UInt8]) -> (Int, Int)? {
            let limit = Levenshtein.limit(forSimilarity: minimum, x.count, y.count)
            guard let distance = Levenshtein.distance(x, y, atMost: limit) else { return nil }
            return (Levenshtein.similarity(distance: distance, x.count, y.count), distance)
        }
        // Both plain forms hold the same bytes, so the bags rule both out at once (most pairs a
        // scan's blocks compare differ in more letters than the threshold allows).
        let bagsAllow = minimum == 0 || NameProfile.bagDistance(a, b) <= Levenshtein.limit(forSimilarity: minimum, a.joined.count, b.joined.count)
        if bagsAllow, let (score, direct) = measure(a.joined, b.joined) {
            bestScore = score
            how = direct == 0 ? "equal" : "levenshtein \(direct)"
        }
        if bagsAllow, bestScore < 100, a.canonical.count > 1 || b.canonical.count > 1, let (score, sorted) = measure(a.sortedJoined, b.sortedJoined), score > bestScore {
            bestScore = score
            how = sorted == 0 ? "token order" : "token order, levenshtein \(sorted)"
        }
        // The other forms only when the plain ones fall short of what is asked.
        if minimum == 0 || bestScore < minimum, a.hasInitial || b.hasInitial, a.canonical.count == b.canonical.count, a.canonical.count > 1 {
            if let score = initialsScore(a.canonical, b.canonical), score > bestScore {
                bestScore = score
                how = "initial"
            }
            if let score = initialsScore(a.canonical, b.canonical.reversed()), score > bestScore {
                bestScore = score
                how = "initial, token order"
            }
        }
        if minimum == 0 || bestScore < minimum, abs(a.canonical.count - b.canonical.count) == 1, min(a.canonical.count, b.canonical.count) >= 2 {
            let (long, short) = a.canonical.count > b.canonical.count ? (a, b) : (b, a)
            for fewer in long.withoutOne {
                guard let (similarity, _) = measure(fewer, short.joined) else { continue }
                let score = min(95, similarity)
                if score > bestScore {
                    bestScore = score
                    how = "middle name"
                }
            }
        }
        return finish(bestScore, how, a, b, measure)
    }

    /// The result, with what nicknames did to it.
    private static func finish(_ score: Int, _ how: String, _ a: NameProfile, _ b: NameProfile, _ measure: ([UInt8], [UInt8]) -> (Int, Int)?) -> NameSimilarity {
        guard a.hasNickname || b.hasNickname, score > 0 else { return NameSimilarity(score: score, how: how) }
        // Equal only through the nickname table: a strong sign, not an exact match.
        if score == 100 { return NameSimilarity(score: 96, how: "nickname") }
        return NameSimilarity(score: score, how: (measure(a.written, b.written)?.0 ?? 0) < score ? "nickname, " + how : how)
    }

    /// Tokens paired in order: each pair equal, or one a single letter that starts the other.
    /// Nil unless at least one initial pairs and every other token matches closely.
    private static func initialsScore(_ a: [String], _ b: some Collection<String>) -> Int? {
        var initials = 0
        var worst = 100
        for (x, y) in zip(a, b) {
            if x == y { continue }
            if x.utf8.count == 1 || y.utf8.count == 1 {
                guard x.utf8.first == y.utf8.first else { return nil }
                initials += 1
                continue
            }
            let distance = Levenshtein.distance(Array(x.utf8), Array(y.utf8))
            worst = min(worst, Levenshtein.similarity(distance: distance, x.utf8.count, y.utf8.count))
        }
        guard initials > 0, initials < a.count else { return nil }
        return min(92, worst) - (initials - 1) * 4
    }
}

/// Edit distance between byte strings.
public enum Levenshtein {
    /// The number of single-byte insertions, deletions and substitutions that turn `a` into `b`.
    /// - Complexity: O(a × b) time, O(b) memory.
    public static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in distance(x, y) } }
    }

    /// ``distance(_:_:)-([UInt8],[UInt8])`` of bytes in place (a scan's packed names).
    static func distance(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int {
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (y.count + 1)) { rows in
            var previous = rows.baseAddress!
            var current = previous + (y.count + 1)
            for j in 0...y.count { previous[j] = j }
            for i in 1...x.count {
                current[0] = i
                let byte = x[i - 1]
                for j in 1...y.count {
                    let substitution = previous[j - 1] + (byte == y[j - 1] ? 0 : 1)
                    current[j] = min(substitution, min(previous[j], current[j - 1]) + 1)
                }
                swap(&previous, &current)
            }
            return previous[y.count]
        }
    }

    /// ``distance(_:_:)`` when it is at most `limit`, nil otherwise: only a band of `2 × limit + 1`
    /// cells of each row is computed, and the walk stops once a row exceeds the limit.
    /// - Complexity: O(limit × length).
    public static func distance(_ a: [UInt8], _ b: [UInt8], atMost limit: Int) -> Int? {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in distance(x, y, atMost: limit) } }
    }

    /// ``distance(_:_:atMost:)-([UInt8],[UInt8],_)`` of bytes in place (a scan's packed names).
    static func distance(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>, atMost limit: Int) -> Int? {
        guard limit >= 0, abs(x.count - y.count) <= limit else { return nil }
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) }
        if limit >= max(x.count, y.count) { return distance(x, y) }
        let big = limit + 1
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (y.count + 1)) { rows -> Int? in
            var previous = rows.baseAddress!
            var current = previous + (y.count + 1)
            for j in 0...y.count { previous[j] = j <= limit ? j : big }
            for i in 1...x.count {
                let low = max(1, i - limit), high = min(y.count, i + limit)
                current[0] = i <= limit ? i : big
                if low > 1 { current[low - 1] = big }
                var rowMinimum = current[0]
                let byte = x[i - 1]
                for j in low...high {
                    let substitution = previous[j - 1] + (byte == y[j - 1] ? 0 : 1)
                    let value = min(substitution, min(j == i + limit ? big : previous[j], current[j - 1]) + 1, big)
                    current[j] = value
                    rowMinimum = min(rowMinimum, value)
                }
                if high < y.count { current[high + 1] = big }
                guard rowMinimum <= limit else { return nil }
                swap(&previous, &current)
            }
            let result = previous[y.count]
            return result <= limit ? result : nil
        }
    }

    /// The largest distance that keeps two strings of these lengths at `similarity` or above.
    public static func limit(forSimilarity similarity: Int, _ lengthA: Int, _ lengthB: Int) -> Int {
        let longer = max(lengthA, lengthB)
        // similarity(d) = round(100 × (1 − d / longer)) ≥ s  ⇔  d ≤ longer × (100 − s + 0.5) / 100
        return max(0, Int((Double(longer) * (100.5 - Double(similarity)) / 100).rounded(.down)))
    }

    /// 100 × (1 − distance / longer length), rounded: `john doe` and `jon doe` are 88.
    public static func similarity(distance: Int, _ lengthA: Int, _ lengthB: Int) -> Int {
        let longer = max(lengthA, lengthB)
        guard longer > 0 else { return 100 }
        return Int((100.0 * (1.0 - Double(distance) / Double(longer))).rounded())
    }
}
