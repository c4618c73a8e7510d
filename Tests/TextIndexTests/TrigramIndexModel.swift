import TestSupport
import TextIndex

/// The brute-force model a ``TrigramIndex`` must agree with: the documents in a dictionary,
/// every search a scan over all of them, classification written independently of the index.
struct TrigramIndexModel {
    var documents: [UInt32: [String]] = [:]

    func search(_ query: String, limit: Int) -> [TrigramIndex.Match] {
        guard !query.isEmpty, limit > 0 else { return [] }
        var matches: [TrigramIndex.Match] = []
        for (doc, fields) in documents {
            var best: TrigramIndex.Match?
            for (field, text) in fields.enumerated() {
                guard let kind = Self.kind(of: Array(query.utf8), in: Array(text.utf8)) else { continue }
                let match = TrigramIndex.Match(doc: doc, field: field, kind: kind)
                if best.map({ match.score < $0.score }) ?? true { best = match }
            }
            if let best { matches.append(best) }
        }
        return Array(matches.sorted().prefix(limit))
    }

    static func kind(of query: [UInt8], in text: [UInt8]) -> TrigramIndex.MatchKind? {
        if text == query { return .exactField }
        if text.starts(with: query) { return .fieldPrefix }
        guard text.count > query.count else { return nil }
        var inside = false
        for offset in 1...(text.count - query.count) where text[offset...].starts(with: query) {
            if isSeparator(text[offset - 1]) && !isSeparator(text[offset]) { return .wordPrefix }
            inside = true
        }
        return inside && query.count >= 3 ? .substring : nil
    }

    static func isSeparator(_ byte: UInt8) -> Bool {
        let scalar = Unicode.Scalar(byte)
        return byte < 0x80 && !(("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || ("A"..."Z").contains(scalar))
    }
}

/// Random folded fields over a small vocabulary, so documents share many grams and posting
/// lists grow past one block.
struct DocumentGenerator {
    static let syllables = [
        "an", "na", "ann", "jo", "se", "son", "mi", "th", "smi", "o", "ber", "g", "ü", "ж", "東",
        "ka", "ma", "r", "te", "ch", "x", "ll", "er", "é",
    ]
    static let separators = [" ", ".", "@", "-", " ", "'"]

    var random: SplitMix64

    mutating func word() -> String {
        (0..<Int.random(in: 1...3, using: &random)).map { _ in Self.syllables[Int.random(in: 0..<Self.syllables.count, using: &random)] }
            .joined()
    }

    mutating func text() -> String {
        let words = Int.random(in: 0...3, using: &random)
        var text = ""
        for index in 0..<words {
            if index > 0 { text += Self.separators[Int.random(in: 0..<Self.separators.count, using: &random)] }
            text += word()
        }
        return text
    }

    mutating func digits() -> String {
        String((0..<Int.random(in: 0...12, using: &random)).map { _ in "0123"[Int.random(in: 0..<4, using: &random)] })
    }

    mutating func fields() -> [String] {
        [text(), text(), text(), digits()]
    }

    /// A query: often a piece of a stored field (so it hits), sometimes fresh text.
    mutating func query(from documents: [UInt32: [String]]) -> String {
        // Picks among documents in id order: a dictionary's own order differs from run to run,
        // and the same seed must give the same queries.
        if Bool.random(using: &random), let doc = documents.keys.sorted().randomElement(using: &random), let fields = documents[doc],
           let field = fields.randomElement(using: &random) {
            let bytes = Array(field.utf8)
            guard !bytes.isEmpty else { return word() }
            let start = Int.random(in: 0..<bytes.count, using: &random)
            let end = Int.random(in: (start + 1)...min(bytes.count, start + 7), using: &random)
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
        return Bool.random(using: &random) ? word() : String(decoding: word().utf8.prefix(2), as: UTF8.self)
    }
}

extension String {
    fileprivate subscript(offset: Int) -> Character { self[index(startIndex, offsetBy: offset)] }
}
