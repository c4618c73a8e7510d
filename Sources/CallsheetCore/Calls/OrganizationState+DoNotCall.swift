#if canImport(Glibc)
import Glibc
#endif

/// Do-not-call and consent: `DNC.*`, `CONSENT.*`, and whether a contact may be called
/// (docs/PROTOCOL.md, "Do-not-call and consent").
extension OrganizationState {
    /// The tag that marks a do-not-call contact, kept in step with the list: `DNC.ADD` and a
    /// listed number set it, `DNC.REMOVE` clears it, and a contact tagged by hand is treated as listed.
    public static let doNotCallTag = "DNC"
    static let doNotCallKey = TagKey(doNotCallTag)!

    /// The wall clock, for renderings that say whether an entry still applies.
    public static func currentTime() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(spec.tv_sec) * 1000 + Timestamp(spec.tv_nsec / 1_000_000)
    }

    func hasDoNotCallTag(_ id: ContactID) -> Bool {
        tagIndex[Self.doNotCallKey]?.contains(id) ?? false
    }

    /// Why `contact` may not be called at `now` (`nil`: it may be): on the list, its consent to
    /// calls withdrawn, or archived.
    public func uncallableReason(_ contact: Contact, at now: Timestamp) -> String? {
        if let entry = doNotCall.match(phone: contact.phone, contact: contact.id, at: now) {
            return "is on the do-not-call list (\(entry.key)\(entry.reason.map { ": \($0)" } ?? ""))"
        }
        if contact.tags.contains(where: { TagKey($0) == Self.doNotCallKey }) { return "is tagged DNC" }
        if consents[contact.id]?.withdrawsCalls == true { return "withdrew consent to calls" }
        if contact.isArchived { return "is archived" }
        return nil
    }

    public func isDoNotCall(_ contact: Contact, at now: Timestamp) -> Bool {
        doNotCall.match(phone: contact.phone, contact: contact.id, at: now) != nil || hasDoNotCallTag(contact.id)
    }

    /// True when a dialer may call `contact` at `now`: not on the list, consent not withdrawn, not archived.
    public func isCallable(_ contact: Contact, at now: Timestamp) -> Bool {
        !contact.isArchived && !isDoNotCall(contact, at: now) && consents[contact.id]?.withdrawsCalls != true
    }

    /// `contact` with the `DNC` tag when the list covers its number or itself: a listed number
    /// added as a contact later is flagged at once, and the tag cannot be taken off while listed.
    func flaggingDoNotCall(_ contact: Contact, at now: Timestamp) -> Contact {
        guard doNotCall.count > 0, doNotCall.match(phone: contact.phone, contact: contact.id, at: now) != nil,
              !contact.tags.contains(where: { TagKey($0) == Self.doNotCallKey }) else { return contact }
        var flagged = contact
        flagged.tags = canonicalTags(contact.tags + [Self.doNotCallTag])
        return flagged
    }

    // MARK: DNC.ADD, DNC.REMOVE

    /// What a `DNC.ADD` or `DNC.REMOVE` argument names: `+15551234567` (or any phone format),
    /// `+1900*` (a prefix), or `contact:<id>`.
    public func doNotCallTarget(_ text: String, context: PlanningContext) throws(CallsheetError) -> DoNotCallEntry.Target {
        let lower = text.lowercased()
        if lower.hasPrefix("contact:") || lower.hasPrefix("id:") {
            guard let id = ContactID(lower.drop { $0 != ":" }.dropFirst()), id > 0 else {
                throw CallsheetError(.wrongArguments, "contact:<id> names a contact by its id, got '\(text.prefix(40))'")
            }
            return .contact(id)
        }
        if text.hasSuffix("*") {
            let digits = text.dropLast().filter { !" -().".contains($0) }
            guard digits.first == "+", (2...15).contains(digits.count - 1), digits.dropFirst().allSatisfy(\.isASCII), digits.dropFirst().allSatisfy(\.isNumber),
                  digits.dropFirst().first != "0" else {
                throw CallsheetError(.invalidPhone, "a prefix is '+', a country code and more digits, then '*' (e.g. +1900*), got '\(text.prefix(40))'")
            }
            return .prefix(String(digits))
        }
        return .phone(try parsePhone(text, context: context).e164)
    }

    /// Options of `DNC.ADD`.
    public struct DoNotCallOptions: Sendable, Hashable {
        public var reason: String?
        public var source: String?
        public var expiresAt: Timestamp?
        public init(reason: String? = nil, source: String? = nil, expiresAt: Timestamp? = nil) {
            self.reason = reason
            self.source = source
            self.expiresAt = expiresAt
        }
    }

    /// The contacts a target covers, archived ones included.
    /// - Complexity: O(1) for a number or contact; O(contacts) for a prefix, reading each
    ///   record's phone without decoding the contact (about 20 ns a contact), plus a decode per
    ///   contact covered.
    func contacts(coveredBy target: DoNotCallEntry.Target) -> [Contact] {
        switch target {
        case .phone(let phone): return phoneIndex[phone].flatMap { contacts[$0] }.map { [$0] } ?? []
        case .contact(let id): return contacts[id].map { [$0] } ?? []
        case .prefix(let prefix):
            let matcher = PhonePrefix(prefix)
            var ids: [ContactID] = []
            contacts.forEachIndexEntry { id, _, phone, _ in
                if matcher.matches(phone) { ids.append(id) }
            }
            return ids.compactMap { contacts[$0] }
        }
    }

    /// Who may list or unlist `target`: managers their department's contacts (by id or
    /// number); numbers that are no contact and prefixes are the organization's (admins).
    func checkDoNotCallAccess(_ target: DoNotCallEntry.Target, covered: [Contact], by caller: Caller, command: String) throws(CallsheetError) {
        try caller.require(.manager, for: command)
        guard caller.role != .admin else { return }
        switch target {
        case .prefix:
            throw CallsheetError(.forbidden, "\(command) of a prefix needs the admin role: it covers every department's numbers")
        case .contact(let id):
            guard let contact = covered.first, caller.canSee(contact) else { throw CallsheetError(.notFound, "no contact with id \(id)") }
        case .phone(let phone):
            guard let contact = covered.first else {
                throw CallsheetError(.forbidden, "\(command) of a number that is no contact (\(phone)) needs the admin role: the organization's list covers every department")
            }
            guard caller.canSee(contact) else { throw CallsheetError(.notFound, "no contact with phone \(phone)") }
        }
    }

    /// Plans `DNC.ADD`: the entry, and the `DNC` tag on every contact it covers.
    public func planDoNotCallAdd(_ target: DoNotCallEntry.Target, _ options: DoNotCallOptions, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> (changes: [Change], tagged: Int) {
        let covered = contacts(coveredBy: target)
        try checkDoNotCallAccess(target, covered: covered, by: caller, command: "DNC.ADD")
        if let expires = options.expiresAt, expires <= context.now {
            throw CallsheetError(.badRequest, "EXPIRES \(TimestampFormat.iso8601(expires)) has passed; give a time to come")
        }
        let entry = DoNotCallEntry(target: target, reason: options.reason, source: options.source, addedAt: context.now, addedBy: caller.userID, expiresAt: options.expiresAt)
        var changes: [Change] = [.changeDoNotCall(put: [entry], remove: [])]
        for contact in covered where !contact.tags.contains(where: { TagKey($0) == Self.doNotCallKey }) {
            var tagged = contact
            tagged.tags = canonicalTags(contact.tags + [Self.doNotCallTag])
            tagged.updatedAt = context.now
            changes.append(.putContact(tagged))
        }
        return (changes, changes.count - 1)
    }

    /// Plans `DNC.REMOVE`: the entry goes, and the `DNC` tag from contacts nothing else lists.
    public func planDoNotCallRemove(_ target: DoNotCallEntry.Target, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> (changes: [Change], untagged: Int) {
        let covered = contacts(coveredBy: target)
        try checkDoNotCallAccess(target, covered: covered, by: caller, command: "DNC.REMOVE")
        let tagOnly: Bool
        if case .contact(let id) = target { tagOnly = hasDoNotCallTag(id) } else { tagOnly = false }
        guard doNotCall[target] != nil || tagOnly else {
            throw CallsheetError(.notFound, "\(DoNotCallEntry(target: target, addedAt: 0, addedBy: 0).key) is not on the do-not-call list (DNC.LIST shows it)")
        }
        var after = self
        after.doNotCall.remove(target)
        var changes: [Change] = [.changeDoNotCall(put: [], remove: [target])]
        var blocked: [String] = []
        for contact in covered where contact.tags.contains(where: { TagKey($0) == Self.doNotCallKey }) {
            // Another entry (the contact's own, its number's, a prefix) keeps it listed.
            if let other = after.doNotCall.match(phone: contact.phone, contact: contact.id, at: context.now) {
                blocked.append("contact \(contact.id) stays listed by \(other.key)")
                continue
            }
            var untagged = contact
            untagged.tags.removeAll { TagKey($0) == Self.doNotCallKey }
            untagged.updatedAt = context.now
            changes.append(.putContact(untagged))
        }
        if covered.count == 1, !blocked.isEmpty, case .contact = target {
            throw CallsheetError(.conflict, "\(blocked[0]); DNC.REMOVE that entry too")
        }
        return (changes, changes.count - 1)
    }

    /// `DNC.CHECK`: whether `phone` (E.164 or any format) may be dialled, for a dialer before
    /// every call. Out-of-scope contacts are not named.
    public func doNotCallCheckJSON(_ text: String, for caller: Caller, context: PlanningContext) throws(CallsheetError) -> [UInt8] {
        let phone: String
        if DoNotCallList.numberKey(text) != nil { phone = text } else { phone = try parsePhone(text, context: context).e164 }
        let contact = phoneIndex[phone].flatMap { contacts[$0] }
        var entry = doNotCall.match(phone: phone, contact: contact?.id, at: context.now)
        var tagged = false
        if entry == nil, let contact, hasDoNotCallTag(contact.id) { tagged = true }
        // Another department's contact lends the answer its listing, nothing else of it.
        let seen = contact.flatMap { caller.canSee($0) ? $0 : nil }
        let withdrawn = seen.map { consents[$0.id]?.withdrawsCalls == true } ?? false
        if let found = entry, case .contact = found.target, seen == nil { entry = DoNotCallEntry(target: .phone(phone), addedAt: found.addedAt, addedBy: 0) }
        var json = JSONWriter(capacity: 160)
        json.openObject()
        json.key("phone", first: true); json.string(phone)
        json.key("dnc"); json.raw(entry != nil || tagged ? "true" : "false")
        json.key("callable"); json.raw(entry == nil && !tagged && !withdrawn && !(seen?.isArchived ?? false) ? "true" : "false")
        if let entry {
            json.key("entry"); writeDoNotCall(entry, into: &json)
        } else if tagged {
            json.key("entry"); json.raw("{\"key\":\"tag\",\"reason\":\"tagged DNC\"}")
        }
        if withdrawn { json.key("consent_withdrawn"); json.raw("true") }
        if let seen { json.key("contact_id"); json.integer(Int64(seen.id)) }
        json.closeObject()
        return json.bytes
    }

    static func contactOf(_ entry: DoNotCallEntry) -> ContactID {
        if case .contact(let id) = entry.target { id } else { 0 }
    }

    public func writeDoNotCall(_ entry: DoNotCallEntry, into json: inout JSONWriter) {
        json.openObject()
        json.key("key", first: true); json.string(entry.key)
        json.key("type")
        switch entry.target {
        case .phone: json.raw("\"phone\"")
        case .prefix: json.raw("\"prefix\"")
        case .contact(let id):
            json.raw("\"contact\"")
            json.key("contact_id"); json.integer(Int64(id))
        }
        json.key("reason"); if let reason = entry.reason { json.string(reason) } else { json.raw("null") }
        json.key("source"); if let source = entry.source { json.string(source) } else { json.raw("null") }
        json.key("added_at"); json.timestamp(entry.addedAt)
        json.key("added_by"); json.integer(Int64(entry.addedBy))
        json.key("expires_at"); if let expires = entry.expiresAt { json.timestamp(expires) } else { json.raw("null") }
        json.closeObject()
    }

    /// `DNC.LIST`: entries in key order after `cursor`, a page of `limit`; managers see
    /// their department's contacts' entries and numbers that are no other department's contact.
    public func doNotCallListJSON(after cursor: String?, limit: Int, for caller: Caller, at now: Timestamp) -> [UInt8] {
        var shown: [DoNotCallEntry] = []
        var more = false
        // Contacts tagged DNC by hand, no entry listing them, are listed as `contact:<id>` too.
        let tagged = (tagIndex[Self.doNotCallKey].map(Array.init) ?? []).filter { id in
            guard let contact = contacts[id] else { return false }
            return doNotCall.match(phone: contact.phone, contact: id, at: now) == nil
        }
        // Prefixes by key, then contacts by id, then numbers by their digits: a page of numbers
        // starts at its cursor in the sorted keys, never sorting the list.
        let contactsListed = (doNotCall.contactEntryList + tagged.map {
            DoNotCallEntry(target: .contact($0), reason: "tagged DNC", source: "tag", addedAt: contacts[$0]?.updatedAt ?? 0, addedBy: 0)
        }).sorted { Self.contactOf($0) < Self.contactOf($1) }
        var candidates: [any Sequence<DoNotCallEntry>] = []
        switch cursor {
        case nil:
            candidates = [doNotCall.prefixEntries, contactsListed, doNotCall.numberEntries(after: nil)]
        case let key? where key.hasSuffix("*"):
            candidates = [doNotCall.prefixEntries.filter { $0.key > key }, contactsListed, doNotCall.numberEntries(after: nil)]
        case let key? where key.hasPrefix("contact:"):
            let after = ContactID(key.dropFirst(8)) ?? 0
            candidates = [contactsListed.filter { Self.contactOf($0) > after }, doNotCall.numberEntries(after: nil)]
        case let key?:
            candidates = [doNotCall.numberEntries(after: DoNotCallList.numberKey(key) ?? 0)]
        }
        pages: for sequence in candidates {
            for entry in sequence {
                let visible: Bool
                switch entry.target {
                case .contact(let id): visible = contacts[id].map(caller.canSee) ?? (caller.role == .admin)
                case .phone(let phone): visible = phoneIndex[phone].flatMap { contacts[$0] }.map(caller.canSee) ?? true
                case .prefix: visible = true
                }
                guard visible else { continue }
                if shown.count == limit {
                    more = true
                    break pages
                }
                shown.append(entry)
            }
        }
        var json = JSONWriter(capacity: 64 + shown.count * 160)
        json.openObject()
        json.key("entries", first: true); json.openArray()
        for (position, entry) in shown.enumerated() {
            if position > 0 { json.comma() }
            writeDoNotCall(entry, into: &json)
        }
        json.closeArray()
        // The organization's counts are an admin's to see (scope covers counts too).
        if caller.role == .admin {
            json.key("numbers"); json.integer(Int64(doNotCall.numberCount))
            json.key("prefixes"); json.integer(Int64(doNotCall.prefixCount))
            json.key("contacts"); json.integer(Int64(doNotCall.contactCount + tagged.count))
        }
        json.key("next_cursor")
        if more, let last = shown.last { json.string(last.key) } else { json.raw("null") }
        json.closeObject()
        return json.bytes
    }

    /// Reads `DNC.IMPORT`'s file: one number entry per row's number (the first column, or the
    /// column headed phone/number), rows that are no number reported by line. Reads only the
    /// organization's region and validation setting, so it runs on a view off the shard: a
    /// registry of a million numbers takes seconds of phone parsing, which writers do not wait for.
    public func readDoNotCallImport(_ text: String, _ options: DoNotCallOptions, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> (entries: [DoNotCallEntry], rejected: [(Int, String)]) {
        try caller.require(.admin, for: "DNC.IMPORT")
        if let expires = options.expiresAt, expires <= context.now {
            throw CallsheetError(.badRequest, "EXPIRES \(TimestampFormat.iso8601(expires)) has passed; give a time to come")
        }
        let document = try CSVReader.read(Array(text.utf8), maxRows: Self.maximumDoNotCallImport)
        var entries: [DoNotCallEntry] = []
        var rejected: [(Int, String)] = []
        var seen = Set<String>()
        // The column headed phone or number; else the first, and the first line is a number too.
        let headed = document.header.firstIndex { ["phone", "number", "phone_number", "phone number", "telephone", "mobile"].contains($0.lowercased()) }
        let column = headed ?? 0
        var rows = document.records
        if headed == nil, let first = document.header.first { rows.insert(CSVRecord(line: 1, fields: [first]), at: 0) }
        for row in rows {
            guard column < row.fields.count, !row.fields[column].allSatisfy(\.isWhitespace) else {
                rejected.append((row.line, "no number in column \(column + 1)"))
                continue
            }
            do throws(CallsheetError) {
                let phone = try parsePhone(row.fields[column], context: context).e164
                guard seen.insert(phone).inserted else { continue }
                entries.append(DoNotCallEntry(target: .phone(phone), reason: options.reason, source: options.source, addedAt: context.now, addedBy: caller.userID, expiresAt: options.expiresAt))
            } catch {
                rejected.append((row.line, error.message))
            }
        }
        return (entries, rejected)
    }

    /// Plans storing entries `readDoNotCallImport` read: the entries, and the `DNC` tag on the
    /// contacts holding their numbers now (on the shard).
    public func planDoNotCallImport(_ entries: [DoNotCallEntry], by caller: Caller, context: PlanningContext) throws(CallsheetError) -> (changes: [Change], tagged: Int) {
        try caller.require(.admin, for: "DNC.IMPORT")
        guard !entries.isEmpty else { return ([], 0) }
        var changes: [Change] = [.changeDoNotCall(put: entries, remove: [])]
        for entry in entries {
            guard case .phone(let phone) = entry.target, let id = phoneIndex[phone], let contact = contacts[id],
                  !contact.tags.contains(where: { TagKey($0) == Self.doNotCallKey }) else { continue }
            var tagged = contact
            tagged.tags = canonicalTags(contact.tags + [Self.doNotCallTag])
            tagged.updatedAt = context.now
            changes.append(.putContact(tagged))
        }
        return (changes, changes.count - 1)
    }

    /// The most rows one `DNC.IMPORT` takes (a larger registry goes in several).
    public static let maximumDoNotCallImport = 1_000_000

    // MARK: Consent

    /// Plans `CONSENT.SET`: appends one event to the contact's consent history.
    public func planConsent(_ id: ContactID, channel: String, purpose: String, granted: Bool, source: String?, at time: Timestamp?, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> (change: Change, record: ConsentRecord) {
        try caller.require(.manager, for: "CONSENT.SET")
        let contact = try visibleContact(id, for: caller)
        func word(_ text: String, _ what: String) throws(CallsheetError) -> String {
            let lower = text.lowercased()
            guard (1...40).contains(lower.utf8.count), lower.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw CallsheetError(.badRequest, "a consent \(what) is 1–40 letters, digits, '_' or '-' (phone, sms, email / marketing, service), got '\(text.prefix(40))'")
            }
            return lower
        }
        if let source, source.utf8.count > 500 { throw CallsheetError(.badRequest, "SOURCE is at most 500 bytes") }
        if let time, time > context.now + Self.futureCallTolerance { throw CallsheetError(.badRequest, "AT is in the future") }
        let record = ConsentRecord(
            contactID: contact.id, channel: try word(channel, "channel"), purpose: try word(purpose, "purpose"), granted: granted,
            at: time ?? context.now, source: source, recordedBy: caller.userID)
        let history = consents[contact.id] ?? []
        guard history.count < 1_000 else { throw CallsheetError(.limit, "contact \(id) has 1,000 consent events; that is the most kept") }
        return (.setConsents(contact.id, history + [record]), record)
    }

    public func writeConsent(_ record: ConsentRecord, into json: inout JSONWriter) {
        json.openObject()
        json.key("channel", first: true); json.string(record.channel)
        json.key("purpose"); json.string(record.purpose)
        json.key("granted"); json.raw(record.granted ? "true" : "false")
        json.key("at"); json.timestamp(record.at)
        json.key("source"); if let source = record.source { json.string(source) } else { json.raw("null") }
        json.key("recorded_by"); json.integer(Int64(record.recordedBy))
        json.closeObject()
    }

    /// `CONSENT.HISTORY`: every event, oldest first, and the current state per channel and purpose.
    public func consentHistoryJSON(_ id: ContactID, for caller: Caller) throws(CallsheetError) -> [UInt8] {
        let contact = try visibleContact(id, for: caller)
        let history = consents[contact.id] ?? []
        var json = JSONWriter(capacity: 64 + history.count * 120)
        json.openObject()
        json.key("contact_id", first: true); json.integer(Int64(contact.id))
        json.key("current"); json.openArray()
        for (position, record) in history.current.enumerated() {
            if position > 0 { json.comma() }
            writeConsent(record, into: &json)
        }
        json.closeArray()
        json.key("history"); json.openArray()
        for (position, record) in history.enumerated() {
            if position > 0 { json.comma() }
            writeConsent(record, into: &json)
        }
        json.closeArray()
        json.closeObject()
        return json.bytes
    }
}

/// A do-not-call prefix (`+1900`) matched against records' phones: an E.164 number held as its
/// digits is compared by arithmetic (its leading digits), without making its text.
struct PhonePrefix {
    let text: String
    /// The prefix's digits and how many, when it is `+` and at most 18 digits.
    private let digits: (value: UInt64, count: Int)?

    init(_ text: String) {
        self.text = text
        let utf8 = Array(text.utf8)
        if utf8.first == UInt8(ascii: "+"), utf8.count <= 19, utf8.dropFirst().allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            digits = (utf8.dropFirst().reduce(0) { $0 * 10 + UInt64($1 - UInt8(ascii: "0")) }, utf8.count - 1)
        } else {
            digits = nil
        }
    }

    func matches(_ phone: ContactRecord.Phone) -> Bool {
        switch phone {
        case .text(let phone): return phone.hasPrefix(text)
        case .digits(let number):
            guard let digits else { return ("+" + String(number)).hasPrefix(text) }
            var length = 1, scale: UInt64 = 1
            while number / scale >= 10 { scale *= 10; length += 1 }
            guard length >= digits.count else { return false }
            var divisor: UInt64 = 1
            for _ in 0..<(length - digits.count) { divisor *= 10 }
            return number / divisor == digits.value
        }
    }
}
