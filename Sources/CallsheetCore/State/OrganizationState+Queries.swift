import TextIndex

/// Read-side queries: phone lookup, listing, quick search, counts, tags.
extension OrganizationState {
    /// The contact id for a phone written in any format. Canonical E.164 input skips libphonenumber.
    /// - Complexity: O(1) hash lookup, plus one libphonenumber parse when the input is not E.164.
    public func contactID(byPhone text: String, context: PlanningContext) throws(CallsheetError) -> ContactID? {
        if let id = phoneIndex[text] { return id }
        // Read leniently whatever the organization's validation setting: a number stored while
        // validation was relaxed (`possible`) must still be found once it is strict again.
        do {
            return phoneIndex[try context.phones.parse(text, defaultRegion: organization.defaultRegion, validation: .possible).e164]
        } catch {
            throw CallsheetError(.invalidPhone, error.message)
        }
    }

    /// `CONTACT.CALLERID`: up to `limit` contacts the caller may see whose phone ends with `digits`.
    /// Scope is applied before the limit, so other departments' numbers with the same ending
    /// neither crowd out the caller's own nor change how many are shown.
    /// - Complexity: O(phones ending with the digits' last four, and the digits before them).
    ///
    /// Matches come in id order, a page of `limit` after the contact `after`, with a cursor when
    /// a contact the caller may see follows. Scope is applied before the page is cut, so neither
    /// the page nor its cursor says anything about other departments' contacts.
    public func callerIDMatches(_ digits: String, limit: Int, after: ContactID? = nil, for caller: Caller) -> SearchPage {
        let visible = textIndex.phoneSuffix(digits, limit: .max)
            .filter { id in id > (after ?? 0) && (contacts[id].map(caller.canSee) ?? false) }
            .sorted()
        let shown = visible.prefix(limit)
        return SearchPage(contacts: shown.compactMap { contacts[$0] },
                          nextCursor: visible.count > limit ? shown.last.map { "i\($0)" } : nil)
    }

    /// A page of contacts in id order after `cursor`: `{"contacts": […], "next_cursor": "…"|null}`.
    /// - Complexity: O(log n + scanned), where scanned stops at the visible contact after the page's `limit`.
    public func listJSON(after cursor: ContactID?, limit: Int, archived: ArchivedFilter, for caller: Caller) -> [UInt8] {
        var json = JSONWriter(capacity: 256 * limit)
        json.openObject()
        json.key("contacts", first: true)
        json.openArray()
        var written = 0
        var last: ContactID?
        var more = false
        for id in orderedIDs.ids(after: cursor ?? 0) {
            guard let contact = contacts[id], caller.canSee(contact), archived.includes(contact) else { continue }
            // A cursor only when a contact the caller may see follows: other departments' later
            // contacts must not show as a next page that turns out empty.
            if written == limit { more = true; break }
            if written > 0 { json.comma() }
            writeContact(contact, for: caller.role, into: &json)
            written += 1
            last = id
        }
        json.closeArray()
        json.key("next_cursor")
        if let last, more { json.string(String(last)) } else { json.raw("null") }
        json.closeObject()
        return json.bytes
    }

    /// Contacts whose name, email, company or phone digits contain `text`, best matches first.
    public func search(_ text: String, limit: Int, for caller: Caller, includeArchived: Bool = false) -> [Contact] {
        let ids = textIndex.search(text, limit: limit) { id in
            guard let contact = contacts[id] else { return false }
            return caller.canSee(contact) && (includeArchived || contact.archivedAt == nil)
        }
        return ids.compactMap { contacts[$0] }
    }

    /// `CONTACT.SEARCH` reply: `{"contacts": […], "count": n}`.
    public func searchJSON(_ text: String, limit: Int, for caller: Caller) -> [UInt8] {
        let found = search(text, limit: limit, for: caller)
        var json = JSONWriter(capacity: 256 * max(found.count, 1))
        json.openObject()
        json.key("contacts", first: true)
        json.openArray()
        for (position, contact) in found.enumerated() {
            if position > 0 { json.comma() }
            writeContact(contact, for: caller.role, into: &json)
        }
        json.closeArray()
        json.key("count")
        json.integer(Int64(found.count))
        json.closeObject()
        return json.bytes
    }

    /// Active and archived contacts the caller can see.
    public func countVisible(for caller: Caller) -> (active: Int, archived: Int) {
        if caller.role == .admin {
            return (contacts.count - contacts.archivedCount, contacts.archivedCount)
        }
        let ids = caller.departmentID.flatMap { departmentIndex[$0] } ?? []
        let archived = ids.lazy.filter { contacts.isArchived($0) == true }.count
        return (ids.count - archived, archived)
    }

    /// `TAG.LIST`: every tag with its contact count in the caller's scope, by name.
    public func tagListJSON(for caller: Caller) -> JSONValue {
        var rows: [JSONValue] = []
        for key in tagIndex.keys.sorted() {
            guard let ids = tagIndex[key], let display = tagDisplay[key] else { continue }
            let count: Int
            if caller.role == .admin {
                count = ids.count
            } else if let department = caller.departmentID, let own = departmentIndex[department] {
                count = ids.count < own.count ? ids.lazy.filter { own.contains($0) }.count : own.lazy.filter { ids.contains($0) }.count
            } else {
                count = 0
            }
            if count > 0 { rows.append(.object([("tag", .string(display)), ("contacts", .integer(Int64(count)))])) }
        }
        return .array(rows)
    }
}
