import ChunkedCollections

/// One do-not-call entry: a number, a prefix of numbers, or a contact, with why and until when.
public struct DoNotCallEntry: Sendable, Hashable {
    public enum Target: Sendable, Hashable {
        /// One E.164 number, contact or not (a national registry's numbers are mostly not).
        case phone(String)
        /// Every number whose E.164 form starts with these characters (`+1900`).
        case prefix(String)
        /// One contact, whatever its number.
        case contact(ContactID)
    }

    public var target: Target
    public var reason: String?
    public var source: String?
    public var addedAt: Timestamp
    public var addedBy: UserID
    /// The entry no longer applies from this time on (a retention sweep then drops it).
    public var expiresAt: Timestamp?

    public init(target: Target, reason: String? = nil, source: String? = nil, addedAt: Timestamp, addedBy: UserID, expiresAt: Timestamp? = nil) {
        self.target = target
        self.reason = reason
        self.source = source
        self.addedAt = addedAt
        self.addedBy = addedBy
        self.expiresAt = expiresAt
    }

    public func isActive(at now: Timestamp) -> Bool { expiresAt.map { now < $0 } ?? true }

    /// The entry's key for `DNC.LIST` and `DNC.REMOVE`: the number, the prefix with `*`, or `contact:<id>`.
    public var key: String {
        switch target {
        case .phone(let phone): phone
        case .prefix(let prefix): prefix + "*"
        case .contact(let id): "contact:\(id)"
        }
    }
}

/// An organization's do-not-call list: numbers (a registry file may bring millions), prefixes
/// and contacts.
///
/// Numbers are keyed by their E.164 digits as an integer (15 digits fit in 64 bits, and no
/// country code starts with 0), and the entries' descriptions (reason, source, time, who,
/// expiry) are shared: the entries of one registry import share one. A number costs about 20
/// bytes, and ``match(phone:contact:at:)`` is a few hash lookups, no allocation.
public struct DoNotCallList: Sendable {
    /// What several entries may share.
    struct Description: Sendable, Hashable {
        var reason: String?
        var source: String?
        var addedAt: Timestamp
        var addedBy: UserID
        var expiresAt: Timestamp?
    }

    private var numbers = ShardedDictionary<UInt64, UInt32>()
    /// The numbers' keys in ascending order, for pages of `DNC.LIST` that cost O(log n + page).
    private var sortedNumbers = SortedIDs()
    private var prefixes: [String: DoNotCallEntry] = [:]
    private var contactEntries: [ContactID: DoNotCallEntry] = [:]
    private var descriptions: [Description] = []
    private var descriptionIndex: [Description: UInt32] = [:]
    /// The longest listed prefix, in bytes: a match looks no further.
    private var longestPrefix = 0

    public init() {}

    /// Numbers, prefixes and contacts listed.
    /// O(1): renderings and planners ask it for every contact.
    public var count: Int { sortedNumbers.count + prefixes.count + contactEntries.count }
    public var numberCount: Int { sortedNumbers.count }
    public var prefixCount: Int { prefixes.count }
    public var contactCount: Int { contactEntries.count }

    /// The E.164 number's key: its digits as an integer, or nil for anything that is not `+` and 2–15 digits.
    @inlinable
    public static func numberKey(_ e164: String) -> UInt64? {
        var value: UInt64 = 0
        var digits = 0
        var utf8 = e164.utf8.makeIterator()
        guard utf8.next() == UInt8(ascii: "+") else { return nil }
        while let byte = utf8.next() {
            guard byte >= 48, byte <= 57, digits < 15 else { return nil }
            value = value * 10 + UInt64(byte - 48)
            digits += 1
        }
        guard digits >= 2 else { return nil }
        // The number of digits is part of the key (a leading digit is never 0 after `+`).
        return value
    }

    public subscript(target: DoNotCallEntry.Target) -> DoNotCallEntry? {
        switch target {
        case .phone(let phone):
            guard let key = Self.numberKey(phone), let index = numbers[key] else { return nil }
            let description = descriptions[Int(index)]
            return DoNotCallEntry(target: target, reason: description.reason, source: description.source, addedAt: description.addedAt,
                                  addedBy: description.addedBy, expiresAt: description.expiresAt)
        case .prefix(let prefix): return prefixes[prefix]
        case .contact(let id): return contactEntries[id]
        }
    }

    /// Adds or replaces an entry; returns the one it replaced.
    @discardableResult
    public mutating func put(_ entry: DoNotCallEntry) -> DoNotCallEntry? {
        let previous = self[entry.target]
        switch entry.target {
        case .phone(let phone):
            guard let key = Self.numberKey(phone) else { return nil }
            if numbers.updateValue(describe(entry), forKey: key) == nil { sortedNumbers.insert(key) }
        case .prefix(let prefix):
            prefixes[prefix] = entry
            longestPrefix = max(longestPrefix, prefix.utf8.count)
        case .contact(let id):
            contactEntries[id] = entry
        }
        return previous
    }

    /// Removes the entry for `target`; returns it.
    @discardableResult
    public mutating func remove(_ target: DoNotCallEntry.Target) -> DoNotCallEntry? {
        let previous = self[target]
        switch target {
        case .phone(let phone):
            if let key = Self.numberKey(phone), numbers.removeValue(forKey: key) != nil { sortedNumbers.remove(key) }
        case .prefix(let prefix):
            prefixes.removeValue(forKey: prefix)
        case .contact(let id):
            contactEntries.removeValue(forKey: id)
        }
        return previous
    }

    private mutating func describe(_ entry: DoNotCallEntry) -> UInt32 {
        let description = Description(reason: entry.reason, source: entry.source, addedAt: entry.addedAt, addedBy: entry.addedBy, expiresAt: entry.expiresAt)
        if let index = descriptionIndex[description] { return index }
        let index = UInt32(descriptions.count)
        descriptions.append(description)
        descriptionIndex[description] = index
        return index
    }

    /// The entry that stops a call to `phone` (an E.164 number) or to the contact `contact`, at
    /// `now`: the contact's own, the number's, then the longest matching prefix.
    /// - Complexity: O(1) hash lookups, plus one per prefix length when prefixes are listed.
    public func match(phone: String?, contact: ContactID?, at now: Timestamp) -> DoNotCallEntry? {
        if let contact, let entry = contactEntries[contact], entry.isActive(at: now) { return entry }
        guard let phone else { return nil }
        if let entry = self[.phone(phone)], entry.isActive(at: now) { return entry }
        guard !prefixes.isEmpty else { return nil }
        // Prefixes are ASCII: decoding a cut inside a multi-byte character only yields a key no prefix has.
        var prefix = Substring(phone.utf8.count > longestPrefix ? String(decoding: phone.utf8.prefix(longestPrefix), as: UTF8.self) : phone)
        while prefix.utf8.count > 1 {
            if let entry = prefixes[String(prefix)], entry.isActive(at: now) { return entry }
            prefix = prefix.dropLast()
        }
        return nil
    }

    /// Every entry, numbers in ascending order after prefixes and contacts (for `DNC.LIST`, snapshots).
    public var entries: [DoNotCallEntry] {
        prefixEntries + contactEntries.values.sorted { $0.key < $1.key } + Array(numberEntries(after: nil))
    }

    /// Number entries in ascending order of their digits, those after `key` only.
    /// - Complexity: O(log n) to start, O(1) an entry.
    public func numberEntries(after key: UInt64?) -> LazyMapSequence<SortedIDs.SubSequence, DoNotCallEntry> {
        let keys = key.map { sortedNumbers.ids(after: $0) } ?? sortedNumbers[...]
        return keys.lazy.map { key in
            let description = descriptions[Int(numbers[key] ?? 0)]
            return DoNotCallEntry(target: .phone("+\(key)"), reason: description.reason, source: description.source, addedAt: description.addedAt,
                                  addedBy: description.addedBy, expiresAt: description.expiresAt)
        }
    }

    /// Contact entries in ascending id order.
    public var contactEntryList: [DoNotCallEntry] {
        contactEntries.keys.sorted().compactMap { contactEntries[$0] }
    }

    /// Entries that stopped applying before `now`.
    public func expired(at now: Timestamp) -> [DoNotCallEntry] {
        entries.filter { !$0.isActive(at: now) }
    }

    /// Every contact entry.
    public var contactIDs: [ContactID] { contactEntries.keys.sorted() }

    /// Prefix entries, for finding the contacts they cover.
    public var prefixEntries: [DoNotCallEntry] { prefixes.values.sorted { $0.key < $1.key } }

    /// Bytes the numbers' table occupies.
    public var memoryFootprint: Int { numbers.capacity * 12 + sortedNumbers.count * 8 }
}

extension DoNotCallList: Equatable {
    public static func == (left: DoNotCallList, right: DoNotCallList) -> Bool {
        left.entries == right.entries
    }
}
