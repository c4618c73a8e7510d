import ChunkedCollections
import TextIndex

/// The trigram index over contacts' name, email, company and phone digits, with the mapping from
/// contact ids to the dense document slots ``TrigramIndex`` works on.
public struct ContactTextIndex: Sendable {
    var trigrams = TrigramIndex()
    var suffixes = PhoneSuffixIndex()
    var slotOfContact = ShardedDictionary<ContactID, UInt32>()
    /// Slot → contact (0 for a removed contact). Slots are never reused: appending above the
    /// highest slot is O(1) in the trigram index, reusing one re-encodes a posting block.
    var contactOfSlot = ChunkedArray<ContactID>()

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
    /// A query of several words also finds contacts holding every word in any order and any
    /// field (`garcia jose` finds José García), ranked after those holding the words as written.
    public func search(_ text: String, limit: Int, where accept: (ContactID) -> Bool) -> [ContactID] {
        rankedSearch(text, limit: limit, where: accept).map(\.id)
    }

    /// A ranked hit: the contact, its relevance score (lower is better) and its slot, which
    /// together order the results and make a stable cursor.
    public struct RankedHit: Sendable, Hashable {
        public var id: ContactID
        public var score: Int
        public var slot: UInt32
    }

    /// Scores of the second phase (every word, any order) start here, after every phrase score.
    static let wordsPhase = 1_000

    /// How a query runs: the phrase's queries per field (name, email, company, phone digits) and,
    /// for several words, the word that drives the second phase and the words it must also find.
    private struct QueryPlan {
        var phrase: [String?]
        var words: (driver: [String?], others: [[UInt8]])?
    }

    private static func plan(_ text: String) -> QueryPlan? {
        let folded = TextFolding.fold(text)
        guard !folded.isEmpty else { return nil }
        let digits = TextFolding.digits(text)
        let looksLikePhone = !digits.isEmpty && text.allSatisfy { $0.isNumber || " +-().".contains($0) }
        if looksLikePhone { return QueryPlan(phrase: [nil, nil, nil, digits]) }
        func queries(_ words: String) -> [String?] {
            let digits = TextFolding.digits(words)
            return [words, words, words, digits.count >= 3 && digits == words ? digits : nil]
        }
        var plan = QueryPlan(phrase: queries(folded))
        var words = folded.split(separator: " ").map(String.init)
        if words.count > 1 {
            // The longest word has the shortest posting lists; every other word is checked on
            // the candidates it yields.
            var longest = 0
            for index in words.indices where words[index].utf8.count > words[longest].utf8.count { longest = index }
            let driver = words.remove(at: longest)
            plan.words = (queries(driver), words.map { Array($0.utf8) })
        }
        return plan
    }

    /// Contacts holding `text` as written (folded) in a field, best first: the first phase of
    /// ``rankedSearch(_:limit:after:where:)`` alone, which intersects the text's trigrams and so
    /// costs little for a selective text (a full name, an address) however large the organization.
    public func phraseSearch(_ text: String, limit: Int, where accept: (ContactID) -> Bool) -> [ContactID] {
        guard let plan = Self.plan(text), limit > 0 else { return [] }
        let slots = contactOfSlot
        return withoutActuallyEscaping(accept) { accept in
            trigrams.search(fieldQueries: plan.phrase, limit: limit, after: nil) { slot in
                let id = slots[Int(slot)]
                return id != 0 && accept(id)
            }.map { slots[Int($0.doc)] }
        }
    }

    /// Ranked matches after the hit `after` (score, slot), best first; see ``search(_:limit:where:)``.
    ///
    /// Two phases, each in the index's ranking: contacts holding the text as written, then (for
    /// several words) the other contacts holding every word. Scores of the second phase are
    /// offset by ``wordsPhase``, so a cursor says which phase it is in.
    public func rankedSearch(_ text: String, limit: Int, after: (score: Int, slot: UInt32)? = nil, where accept: (ContactID) -> Bool) -> [RankedHit] {
        guard let plan = Self.plan(text), limit > 0 else { return [] }
        let slots = contactOfSlot
        func previous(_ score: Int, _ slot: UInt32) -> TrigramIndex.Match? {
            TrigramIndex.MatchKind(rawValue: score / 4).map { TrigramIndex.Match(doc: slot, field: score % 4, kind: $0) }
        }
        var hits: [RankedHit] = []
        let inWordsPhase = (after?.score ?? 0) >= Self.wordsPhase
        withoutActuallyEscaping(accept) { accept in
            if !inWordsPhase {
                let matches = trigrams.search(fieldQueries: plan.phrase, limit: limit, after: after.flatMap { previous($0.score, $0.slot) }) { slot in
                    let id = slots[Int(slot)]
                    return id != 0 && accept(id)
                }
                hits = matches.map { RankedHit(id: slots[Int($0.doc)], score: $0.score, slot: $0.doc) }
            }
            guard hits.count < limit, let words = plan.words else { return }
            let phrase = plan.phrase[0].map { Array($0.utf8) } ?? []
            let resume = inWordsPhase ? after.flatMap { previous($0.score - Self.wordsPhase, $0.slot) } : nil
            let matches = trigrams.search(fieldQueries: words.driver, limit: limit - hits.count, after: resume) { slot in
                let id = slots[Int(slot)]
                guard id != 0 else { return false }
                // Holding the phrase itself means the first phase listed it already.
                if !phrase.isEmpty, trigrams.anyField(of: slot, among: 3, contains: phrase) { return false }
                for word in words.others where !trigrams.anyField(of: slot, among: 4, contains: word) { return false }
                return accept(id)
            }
            hits += matches.map { RankedHit(id: slots[Int($0.doc)], score: Self.wordsPhase + $0.score, slot: $0.doc) }
        }
        return hits
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

    /// The folded name, email, company and phone digits the index holds for a contact.
    public func foldedFields(of id: ContactID) -> [String]? {
        slotOfContact[id].flatMap { trigrams.fields(of: $0) }
    }

    /// The folded name as UTF-8 bytes, for sorting by name.
    public func foldedNameBytes(of id: ContactID) -> [UInt8]? {
        slotOfContact[id].flatMap { trigrams.fieldBytes(0, of: $0) }
    }

    /// Bytes the index holds, approximately.
    public var memoryFootprint: Int { trigrams.memoryFootprint + suffixes.memoryFootprint + slotOfContact.capacity * 24 * 9 / 8 + contactOfSlot.memoryFootprint }

    /// Checks the index against the contacts, for tests.
    func _checkInvariants(against contacts: ContactSlots) -> [String] {
        var problems: [String] = []
        if slotOfContact.count != contacts.count { problems.append("text index holds \(slotOfContact.count) contacts, store \(contacts.count)") }
        for contact in contacts {
            let id = contact.id
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
