/// `CONTACT.MERGE`: several contacts become one (docs/PROTOCOL.md, "Duplicates and merge").
extension OrganizationState {
    /// The most contacts one merge takes (the primary and up to 49 others).
    public static let maximumMerge = 50

    /// Fields `KEEP <field>=<id>` may name, besides custom fields.
    static let keepableFields: Set<String> = ["name", "phone", "email", "company", "notes"]

    /// Plans merging `others` into `primary`: one change set (the survivor's patch, each other
    /// contact archived with `merged_into`, and the undo entry that `MERGE.LOG` lists and
    /// `CONTACT.UNMERGE` reverses).
    ///
    /// The survivor keeps the primary's values unless `keep` picks another contact's for a field;
    /// email, company and custom fields several contacts hold follow the organization's conflict
    /// rule; tags are the union (so a `DNC` tag on any of them stays); every note is kept, marked
    /// with the contact it came from; call counts add up and the latest call wins. A `KEEP phone`
    /// swaps the two contacts' numbers, so both still lead to the survivor.
    /// - Throws: `NOT_FOUND` for a contact the caller cannot see, `CONFLICT` for an archived or
    ///   already merged one, `BAD_REQUEST` for a bad `KEEP`, `LIMIT` when the notes or tags together
    ///   exceed what one contact holds. Nothing changes then.
    public func planMerge(
        primary: ContactID, others: [ContactID], keep: [(String, ContactID)], rule: String = "manual", score: Int = 0,
        by caller: Caller, context: PlanningContext
    ) throws(CallsheetError) -> (changes: [Change], survivor: Contact, entry: UndoEntry) {
        try caller.require(.manager, for: "CONTACT.MERGE")
        guard !others.isEmpty else { throw CallsheetError(.wrongArguments, "CONTACT.MERGE needs the primary and at least one other contact") }
        guard others.count < Self.maximumMerge else { throw CallsheetError(.limit, "CONTACT.MERGE takes at most \(Self.maximumMerge) contacts, got \(others.count + 1)") }
        var seen: Set<ContactID> = [primary]
        for id in others where !seen.insert(id).inserted {
            throw CallsheetError(.badRequest, "CONTACT.MERGE: contact \(id) is named twice")
        }
        func mergeable(_ id: ContactID) throws(CallsheetError) -> Contact {
            let contact = try visibleContact(id, for: caller)
            if let survivor = contact.mergedInto { throw CallsheetError(.conflict, "contact \(id) was already merged into \(survivor)") }
            guard contact.archivedAt == nil else { throw CallsheetError(.conflict, "contact \(id) is archived; CONTACT.RESTORE it before merging") }
            return contact
        }
        let first = try mergeable(primary)
        var rest: [Contact] = []
        for id in others { rest.append(try mergeable(id)) }
        let all = [first] + rest
        var picks: [String: ContactID] = [:]
        for (field, id) in keep {
            guard seen.contains(id) else { throw CallsheetError(.badRequest, "CONTACT.MERGE: KEEP \(field)=\(id) names a contact that is not part of the merge") }
            let name = field.lowercased()
            let isCustom = fields[name].map { $0.isVisible(to: caller.role) && !$0.archived } ?? false
            guard Self.keepableFields.contains(name) || isCustom else {
                throw CallsheetError(.badRequest, "CONTACT.MERGE: KEEP takes name, phone, email, company, notes or a custom field, got '\(field.prefix(40))'")
            }
            picks[name] = id
        }
        let conflictRule = duplicateSettings.conflictRule
        var survivor = first
        var winners: [(String, ContactID)] = []
        func source(_ id: ContactID) -> Contact { all.first { $0.id == id }! }
        /// The contact whose value wins for a field, by KEEP or the conflict rule.
        func winner(_ field: String, has: (Contact) -> Bool) -> Contact? {
            if let id = picks[field] { return source(id) }
            let holders = all.filter(has)
            switch conflictRule {
            case .primary: return has(first) ? first : nil
            case .nonEmpty: return holders.first
            case .newest: return holders.max { ($0.updatedAt, $1.id) < ($1.updatedAt, $0.id) }
            case .oldest: return holders.min { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
            }
        }
        if let id = picks["name"] {
            survivor.name = source(id).name
            winners.append(("name", id))
        }
        if let id = picks["email"] ?? winner("email", has: { $0.email != nil })?.id {
            survivor.email = source(id).email
            if id != primary || picks["email"] != nil { winners.append(("email", id)) }
        } else {
            survivor.email = nil
        }
        if let id = picks["company"] ?? winner("company", has: { $0.company != nil })?.id {
            survivor.company = source(id).company
            if id != primary || picks["company"] != nil { winners.append(("company", id)) }
        } else {
            survivor.company = nil
        }
        var customNames = Set<String>()
        for contact in all { customNames.formUnion(contact.customFields.keys) }
        for name in customNames.sorted() {
            if let from = winner(name, has: { $0.customFields[name] != nil }) {
                survivor.customFields[name] = from.customFields[name]
                if from.id != primary || picks[name] != nil { winners.append(("custom_fields." + name, from.id)) }
            } else {
                survivor.customFields[name] = nil
            }
        }
        survivor.tags = canonicalTags(all.flatMap(\.tags))
        guard survivor.tags.count <= ContactText.maximumTags else {
            throw CallsheetError(.limit, "CONTACT.MERGE: the contacts carry \(survivor.tags.count) tags together; one contact holds at most \(ContactText.maximumTags). Remove some first; nothing changed")
        }
        var notes: [String] = []
        let notesFrom = picks["notes"].map(source) ?? first
        if let text = notesFrom.notes { notes.append(text) }
        for contact in all where contact.id != notesFrom.id {
            guard let text = contact.notes, !text.isEmpty else { continue }
            notes.append("[merged from contact \(contact.id), \(contact.name)] \(text)")
        }
        survivor.notes = notes.isEmpty ? nil : notes.joined(separator: "\n\n")
        if let text = survivor.notes, !ContactText.notesLimit.admits(text) {
            throw CallsheetError(.limit, "CONTACT.MERGE: the contacts' notes together exceed \(ContactText.notesLimit.bytes) bytes, what one contact holds; shorten them first; nothing changed")
        }
        if picks["notes"] != nil { winners.append(("notes", notesFrom.id)) }
        survivor.totalCalls = min(all.reduce(0) { $0 + $1.totalCalls }, 1 << 53)
        if let latest = all.filter({ $0.lastCalledAt != nil }).max(by: { ($0.lastCalledAt!, $1.id) < ($1.lastCalledAt!, $0.id) }) {
            survivor.lastCalledAt = latest.lastCalledAt
            survivor.lastCallOutcome = latest.lastCallOutcome
        }
        survivor.updatedAt = context.now
        var archived = rest.map { contact -> Contact in
            var contact = contact
            contact.archivedAt = context.now
            contact.mergedInto = primary
            contact.updatedAt = context.now
            return contact
        }
        if let id = picks["phone"], id != primary, let index = archived.firstIndex(where: { $0.id == id }) {
            // The two numbers change hands; both still lead to the survivor.
            (survivor.phone, archived[index].phone) = (archived[index].phone, survivor.phone)
            (survivor.phoneExtension, archived[index].phoneExtension) = (archived[index].phoneExtension, survivor.phoneExtension)
            winners.append(("phone", id))
        }
        var steps: [UndoEntry.Step] = []
        for (old, new) in zip(all, [survivor] + archived) {
            guard let patch = ContactPatch(from: old, to: new) else { continue }
            steps.append(UndoEntry.Step(forward: .patchContact(patch), inverse: .patchContact(patch.undo(on: old))))
        }
        // Each merged contact's calls move to the survivor (UNMERGE moves them back).
        for contact in rest {
            let ids = calls.ids(of: contact.id)
            guard !ids.isEmpty else { continue }
            steps.append(UndoEntry.Step(
                forward: .moveCalls(ids, merged: contact.id, survivor: primary, toSurvivor: true),
                inverse: .moveCalls(ids, merged: contact.id, survivor: primary, toSurvivor: false)))
        }
        let summary = "CONTACT.MERGE \(primary) " + others.map(String.init).joined(separator: " ")
        let entry = UndoEntry(
            id: nextUndoID, kind: .merge, summary: summary, userID: caller.userID, userName: caller.name, createdAt: context.now,
            departments: Array(Set(all.map(\.departmentID))).sorted(), steps: steps, merge: UndoEntry.Merge(survivor: primary, merged: others, rule: rule, score: score, winners: winners))
        let changes = steps.map(\.forward) + [.putUndo(entry)] + expiredUndoEntries(now: context.now)
        return (changes, survivor, entry)
    }
}
