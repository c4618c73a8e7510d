import ChunkedCollections

/// One shared copy of each text that repeats across an organization's contacts — company names,
/// notes written from a script, call outcomes, custom field names, tag lists — numbered, so that
/// a contact's record (``ContactRecord``) holds a number of a byte or three instead of the text,
/// and a decoded contact holds the shared `String` (a retain, no allocation).
///
/// A text is shared from its second sighting on: a one-entry-per-bucket table of hashes
/// (``sightings``) remembers texts seen once, so a column of unique values (a company per
/// contact) is never entered into the table, where each entry costs more than the text inline.
/// Entries are counted by the record fields that hold their number; the last one released frees
/// the entry (its text emptied, its number given out again), so a text no contact holds — an
/// erased person's — leaves memory and the next snapshot. The table stops adding once it holds
/// ``byteBudget`` bytes, entries' overhead counted. Chunked and sharded, so a copy of the
/// organization shares it.
///
/// Texts are matched by their exact UTF-8 bytes, not by `String`'s canonical equivalence: a
/// contact keeps the bytes it was given (a decomposed "é" is never swapped for a precomposed
/// one), and hashing bytes skips Unicode normalization.
struct SharedTexts: Sendable {
    /// The most bytes the tables keep alive, texts and tag lists each (texts' bytes plus
    /// ``entryOverhead`` per entry).
    static let byteBudget = 32 << 20
    /// What an entry costs besides its text: its slot in the array, its key and number in the
    /// dictionary, the dictionary's spare buckets.
    static let entryOverhead = 64
    /// Texts longer than this are rarely repeated (free-form notes), so they are not looked up.
    static let longestText = 256

    private(set) var texts = ChunkedArray<String>()
    private var textNumbers = ShardedDictionary<ExactText, UInt32>()
    /// Per text, the records that hold its number (once per field that does).
    private var textReferences = ChunkedArray<UInt32>()
    /// Numbers of texts no record holds any more, emptied and given out again.
    private var freeTexts: [UInt32] = []
    private(set) var tagLists = ChunkedArray<[String]>()
    private var tagListNumbers = ShardedDictionary<ExactTags, UInt32>()
    private var tagListReferences = ChunkedArray<UInt32>()
    private var freeTagLists: [UInt32] = []
    private var textBytes = 0
    private var tagListBytes = 0
    /// Hashes of texts seen once and not (yet) shared; a lossy table that grows with use.
    private var sightings: [Int] = []
    private var sightingsRecorded = 0

    init() {}

    /// The tables of a snapshot's contact image (``ContactSlots/readImage(_:)``), numbered in
    /// order, with no references yet: the reader adds each record's (``retain(text:)``), then
    /// ``releaseUnreferenced()`` frees what no record holds (an empty text or list is a free number).
    init(texts: ChunkedArray<String>, tagLists: ChunkedArray<[String]>) {
        self.texts = texts
        self.tagLists = tagLists
        textReferences = ChunkedArray(repeating: 0, count: texts.count)
        tagListReferences = ChunkedArray(repeating: 0, count: tagLists.count)
        for (number, text) in texts.enumerated() where !text.isEmpty {
            textNumbers[ExactText(text)] = UInt32(number)
            textBytes += text.utf8.count + Self.entryOverhead
        }
        for (number, tags) in tagLists.enumerated() where !tags.isEmpty {
            tagListNumbers[ExactTags(tags)] = UInt32(number)
            tagListBytes += tags.reduce(Self.entryOverhead) { $0 + 16 + $1.utf8.count }
        }
    }

    mutating func retain(text number: UInt32) { textReferences[Int(number)] += 1 }
    mutating func retain(tags number: UInt32) { tagListReferences[Int(number)] += 1 }

    /// Drops a record's reference to a shared text; the last one frees it, so a text no contact
    /// holds (an erased person's) leaves memory and the next snapshot.
    mutating func release(text number: UInt32) {
        let index = Int(number)
        textReferences[index] -= 1
        guard textReferences[index] == 0 else { return }
        let text = texts[index]
        textNumbers[ExactText(text)] = nil
        textBytes -= text.utf8.count + Self.entryOverhead
        texts[index] = ""
        freeTexts.append(number)
    }

    mutating func release(tags number: UInt32) {
        let index = Int(number)
        tagListReferences[index] -= 1
        guard tagListReferences[index] == 0 else { return }
        let tags = tagLists[index]
        tagListNumbers[ExactTags(tags)] = nil
        tagListBytes -= tags.reduce(Self.entryOverhead) { $0 + 16 + $1.utf8.count }
        tagLists[index] = []
        freeTagLists.append(number)
    }

    /// Frees the entries of a table read from an image that no record references.
    mutating func releaseUnreferenced() {
        for number in 0..<texts.count where textReferences[number] == 0 {
            textReferences[number] = 1
            if texts[number].isEmpty {
                textReferences[number] = 0
                freeTexts.append(UInt32(number))
            } else {
                release(text: UInt32(number))
            }
        }
        for number in 0..<tagLists.count where tagListReferences[number] == 0 {
            tagListReferences[number] = 1
            if tagLists[number].isEmpty {
                tagListReferences[number] = 0
                freeTagLists.append(UInt32(number))
            } else {
                release(tags: UInt32(number))
            }
        }
    }

    /// The shared text's number, `text` entered if it was seen before and there is room; nil
    /// when it is to be stored inline.
    mutating func number(of text: String) -> UInt32? {
        let length = text.utf8.count
        guard length > 0, length <= Self.longestText else { return nil }
        let key = ExactText(text)
        if let number = textNumbers[key] {
            textReferences[Int(number)] += 1
            return number
        }
        guard textBytes + length + Self.entryOverhead <= Self.byteBudget, texts.count < Int(UInt32.max),
              secondSighting(of: key.hashValue) else { return nil }
        let number: UInt32
        if let free = freeTexts.popLast() {
            number = free
            texts[Int(free)] = text
            textReferences[Int(free)] = 1
        } else {
            number = UInt32(texts.count)
            texts.append(text)
            textReferences.append(1)
        }
        textNumbers[key] = number
        textBytes += length + Self.entryOverhead
        return number
    }

    /// The shared tag list's number, entered as texts are (from its second sighting, within the budget).
    mutating func number(of tags: [String]) -> UInt32? {
        guard !tags.isEmpty else { return nil }
        let key = ExactTags(tags)
        if let number = tagListNumbers[key] {
            tagListReferences[Int(number)] += 1
            return number
        }
        let length = tags.reduce(Self.entryOverhead) { $0 + 16 + $1.utf8.count }
        guard tagListBytes + length <= Self.byteBudget, tagLists.count < Int(UInt32.max),
              secondSighting(of: key.hashValue) else { return nil }
        let number: UInt32
        if let free = freeTagLists.popLast() {
            number = free
            tagLists[Int(free)] = tags
            tagListReferences[Int(free)] = 1
        } else {
            number = UInt32(tagLists.count)
            tagLists.append(tags)
            tagListReferences.append(1)
        }
        tagListNumbers[key] = number
        tagListBytes += length
        return number
    }

    /// True when `hash` was recorded before (it is then forgotten); otherwise records it.
    private mutating func secondSighting(of hash: Int) -> Bool {
        if sightings.isEmpty || (sightingsRecorded > sightings.count * 4 && sightings.count < 1 << 16) {
            // Grows with the texts seen, from 512 bytes to 512 KB; what was recorded is dropped.
            sightings = Array(repeating: 0, count: max(64, sightings.count * 4))
            sightingsRecorded = 0
        }
        let bucket = Int(UInt(bitPattern: hash) & UInt(sightings.count - 1))
        let mark = hash | 1  // never 0, the empty bucket
        if sightings[bucket] == mark {
            sightings[bucket] = 0
            return true
        }
        sightings[bucket] = mark
        sightingsRecorded += 1
        return false
    }

    subscript(text number: UInt32) -> String { texts[Int(number)] }
    subscript(tags number: UInt32) -> [String] { tagLists[Int(number)] }

    /// Bytes the tables hold: entries, their dictionaries' buckets and the texts' heap blocks.
    var memoryFootprint: Int { textBytes + tagListBytes + sightings.capacity * 8 + (texts.count + tagLists.count) * 4 }
}

/// A text compared and hashed by its UTF-8 bytes. The bytes are hashed once, when the key is
/// made: the sharded table hashes a key twice (its shard, then its bucket), and hashes the
/// stored digest both times.
struct ExactText: Hashable, Sendable {
    var text: String
    private var digest: Int

    init(_ text: String) {
        var text = text
        var hasher = Hasher()
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        hasher.combine(text.utf8.count)
        self.text = text
        digest = hasher.finalize()
    }

    static func == (lhs: ExactText, rhs: ExactText) -> Bool {
        lhs.digest == rhs.digest && sameBytes(lhs.text, rhs.text)
    }

    /// Whether two texts hold the same UTF-8 bytes.
    static func sameBytes(_ left: String, _ right: String) -> Bool {
        guard left.utf8.count == right.utf8.count else { return false }
        var left = left
        var right = right
        return left.withUTF8 { left in right.withUTF8 { right in left.elementsEqual(right) } }
    }

    func hash(into hasher: inout Hasher) { hasher.combine(digest) }
}

/// A tag list compared and hashed by its tags' UTF-8 bytes, hashed once as ``ExactText`` is.
struct ExactTags: Hashable, Sendable {
    var tags: [String]
    private var digest: Int

    init(_ tags: [String]) {
        var hasher = Hasher()
        hasher.combine(tags.count)
        for tag in tags { hasher.combine(ExactText(tag)) }
        self.tags = tags
        digest = hasher.finalize()
    }

    static func == (lhs: ExactTags, rhs: ExactTags) -> Bool {
        lhs.digest == rhs.digest && lhs.tags.count == rhs.tags.count
            && zip(lhs.tags, rhs.tags).allSatisfy { ExactText.sameBytes($0, $1) }
    }

    func hash(into hasher: inout Hasher) { hasher.combine(digest) }
}
