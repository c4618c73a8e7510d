import TextIndex

/// The trigram index over contacts' name, email, company and phone digits, with the mapping from
/// contact ids to the dense document slots ``TrigramIndex`` works on.
public struct ContactTextIndex: Sendable {
    private var trigrams = TrigramIndex()
    private var suffixes = PhoneSuffixIndex()
    private var slotOfContact: [ContactID: UInt32] = [:]
    /// Slot → contact (0 for a removed contact). Slots are never reused: appending above the
    /// highest slot is O(1) in the trigram index, reusing one re-encodes a posting block.
    private var contactOfSlot: [ContactID] = []

    public init() {}

    public var count: Int { slotOfContact.count }

    /// The folded texts indexed for a contact: name, email, company (folded) and phone digits.
    static func fields(of contact: Contact) -> [String] {
        [
            TextFolding.fold(contact.name),
            contact.email.map(TextFolding.fold) ?? "",
            contact.company.map(TextFolding.fold) ?? "",
            TextFolding.digits(contact.phone),
        ]
    }

    /// Indexes a new contact or re-indexes a changed one.
    /// - Complexity: O(trigrams of its fields × log posting length).
    mutating func put(_ contact: Contact) {
        let fields = Self.fields(of: contact)
        if let slot = slotOfContact[contact.id] {
            if let old = trigrams.fields(of: slot), old != fields {
                trigrams.update(slot, fields: fields)
                if old[3] != fields[3] {
                    suffixes.remove(slot, digits: old[3])
                    suffixes.insert(slot, digits: fields[3])
                }
            }
            return
        }
        let slot = UInt32(contactOfSlot.count)
        contactOfSlot.append(contact.id)
        slotOfContact[contact.id] = slot
        trigrams.insert(slot, fields: fields)
        suffixes.insert(slot, digits: fields[3])
    }

    /// Indexes many new contacts at once (snapshot load, restore): the trigram index's bulk path,
    /// several times faster than one by one. Contacts already indexed are updated instead.
    mutating func putAll(_ contacts: some Sequence<Contact>) {
        // Batches of the trigram index's own batch size keep the folded texts of one batch alive
        // at a time, not of the whole load.
        var documents: [(doc: UInt32, fields: [String])] = []
        documents.reserveCapacity(Self.bulkBatch)
        for contact in contacts {
            if slotOfContact[contact.id] != nil {
                put(contact)
                continue
            }
            let slot = UInt32(contactOfSlot.count)
            contactOfSlot.append(contact.id)
            slotOfContact[contact.id] = slot
            let fields = Self.fields(of: contact)
            suffixes.insert(slot, digits: fields[3])
            documents.append((slot, fields))
            if documents.count == Self.bulkBatch {
                trigrams.insert(contentsOf: documents)
                documents.removeAll(keepingCapacity: true)
            }
        }
        trigrams.insert(contentsOf: documents)
    }

    static let bulkBatch = 16_384

    mutating func remove(_ id: ContactID) {
        guard let slot = slotOfContact.removeValue(forKey: id) else { return }
        if let old = trigrams.fields(of: slot) { suffixes.remove(slot, digits: old[3]) }
        trigrams.remove(slot)
        contactOfSlot[Int(slot)] = 0
    }

    /// Contact ids whose fields contain `text`, best first: name before email before company,
    /// exact field before prefix before word start before inner substring. Digits in the query
    /// are matched against phone digits whatever the punctuation (`(650) 253` finds +16502530000).
    public func search(_ text: String, limit: Int, where accept: (ContactID) -> Bool) -> [ContactID] {
        let folded = TextFolding.fold(text)
        guard !folded.isEmpty else { return [] }
        let digits = TextFolding.digits(text)
        let looksLikePhone = !digits.isEmpty && text.allSatisfy { $0.isNumber || " +-().".contains($0) }
        let queries: [String?] = looksLikePhone ? [nil, nil, nil, digits] : [folded, folded, folded, digits.count >= 3 && digits == folded ? digits : nil]
        let slots = contactOfSlot
        let matches = withoutActuallyEscaping(accept) { accept in
            trigrams.search(fieldQueries: queries, limit: limit) { slot in
                let id = slots[Int(slot)]
                return id != 0 && accept(id)
            }
        }
        return matches.map { contactOfSlot[Int($0.doc)] }
    }

    /// A ranked hit: the contact, its relevance score (lower is better) and its slot, which
    /// together order the results and make a stable cursor.
    public struct RankedHit: Sendable, Hashable {
        public var id: ContactID
        public var score: Int
        public var slot: UInt32
    }

    /// Ranked matches after the hit `after` (score, slot), best first; see ``search(_:limit:where:)``.
    public func rankedSearch(_ text: String, limit: Int, after: (score: Int, slot: UInt32)? = nil, where accept: (ContactID) -> Bool) -> [RankedHit] {
        let folded = TextFolding.fold(text)
        guard !folded.isEmpty else { return [] }
        let digits = TextFolding.digits(text)
        let looksLikePhone = !digits.isEmpty && text.allSatisfy { $0.isNumber || " +-().".contains($0) }
        let queries: [String?] = looksLikePhone ? [nil, nil, nil, digits] : [folded, folded, folded, digits.count >= 3 && digits == folded ? digits : nil]
        var previous: TrigramIndex.Match?
        if let after, let kind = TrigramIndex.MatchKind(rawValue: after.score / 4) {
            previous = TrigramIndex.Match(doc: after.slot, field: after.score % 4, kind: kind)
        }
        let slots = contactOfSlot
        let matches = withoutActuallyEscaping(accept) { accept in
            trigrams.search(fieldQueries: queries, limit: limit, after: previous) { slot in
                let id = slots[Int(slot)]
                return id != 0 && accept(id)
            }
        }
        return matches.map { RankedHit(id: contactOfSlot[Int($0.doc)], score: $0.score, slot: $0.doc) }
    }

    /// Contacts whose phone ends with `digits` (4–12), for caller id arriving without a country code.
    /// - Complexity: about O(log n) in the contacts sharing the last four digits.
    public func phoneSuffix(_ digits: String, limit: Int) -> [ContactID] {
        suffixes.lookup(suffix: digits, limit: limit).map { contactOfSlot[Int($0)] }.filter { $0 != 0 }
    }

    /// The folded name the index holds for a contact (sorting by name reuses it).
    public func foldedName(of id: ContactID) -> String? {
        slotOfContact[id].flatMap { trigrams.fields(of: $0)?.first }
    }

    /// The folded name as UTF-8 bytes, for sorting by name.
    public func foldedNameBytes(of id: ContactID) -> [UInt8]? {
        slotOfContact[id].flatMap { trigrams.fieldBytes(0, of: $0) }
    }

    /// Bytes the index holds, approximately.
    public var memoryFootprint: Int { trigrams.memoryFootprint + suffixes.memoryFootprint + slotOfContact.count * 24 + contactOfSlot.count * 8 }

    /// Checks the index against the contacts, for tests.
    func _checkInvariants(against contacts: [ContactID: Contact]) -> [String] {
        var problems: [String] = []
        if slotOfContact.count != contacts.count { problems.append("text index holds \(slotOfContact.count) contacts, store \(contacts.count)") }
        for (id, contact) in contacts {
            guard let slot = slotOfContact[id] else { problems.append("contact \(id) missing from text index"); continue }
            if contactOfSlot[Int(slot)] != id { problems.append("slot \(slot) maps to \(contactOfSlot[Int(slot)]), not \(id)") }
            if trigrams.fields(of: slot) != Self.fields(of: contact) { problems.append("text index fields of \(id) are stale") }
        }
        do { try trigrams._checkInvariants() } catch { problems.append("trigram index: \(error)") }
        do { try suffixes._checkInvariants() } catch { problems.append("suffix index: \(error)") }
        if suffixes.count != slotOfContact.count { problems.append("suffix index holds \(suffixes.count) phones, store \(slotOfContact.count)") }
        return problems
    }
}
