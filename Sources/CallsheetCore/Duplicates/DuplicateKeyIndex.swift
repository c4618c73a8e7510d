import ChunkedCollections
import TextIndex

/// The blocking keys of every contact (each name token with the initials of the others,
/// nicknames' initials too, ``NameKeys/nameKeys(written:canonical:into:)``; and the email),
/// kept exact under every write, so that the check a write makes finds the same address and the
/// fuzzy forms of a name (typos, initials, nicknames, token order) by a few lookups instead of
/// text searches that walk a common surname's postings.
///
/// Each key lists its contacts in name order (the first eight bytes of the sorted canonical
/// name, as a scan's sorted neighbourhood): a key held by few contacts gives them all; a common
/// one (`smith|j` among a million) gives the contacts nearest the probe's name, as the scan
/// compares a large block's neighbours. Not in snapshots: rebuilt from the contacts. A load of
/// a snapshot's table leaves them to build (``deferred(from:)``): the shard builds them off its
/// actor after it answers its first command, and until then the index records what writes
/// change and a write's check searches text instead (as `DUP.CHECK` does).
///
/// Sharded (``ShardedDictionary``), so that a copy of the organization costs O(1) and the next
/// write after it copies one shard.
public struct DuplicateKeyIndex: Sendable, Equatable {
    /// A contact in a key's list: its place in name order, then its id.
    struct Entry: Sendable, Hashable, Comparable {
        var order: UInt64
        var id: ContactID
        static func < (a: Entry, b: Entry) -> Bool { (a.order, a.id) < (b.order, b.id) }
    }

    /// Most keys are held by one contact: it is stored inline, without an array.
    enum Postings: Sendable, Equatable {
        case one(Entry)
        case many([Entry])

        var count: Int {
            switch self {
            case .one: 1
            case .many(let entries): entries.count
            }
        }
    }

    /// A key held by at most this many contacts gives them all to a check.
    public static let wholeKey = 48
    /// Of a commoner key, a check takes this many contacts on each side of the probe's name.
    public static let neighbours = 8

    private(set) var postings = ShardedDictionary<UInt64, Postings>()
    /// Set while the keys are not built yet (``deferred(from:)``).
    private(set) var deferred: Deferred?

    public init() {}

    /// Keys left to build from `table` (a load of a snapshot's table, which would otherwise
    /// spend about 3.8 µs a contact on them before the organization answers anything).
    static func deferred(from table: ContactSlots) -> DuplicateKeyIndex {
        var index = DuplicateKeyIndex()
        index.deferred = Deferred(base: table)
        return index
    }

    /// The keys to be built and what was written since: the contacts the keys are to be built
    /// from (`base`, a copy that costs O(1)), and each contact written since as it is now.
    struct Deferred: Sendable {
        /// Tells one deferral from another, so a build started before a state was replaced is not adopted by the new one.
        final class Marker: Sendable {}
        enum Latest: Sendable {
            case present(Contact)
            case removed
        }

        let marker = Marker()
        let base: ContactSlots
        var written: [ContactID: Latest] = [:]
    }

    /// Writes recorded while deferred before the keys are built on the spot instead (a journal
    /// replayed after the snapshot holding a large import, say): what is recorded is whole contacts.
    public static let deferredWriteLimit = 20_000

    /// True once the keys are built (always, but for a while after a snapshot load).
    public var isBuilt: Bool { deferred == nil }

    /// What a build off the shard needs: the table to build from and the deferral it is for.
    public var pendingBuild: (table: ContactSlots, marker: AnyObject)? {
        deferred.map { ($0.base, $0.marker) }
    }

    /// Adopts keys built from ``pendingBuild``'s table, brought up to date with the writes
    /// recorded since; nothing when they were built for another deferral (or built already).
    public mutating func adopt(_ built: DuplicateKeyIndex, for marker: AnyObject) {
        guard let deferred, deferred.marker === marker, built.isBuilt else { return }
        self = built
        catchUp(with: deferred)
    }

    /// Builds the deferred keys here and now.
    mutating func build() {
        guard let deferred else { return }
        self = Self.built(from: deferred.base)
        catchUp(with: deferred)
    }

    private mutating func catchUp(with deferred: Deferred) {
        for (id, latest) in deferred.written {
            if let old = deferred.base[id] { remove(old) }
            if case .present(let contact) = latest { insert(contact) }
        }
    }

    /// Records a write while deferred; true when it was recorded (the caller is done).
    private mutating func recordDeferred(_ id: ContactID, _ latest: Deferred.Latest) -> Bool {
        guard deferred != nil else { return false }
        deferred!.written[id] = latest
        if deferred!.written.count > Self.deferredWriteLimit { build() }
        return true
    }

    /// Equal keys, built or not (a deferred side is built for the comparison).
    public static func == (lhs: DuplicateKeyIndex, rhs: DuplicateKeyIndex) -> Bool {
        guard lhs.isBuilt, rhs.isBuilt else {
            var left = lhs, right = rhs
            left.build()
            right.build()
            return left == right
        }
        return lhs.postings == rhs.postings
    }

    /// The keys of a contact as stored, and its place in name order: its name's, and its email's
    /// lower-cased and with Gmail's rules (``DuplicateProfile/normalizedEmail(_:gmail:)``), so
    /// that a check finds the address whichever way the organization's setting says to compare.
    static func keys(of contact: Contact) -> (keys: [UInt64], order: UInt64) {
        let tokens = NameProfile.tokens(ofFolded: TextFolding.fold(contact.name))
        let canonical = tokens.map { Nicknames.canonical[$0] ?? $0 }
        var emails: [String] = []
        if let email = contact.email {
            let lowered = email.lowercased()
            emails.append(lowered)
            let normalized = DuplicateProfile.normalizedEmail(lowered: lowered, gmail: true)
            if normalized != lowered { emails.append(normalized) }
        }
        return keys(written: tokens, canonical: canonical, sortedJoined: NameProfile.joinedBytes(canonical.sorted()), emails: emails)
    }

    /// The keys a check looks up for a profile (its email as the settings normalized it).
    static func keys(of profile: DuplicateProfile, email: Bool, names: Bool) -> (keys: [UInt64], order: UInt64) {
        keys(written: names ? profile.name.tokens : [], canonical: names ? profile.name.canonical : [], sortedJoined: profile.name.sortedJoined,
             emails: email ? profile.email.map { [$0] } ?? [] : [])
    }

    private static func keys(written: [String], canonical: [String], sortedJoined: [UInt8], emails: [String]) -> (keys: [UInt64], order: UInt64) {
        var keys: [UInt64] = []
        for email in emails { keys.append(NameKeys.hash(1, bytes: email.utf8)) }
        NameKeys.nameKeys(written: written, canonical: canonical, into: &keys)
        keys.sort()
        var unique = 0
        for index in keys.indices where index == 0 || keys[index] != keys[unique - 1] {
            keys[unique] = keys[index]
            unique += 1
        }
        keys.removeLast(keys.count - unique)
        var order: UInt64 = 0
        for index in 0..<8 { order = order << 8 | UInt64(index < sortedJoined.count ? sortedJoined[index] : 0) }
        return (keys, order)
    }

    /// Adds a contact under its keys (again: no change).
    /// - Complexity: O(keys × (1 + the key's contacts)) for the sorted insertion.
    mutating func insert(_ contact: Contact) {
        if recordDeferred(contact.id, .present(contact)) { return }
        let (keys, order) = Self.keys(of: contact)
        let entry = Entry(order: order, id: contact.id)
        for key in keys {
            switch postings.removeValue(forKey: key) {
            case nil:
                postings[key] = .one(entry)
            case .one(let other)?:
                postings[key] = other == entry ? .one(other) : .many(other < entry ? [other, entry] : [entry, other])
            case .many(var entries)?:
                let position = entries.partitioningIndex { $0 >= entry }
                if position == entries.count || entries[position] != entry { entries.insert(entry, at: position) }
                postings[key] = .many(entries)
            }
        }
    }

    /// Adds many contacts at once (a load, an import's run of new contacts): their keys sorted,
    /// then each key's run merged into its list in one pass, instead of one sorted insertion per
    /// contact into a common key's long list.
    /// - Complexity: O(k log k) for the k keys of `contacts`, plus O(length) per list they reach.
    mutating func insertAll(_ contacts: some Sequence<Contact>) {
        if let deferred {
            // A large run (an import replayed after the snapshot) is keyed in bulk instead.
            guard deferred.written.count + contacts.underestimatedCount > Self.deferredWriteLimit else {
                for contact in contacts { insert(contact) }
                return
            }
            build()
        }
        var pairs: [(key: UInt64, entry: Entry)] = []
        for contact in contacts {
            let (keys, order) = Self.keys(of: contact)
            let entry = Entry(order: order, id: contact.id)
            for key in keys { pairs.append((key, entry)) }
        }
        pairs.sort { $0.key < $1.key || ($0.key == $1.key && $0.entry < $1.entry) }
        var start = 0
        while start < pairs.count {
            let key = pairs[start].key
            var end = start + 1
            while end < pairs.count, pairs[end].key == key { end += 1 }
            var run = pairs[start..<end].map(\.entry)
            switch postings.removeValue(forKey: key) {
            case nil: break
            case .one(let entry)?: run = Self.merged([entry], run)
            case .many(let entries)?: run = Self.merged(entries, run)
            }
            postings[key] = run.count == 1 ? .one(run[0]) : .many(run)
            start = end
        }
    }

    /// Two sorted lists as one, without repeats.
    private static func merged(_ a: [Entry], _ b: [Entry]) -> [Entry] {
        var result: [Entry] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            let next: Entry
            if j == b.count || (i < a.count && a[i] < b[j]) {
                next = a[i]
                i += 1
            } else {
                next = b[j]
                j += 1
            }
            if result.last != next { result.append(next) }
        }
        return result
    }

    /// Removes a contact from its keys (`contact` as it was stored).
    mutating func remove(_ contact: Contact) {
        if recordDeferred(contact.id, .removed) { return }
        let (keys, order) = Self.keys(of: contact)
        let entry = Entry(order: order, id: contact.id)
        for key in keys {
            switch postings.removeValue(forKey: key) {
            case nil:
                break
            case .one(let other)?:
                if other != entry { postings[key] = .one(other) }
            case .many(var entries)?:
                let position = entries.partitioningIndex { $0 >= entry }
                if position < entries.count, entries[position] == entry { entries.remove(at: position) }
                postings[key] = entries.count == 1 ? .one(entries[0]) : .many(entries)
            }
        }
    }

    /// The contacts sharing a key with `profile` (its email's with `email`, its name's with
    /// `names`): every contact
    /// of a key held by at most ``wholeKey``, the ``neighbours`` on each side of the name's place
    /// in a commoner key.
    /// - Complexity: O(keys × (wholeKey + log of a common key's contacts)).
    func candidates(of profile: DuplicateProfile, email: Bool, names: Bool, _ body: (ContactID) -> Void) {
        let (keys, order) = Self.keys(of: profile, email: email, names: names)
        let probe = Entry(order: order, id: 0)
        for key in keys {
            switch postings[key] {
            case nil: break
            case .one(let entry)?: body(entry.id)
            case .many(let entries)?:
                if entries.count <= Self.wholeKey {
                    for entry in entries { body(entry.id) }
                } else {
                    let position = entries.partitioningIndex { $0 >= probe }
                    for entry in entries[max(0, position - Self.neighbours)..<min(entries.count, position + Self.neighbours)] { body(entry.id) }
                }
            }
        }
    }

    /// How many contacts hold `key` (tests).
    func count(of key: UInt64) -> Int { postings[key]?.count ?? 0 }

    /// The index rebuilt from `contacts`, for ``_checkInvariants()``: maintained and rebuilt
    /// must be equal after any sequence of writes, undos and loads.
    public static func rebuilt(from contacts: ContactSlots) -> DuplicateKeyIndex {
        var index = DuplicateKeyIndex()
        for contact in contacts { index.insert(contact) }
        return index
    }

    /// As ``rebuilt(from:)``, in bulk (``insertAll(_:)``): what a load does.
    public static func built(from contacts: ContactSlots) -> DuplicateKeyIndex {
        var index = DuplicateKeyIndex()
        index.insertAll(contacts)
        return index
    }

    /// Every list sorted and without repeats, and no empty one.
    func _checkShape() -> [String] {
        var problems: [String] = []
        for (key, value) in postings {
            if case .many(let entries) = value {
                if entries.count < 2 { problems.append("key \(key) holds \(entries.count) contacts in a list") }
                if zip(entries, entries.dropFirst()).contains(where: { !($0 < $1) }) { problems.append("key \(key)'s contacts are out of order") }
            }
        }
        return problems
    }
}
