import TextIndex

/// A name as duplicate detection compares it: folded (case, accents, apostrophes), split into
/// tokens at anything not a letter or digit, nicknames replaced by the name they stand for.
public struct NameProfile: Sendable, Hashable {
    /// The tokens as written (folded), in order.
    public var tokens: [String]
    /// The tokens with nicknames replaced, in order.
    public var canonical: [String]

    /// Names longer than this are compared on their first this many bytes (a name is ≤ 255).
    static let comparedBytes = 64

    public init(_ name: String) {
        let folded = TextFolding.fold(name)
        var tokens: [String] = []
        var current: [UInt8] = []
        for byte in folded.utf8.prefix(Self.comparedBytes) {
            if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte >= 0x80 {
                current.append(byte)
            } else if !current.isEmpty {
                tokens.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { tokens.append(String(decoding: current, as: UTF8.self)) }
        self.tokens = tokens
        self.canonical = tokens.map { Nicknames.canonical[$0] ?? $0 }
    }

    public var isEmpty: Bool { tokens.isEmpty }

    /// The canonical tokens joined by spaces, in order and sorted.
    var joined: String { canonical.joined(separator: " ") }
    var sortedJoined: String { canonical.sorted().joined(separator: " ") }
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
    public static func compare(_ a: NameProfile, _ b: NameProfile) -> NameSimilarity {
        guard !a.isEmpty, !b.isEmpty else { return NameSimilarity(score: 0, how: "no name") }
        if a.tokens == b.tokens { return NameSimilarity(score: 100, how: "equal") }
        let nickname = a.canonical != a.tokens || b.canonical != b.tokens
        var best = NameSimilarity(score: 0, how: "")
        func consider(_ score: Int, _ how: String) {
            if score > best.score { best = NameSimilarity(score: score, how: how) }
        }
        let direct = Levenshtein.distance(Array(a.joined.utf8), Array(b.joined.utf8))
        consider(Levenshtein.similarity(distance: direct, a.joined.utf8.count, b.joined.utf8.count), direct == 0 ? "equal" : "levenshtein \(direct)")
        if a.canonical.count > 1 || b.canonical.count > 1 {
            let sortedA = a.sortedJoined, sortedB = b.sortedJoined
            let sorted = Levenshtein.distance(Array(sortedA.utf8), Array(sortedB.utf8))
            consider(Levenshtein.similarity(distance: sorted, sortedA.utf8.count, sortedB.utf8.count), sorted == 0 ? "token order" : "token order, levenshtein \(sorted)")
        }
        if a.canonical.count == b.canonical.count, a.canonical.count > 1 {
            if let score = initialsScore(a.canonical, b.canonical) { consider(score, "initial") }
            if let score = initialsScore(a.canonical, b.canonical.reversed()) { consider(score, "initial, token order") }
        }
        if abs(a.canonical.count - b.canonical.count) == 1, min(a.canonical.count, b.canonical.count) >= 2 {
            let (long, short) = a.canonical.count > b.canonical.count ? (a.canonical, b.canonical) : (b.canonical, a.canonical)
            for skipped in long.indices {
                var fewer = long
                fewer.remove(at: skipped)
                let x = fewer.joined(separator: " "), y = short.joined(separator: " ")
                let distance = Levenshtein.distance(Array(x.utf8), Array(y.utf8))
                consider(min(95, Levenshtein.similarity(distance: distance, x.utf8.count, y.utf8.count)), "middle name")
            }
        }
        if nickname, best.score == 100 {
            // Equal only through the nickname table: a strong sign, not an exact match.
            best = NameSimilarity(score: 96, how: "nickname")
        } else if nickname, best.score > 0, a.tokens != a.canonical || b.tokens != b.canonical {
            let written = Levenshtein.distance(Array(a.tokens.joined(separator: " ").utf8), Array(b.tokens.joined(separator: " ").utf8))
            if Levenshtein.similarity(distance: written, a.tokens.joined(separator: " ").utf8.count, b.tokens.joined(separator: " ").utf8.count) < best.score {
                best.how = "nickname, " + best.how
            }
        }
        return best
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
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            let x = a[i - 1]
            for j in 1...b.count {
                let cost = x == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// 100 × (1 − distance / longer length), rounded: `john doe` and `jon doe` are 88.
    public static func similarity(distance: Int, _ lengthA: Int, _ lengthB: Int) -> Int {
        let longer = max(lengthA, lengthB)
        guard longer > 0 else { return 100 }
        return Int((100.0 * (1.0 - Double(distance) / Double(longer))).rounded())
    }
}
