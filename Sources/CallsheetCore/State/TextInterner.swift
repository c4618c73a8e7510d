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
struct TextInterner: Sendable {
    /// The most bytes of text, and of tag lists, the table keeps alive.
    static let byteBudget = 32 << 20
    /// Texts longer than this are rarely repeated (free-form notes), so they are not looked up.
    static let longestText = 256

    private var texts = ShardedDictionary<String, String>()
    private var tagLists = ShardedDictionary<[String], [String]>()
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
        if let shared = texts[text] { return shared }
        if textBytes + length <= Self.byteBudget {
            texts[text] = text
            textBytes += length
        }
        return text
    }

    private mutating func intern(_ tags: [String]) -> [String] {
        if let shared = tagLists[tags] { return shared }
        let length = tags.reduce(16) { $0 + $1.utf8.count }
        if tagListBytes + length <= Self.byteBudget {
            tagLists[tags] = tags
            tagListBytes += length
        }
        return tags
    }
}
