import ChunkedCollections

/// One shared copy of each text that repeats across an organization's contacts — company names,
/// notes written from a script, tag lists — so that a million contacts of a few thousand
/// companies hold a few thousand company strings, not a million.
///
/// Only values that live on the heap are worth sharing: a string of at most 15 UTF-8 bytes
/// lives inside the `String` itself. The table stops adding once it holds ``byteBudget`` bytes
/// of text (tag lists counted by their tags' bytes): texts it keeps outlive the contacts that
/// held them, so a stream of unique values must not grow it without bound. It is rebuilt from
/// the contacts on every load. Sharded, so that a copy of the organization shares it.
///
/// Texts are matched by their exact UTF-8 bytes, not by `String`'s canonical equivalence: a
/// contact keeps the bytes it was given (a decomposed "é" is never swapped for a precomposed
/// one), and hashing bytes skips Unicode normalization, the most of what a load spent here.
struct TextInterner: Sendable {
    /// The most bytes of text, and of tag lists, the table keeps alive.
    static let byteBudget = 32 << 20
    /// Texts longer than this are rarely repeated (free-form notes), so they are not looked up.
    static let longestText = 256

    private var texts = ShardedDictionary<ExactText, String>()
    private var tagLists = ShardedDictionary<ExactTags, [String]>()
    private var textBytes = 0
    private var tagListBytes = 0

    /// `contact` with its company, tags and (with `notes`) notes replaced by the organization's
    /// equal copies; only those that differ from `previous` (the contact it replaces) are looked
    /// up. Notes repeat in loads and imports (a script's phrases), rarely in single edits, which
    /// therefore leave them out.
    mutating func intern(_ contact: Contact, replacing previous: Contact? = nil, notes: Bool = false) -> Contact {
        var contact = contact
        if let company = contact.company, company != previous?.company { contact.company = intern(company) }
        if notes, let text = contact.notes, text != previous?.notes { contact.notes = intern(text) }
        if !contact.tags.isEmpty, contact.tags != previous?.tags { contact.tags = intern(contact.tags) }
        return contact
    }

    private mutating func intern(_ text: String) -> String {
        let length = text.utf8.count
        guard length > 15, length <= Self.longestText else { return text }
        let key = ExactText(text)
        if let shared = texts[key] { return shared }
        if textBytes + length <= Self.byteBudget {
            texts[key] = text
            textBytes += length
        }
        return text
    }

    private mutating func intern(_ tags: [String]) -> [String] {
        let key = ExactTags(tags)
        if let shared = tagLists[key] { return shared }
        let length = tags.reduce(16) { $0 + $1.utf8.count }
        if tagListBytes + length <= Self.byteBudget {
            tagLists[key] = tags
            tagListBytes += length
        }
        return tags
    }
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
