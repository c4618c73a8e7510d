import TextIndex

/// The trigram index over contacts' name, email, company and phone digits, with the mapping from
/// contact ids to the dense document slots ``TrigramIndex`` works on.
public struct ContactTextIndex: Sendable {
    private var trigrams = TrigramIndex()
    private var slotOfContact: [ContactID: UInt32] = [:]
    private var contactOfSlot: [ContactID] = []
    private var freeSlots: [UInt32] = []

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
            if trigrams.fields(of: slot) != fields { trigrams.update(slot, fields: fields) }
            return
        }
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
            contactOfSlot[Int(slot)] = contact.id
        } else {
            slot = UInt32(contactOfSlot.count)
            contactOfSlot.append(contact.id)
        }
        slotOfContact[contact.id] = slot
        trigrams.insert(slot, fields: fields)
    }

    mutating func remove(_ id: ContactID) {
        guard let slot = slotOfContact.removeValue(forKey: id) else { return }
        trigrams.remove(slot)
        contactOfSlot[Int(slot)] = 0
        freeSlots.append(slot)
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

    /// Bytes the index holds, approximately.
    public var memoryFootprint: Int { trigrams.memoryFootprint + slotOfContact.count * 24 + contactOfSlot.count * 8 }

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
        return problems
    }
}
