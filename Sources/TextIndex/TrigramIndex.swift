import ChunkedCollections

/// A substring index over documents of up to four short folded fields (for contacts: name,
/// email, company, phone digits), identified by dense `UInt32` slots.
///
/// For each field it keeps posting lists (``PostingList``, delta-varint blocks) under
/// ``GramKey``s:
/// - every trigram of the field (`anywhere`),
/// - the 1-, 2- and 3-byte grams at the field's start (`fieldStart`) and at each later word
///   start (`wordStart`; a word starts after an ASCII byte that is not a letter or digit),
/// - the field's length hashed with its last trigram, or with the whole field when it is
///   shorter than three bytes (`fieldEnd`: the candidates for fields equal to the query).
///
/// It also keeps the folded fields themselves (``DocumentTexts``), so every candidate a search
/// draws from the postings is verified against the text: results are exact, and a removal or
/// update can recompute the document's keys without the caller supplying the old text.
///
/// Searching and ranking are in `TrigramIndex+Search.swift`; the postings are kept exactly in
/// step with the texts after every write (`_checkInvariants()` proves it in tests).
///
/// Writes cost O(keys of the document) list updates: appending a slot above every slot in a list
/// is O(1); inserting into the middle of a list (reused slots, updates) re-encodes one
/// 128-slot block inside a segment of a few kilobytes.
public struct TrigramIndex: Sendable {
    /// The most fields a document can have.
    public static let maxFieldCount = 4

    /// Sharded, so that a copy of the index (a snapshot's view) shares all but the shards a later write changes.
    var postings = ShardedDictionary<UInt32, PostingList>()
    var texts = DocumentTexts()

    /// An empty index.
    public init() {}

    /// The number of documents in the index.
    public var count: Int { texts.count }

    /// Whether `doc` is in the index.
    public func contains(_ doc: UInt32) -> Bool { texts.contains(doc) }

    /// The folded fields stored for `doc`, or nil when it is not in the index.
    public func fields(of doc: UInt32) -> [String]? { texts.fields(of: doc) }

    /// True when one of the first `fieldCount` stored (folded) fields of `doc` contains `needle`.
    public func anyField(of doc: UInt32, among fieldCount: Int, contains needle: [UInt8]) -> Bool {
        texts.anyField(of: doc, among: fieldCount, contains: needle)
    }

    /// One stored (folded) field of `doc` as UTF-8 bytes.
    public func fieldBytes(_ field: Int, of doc: UInt32) -> [UInt8]? { texts.fieldBytes(field, of: doc) }

    /// Adds `doc` with its folded `fields` (at most ``maxFieldCount``; pass "" for a field the
    /// document lacks). Inserting a document that is already present replaces its fields.
    ///
    /// - Complexity: O(*k*) posting-list insertions for the *k* keys of the fields (about 80
    ///   for a typical contact); each is O(1) when `doc` is the highest slot so far.
    public mutating func insert(_ doc: UInt32, fields: [String]) {
        precondition(fields.count <= Self.maxFieldCount, "a TrigramIndex document has at most 4 fields")
        if texts.contains(doc) {
            update(doc, fields: fields)
            return
        }
        for key in Self.keys(of: fields) {
            postings[key.rawValue, default: PostingList()].insert(doc)
        }
        texts.set(doc, fields: fields)
    }

    /// Replaces the fields of `doc` (inserting it when absent). Only the posting lists whose
    /// membership changes are touched.
    ///
    /// - Complexity: O(*k*) for the *k* keys of the old and new fields.
    public mutating func update(_ doc: UInt32, fields: [String]) {
        precondition(fields.count <= Self.maxFieldCount, "a TrigramIndex document has at most 4 fields")
        guard let oldFields = texts.fields(of: doc) else {
            insert(doc, fields: fields)
            return
        }
        let old = Self.keys(of: oldFields)
        let new = Self.keys(of: fields)
        var oldIndex = 0
        var newIndex = 0
        while oldIndex < old.count || newIndex < new.count {
            if newIndex == new.count || (oldIndex < old.count && old[oldIndex] < new[newIndex]) {
                removePosting(doc, from: old[oldIndex])
                oldIndex += 1
            } else if oldIndex == old.count || new[newIndex] < old[oldIndex] {
                postings[new[newIndex].rawValue, default: PostingList()].insert(doc)
                newIndex += 1
            } else {
                oldIndex += 1
                newIndex += 1
            }
        }
        texts.set(doc, fields: fields)
    }

    /// Removes `doc`; does nothing when it is absent.
    ///
    /// - Complexity: O(*k*) for the *k* keys of its fields.
    public mutating func remove(_ doc: UInt32) {
        guard let oldFields = texts.fields(of: doc) else { return }
        for key in Self.keys(of: oldFields) {
            removePosting(doc, from: key)
        }
        texts.remove(doc)
    }

    /// An estimate of the heap bytes the index holds: posting bytes and array headers, the
    /// dictionary's buckets, and the stored texts.
    public var memoryFootprint: Int {
        var total = texts.memoryFootprint
        total += postings.capacity * (MemoryLayout<UInt32>.stride + MemoryLayout<PostingList>.stride) * 9 / 8
        for list in postings.values {
            total += list.memoryFootprint
        }
        return total
    }

    /// The number of posting lists and postings (for measurements).
    public var postingStatistics: (lists: Int, postings: Int, bytes: Int) {
        postings.values.reduce((0, 0, 0)) { ($0.0 + 1, $0.1 + Int($1.count), $0.2 + $1.segments.reduce(0) { $0 + $1.count }) }
    }

    private mutating func removePosting(_ doc: UInt32, from key: GramKey) {
        guard postings[key.rawValue]?.remove(doc) == true else { return }
        if postings[key.rawValue]?.isEmpty == true {
            postings[key.rawValue] = nil
        }
    }

    /// The sorted, unique keys of a document's fields.
    static func keys(of fields: [String]) -> [GramKey] {
        var keys: [GramKey] = []
        keys.reserveCapacity(128)
        for (field, text) in fields.enumerated() {
            var text = text
            text.withUTF8 { GramKey.appendKeys(field: field, text: $0, to: &keys) }
        }
        keys.sort()
        var unique = 0
        for index in keys.indices where unique == 0 || keys[index] != keys[unique - 1] {
            keys[unique] = keys[index]
            unique += 1
        }
        keys.removeLast(keys.count - unique)
        return keys
    }
}
