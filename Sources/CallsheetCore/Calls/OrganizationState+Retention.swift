/// Retention (`RETENTION.*`) and erasure (`CONTACT.ERASE`, `CONTACT.EXPORTDATA`; docs/PROTOCOL.md,
/// "Retention and erasure").
extension OrganizationState {
    static let day: Timestamp = 86_400_000

    /// Plans `RETENTION.SET <rule> <value>`.
    public func planRetentionSet(_ rule: String, _ value: String, by caller: Caller) throws(CallsheetError) -> RetentionSettings {
        try caller.require(.admin, for: "RETENTION.SET")
        var settings = retention
        func days() throws(CallsheetError) -> Int? {
            if ["off", "none", "0"].contains(value.lowercased()) { return nil }
            guard let number = Int(value), (1...RetentionSettings.maximumDays).contains(number) else {
                throw CallsheetError(.badRequest, "\(rule) takes a number of days from 1 to \(RetentionSettings.maximumDays), or off; got '\(value.prefix(40))'")
            }
            return number
        }
        switch rule.lowercased() {
        case "inactive_days": settings.inactiveDays = try days()
        case "archived_purge_days": settings.archivedPurgeDays = try days()
        case "deleted_call_days": settings.deletedCallDays = try days()
        case "cold_call_days": settings.coldCallDays = try days()
        case "retain_opted_out":
            switch value.lowercased() {
            case "yes", "on", "true": settings.retainOptedOut = true
            case "no", "off", "false": settings.retainOptedOut = false
            default: throw CallsheetError(.badRequest, "retain_opted_out takes yes or no; got '\(value.prefix(40))'")
            }
        case "interval_minutes":
            guard let minutes = Int(value), (0...525_600).contains(minutes) else {
                throw CallsheetError(.badRequest, "interval_minutes takes 0 (only RETENTION.RUN) to 525600; got '\(value.prefix(40))'")
            }
            settings.intervalMinutes = minutes
        default:
            throw CallsheetError(.badRequest, "unknown retention rule '\(rule.prefix(40))': inactive_days, archived_purge_days, deleted_call_days, cold_call_days, retain_opted_out, interval_minutes")
        }
        return settings
    }

    public func retentionJSON() -> JSONValue {
        func days(_ value: Int?) -> JSONValue { value.map { .integer(Int64($0)) } ?? .null }
        return .object([
            ("inactive_days", days(retention.inactiveDays)),
            ("archived_purge_days", days(retention.archivedPurgeDays)),
            ("deleted_call_days", days(retention.deletedCallDays)),
            ("cold_call_days", days(retention.coldCallDays)),
            ("retain_opted_out", .bool(retention.retainOptedOut)),
            ("interval_minutes", .integer(Int64(retention.intervalMinutes))),
            ("last_run_at", retention.lastRunAt.map { .string(TimestampFormat.iso8601($0)) } ?? .null),
            ("last_run", .object([
                ("archived", .integer(Int64(retention.lastRunArchived))), ("purged", .integer(Int64(retention.lastRunPurged))),
                ("calls_erased", .integer(Int64(retention.lastRunCallsErased))), ("expired_dnc", .integer(Int64(retention.lastRunExpiredDoNotCall))),
            ])),
        ])
    }

    /// What one sweep does: contacts to archive and remove, contacts whose calls lose their
    /// link, do-not-call entries that expired.
    public struct RetentionSweep: Sendable {
        public var archive: [ContactID] = []
        public var purge: [ContactID] = []
        public var eraseCallsOf: [ContactID] = []
        public var expired: [DoNotCallEntry] = []
        /// True when a limit cut the sweep short: the next one goes on.
        public var more = false

        public var isEmpty: Bool { archive.isEmpty && purge.isEmpty && eraseCallsOf.isEmpty && expired.isEmpty }
    }

    /// The most contacts one sweep archives, removes, or unlinks calls of, each: a sweep is one
    /// journal record, and the next sweep goes on where this one stopped.
    public static let sweepLimit = 10_000

    /// True when a sweep is due at `now`: a rule is set (or entries expired) and the interval passed.
    public func retentionDue(at now: Timestamp) -> Bool {
        guard retention.intervalMinutes > 0 else { return false }
        guard retention.inactiveDays != nil || retention.archivedPurgeDays != nil || retention.deletedCallDays != nil || retention.coldCallDays != nil
            || doNotCall.count > 0 else { return false }
        return retention.lastRunAt.map { now - $0 >= Timestamp(retention.intervalMinutes) * 60_000 } ?? true
    }

    /// What the next sweep would do at `now` (`RETENTION.PREVIEW`, and the sweep itself).
    /// Protected contacts, contacts in running campaigns, merged contacts and (with
    /// `retain_opted_out`) do-not-call contacts are never archived or removed.
    /// - Complexity: O(contacts + contacts with calls).
    public func retentionSweep(at now: Timestamp) -> RetentionSweep {
        var sweep = RetentionSweep()
        func kept(_ contact: Contact) -> Bool {
            protectedContacts.contains(contact.id) || contact.mergedInto != nil
                || (contactCampaigns[contact.id]?.contains { campaigns[$0]?.isRunning == true } ?? false)
                || (retention.retainOptedOut && isDoNotCall(contact, at: now))
        }
        if retention.inactiveDays != nil || retention.archivedPurgeDays != nil {
            let inactiveBefore = retention.inactiveDays.map { now - Timestamp($0) * Self.day }
            let archivedBefore = retention.archivedPurgeDays.map { now - Timestamp($0) * Self.day }
            for contact in contacts.values {
                if let archivedAt = contact.archivedAt {
                    guard let archivedBefore, archivedAt < archivedBefore, !kept(contact) else { continue }
                    if sweep.purge.count == Self.sweepLimit { sweep.more = true; continue }
                    sweep.purge.append(contact.id)
                } else if let inactiveBefore, (contact.lastCalledAt ?? contact.createdAt) < inactiveBefore, !kept(contact) {
                    if sweep.archive.count == Self.sweepLimit { sweep.more = true; continue }
                    sweep.archive.append(contact.id)
                }
            }
        }
        if let days = retention.deletedCallDays {
            let before = now - Timestamp(days) * Self.day
            for id in calls.contactsWithCalls where !contacts.contains(id) {
                // A cold segment that cannot be read keeps its calls until it can.
                guard let newest = (try? calls.calls(of: id, after: nil, since: nil, limit: 1))?.calls.first, newest.at < before else { continue }
                if sweep.eraseCallsOf.count == Self.sweepLimit { sweep.more = true; break }
                sweep.eraseCallsOf.append(id)
            }
        }
        sweep.expired = doNotCall.expired(at: now)
        sweep.archive.sort()
        sweep.purge.sort()
        sweep.eraseCallsOf.sort()
        return sweep
    }

    /// The changes of a sweep, and the retention settings recording it.
    public func planRetentionRun(at now: Timestamp) -> (changes: [Change], sweep: RetentionSweep) {
        let sweep = retentionSweep(at: now)
        var changes: [Change] = []
        for id in sweep.archive {
            guard var contact = contacts[id] else { continue }
            contact.archivedAt = now
            contact.updatedAt = now
            changes.append(.putContact(contact))
        }
        for id in sweep.purge { changes.append(.removeContact(id)) }
        for id in sweep.eraseCallsOf { changes.append(.eraseCalls(id)) }
        if !sweep.expired.isEmpty {
            changes.append(.changeDoNotCall(put: [], remove: sweep.expired.map(\.target)))
            var after = self
            after.apply(.changeDoNotCall(put: [], remove: sweep.expired.map(\.target)))
            // Contacts no entry lists any more lose the DNC tag an expired entry gave them.
            var untag = Set<ContactID>()
            for entry in sweep.expired {
                for contact in contacts(coveredBy: entry.target) where after.doNotCall.match(phone: contact.phone, contact: contact.id, at: now) == nil {
                    untag.insert(contact.id)
                }
            }
            let purged = Set(sweep.purge), archived = Set(sweep.archive)
            for id in untag.sorted() where !purged.contains(id) && !archived.contains(id) {
                guard var contact = contacts[id], hasDoNotCallTag(id) else { continue }
                contact.tags.removeAll { TagKey($0) == Self.doNotCallKey }
                contact.updatedAt = now
                changes.append(.putContact(contact))
            }
        }
        var settings = retention
        settings.lastRunAt = now
        settings.lastRunArchived = sweep.archive.count
        settings.lastRunPurged = sweep.purge.count
        settings.lastRunCallsErased = sweep.eraseCallsOf.count
        settings.lastRunExpiredDoNotCall = sweep.expired.count
        changes.append(.putRetention(settings))
        return (changes, sweep)
    }

    public func retentionSweepJSON(_ sweep: RetentionSweep) -> JSONValue {
        func ids(_ list: [ContactID]) -> JSONValue { .array(list.prefix(100).map { .integer(Int64($0)) }) }
        return .object([
            ("archive", .integer(Int64(sweep.archive.count))), ("archive_ids", ids(sweep.archive)),
            ("purge", .integer(Int64(sweep.purge.count))), ("purge_ids", ids(sweep.purge)),
            ("erase_calls_of", .integer(Int64(sweep.eraseCallsOf.count))), ("erase_calls_of_ids", ids(sweep.eraseCallsOf)),
            ("expired_dnc", .integer(Int64(sweep.expired.count))), ("expired_dnc_keys", .array(sweep.expired.prefix(100).map { .string($0.key) })),
            ("more", .bool(sweep.more)),
        ])
    }

    // MARK: Erasure

    /// Plans `CONTACT.ERASE`: the contact (and contacts merged into it: the same person) removed,
    /// their calls erased, consents, do-not-call entries of the contact and its number, undo
    /// entries that hold their data, campaign memberships and protection dropped, and a
    /// receipt without personal data. Disk follows (``ErasureReceipt/diskCleanAt``).
    public func planErase(_ id: ContactID, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> (changes: [Change], receipt: ErasureReceipt) {
        try caller.require(.admin, for: "CONTACT.ERASE")
        let contact = try visibleContact(id, for: caller)
        let people = [contact] + contacts.contacts(mergedInto: id)
        let ids = Set(people.map(\.id))
        var changes: [Change] = []
        var callsErased = 0, consentsErased = 0
        var dncTargets: [DoNotCallEntry.Target] = []
        for person in people {
            changes.append(.removeContact(person.id))
            let count = try calls.count(of: person.id)
            if count > 0 { changes.append(.eraseCalls(person.id)) }
            callsErased += count
            if let history = consents[person.id] {
                consentsErased += history.count
                changes.append(.setConsents(person.id, []))
            }
            if doNotCall[.contact(person.id)] != nil { dncTargets.append(.contact(person.id)) }
            if doNotCall[.phone(person.phone)] != nil { dncTargets.append(.phone(person.phone)) }
            if protectedContacts.contains(person.id) { changes.append(.setProtected(person.id, false)) }
            for campaign in contactCampaigns[person.id] ?? [] { changes.append(.changeCampaignMembers(campaign, add: [], remove: [person.id])) }
        }
        if !dncTargets.isEmpty { changes.append(.changeDoNotCall(put: [], remove: dncTargets)) }
        var undoErased = 0
        for entry in undoEntries.values where entry.mentions(ids) {
            changes.append(.removeUndo(entry.id))
            undoErased += 1
        }
        for pair in ignoredPairs where ids.contains(pair.low) || ids.contains(pair.high) { changes.append(.setIgnoredPair(pair, ignored: false)) }
        let receipt = ErasureReceipt(
            id: (erasures.keys.max() ?? 0) + 1, contactID: id, requestedBy: caller.userID, at: context.now, callsErased: callsErased,
            consentsErased: consentsErased, doNotCallEntriesErased: dncTargets.count, undoEntriesErased: undoErased)
        changes.append(.putErasure(receipt))
        return (changes, receipt)
    }

    public func erasureJSON(_ receipt: ErasureReceipt) -> JSONValue {
        .object([
            ("erasure_id", .integer(Int64(receipt.id))), ("contact_id", .integer(Int64(receipt.contactID))),
            ("requested_by", .integer(Int64(receipt.requestedBy))), ("at", .string(TimestampFormat.iso8601(receipt.at))),
            ("calls_erased", .integer(Int64(receipt.callsErased))), ("consents_erased", .integer(Int64(receipt.consentsErased))),
            ("dnc_entries_erased", .integer(Int64(receipt.doNotCallEntriesErased))), ("undo_entries_erased", .integer(Int64(receipt.undoEntriesErased))),
            ("disk_clean_at", receipt.diskCleanAt.map { .string(TimestampFormat.iso8601($0)) } ?? .null),
        ])
    }

    /// Receipts whose disk clean-up has not finished.
    public var pendingErasures: [ErasureReceipt] { erasures.values.filter { $0.diskCleanAt == nil }.sorted { $0.id < $1.id } }

    /// `CONTACT.EXPORTDATA` without the journal's history: everything the state holds about the person.
    public func exportDataJSON(_ id: ContactID, for caller: Caller) throws(CallsheetError) -> JSONValue {
        try caller.require(.manager, for: "CONTACT.EXPORTDATA")
        let contact = try visibleContact(id, for: caller)
        let contactValue = (try? JSONValue.parse(String(decoding: contactJSON(contact, for: caller.role), as: UTF8.self))) ?? .null
        var json = JSONWriter(capacity: 256)
        writeCalls(try calls.calls(of: id), into: &json)
        let callValue = (try? JSONValue.parse(json.string)) ?? .array([])
        func consentValue(_ record: ConsentRecord) -> JSONValue {
            .object([
                ("channel", .string(record.channel)), ("purpose", .string(record.purpose)), ("granted", .bool(record.granted)),
                ("at", .string(TimestampFormat.iso8601(record.at))), ("source", record.source.map(JSONValue.string) ?? .null),
                ("recorded_by", .integer(Int64(record.recordedBy))),
            ])
        }
        var dnc: [JSONValue] = []
        for entry in [doNotCall[.contact(id)], doNotCall[.phone(contact.phone)]].compactMap({ $0 }) {
            var writer = JSONWriter(capacity: 160)
            writeDoNotCall(entry, into: &writer)
            dnc.append((try? JSONValue.parse(writer.string)) ?? .null)
        }
        let merges = undoEntries.values.filter { $0.kind == .merge && $0.mentions([id]) }.sorted { $0.id < $1.id }.map(undoEntryJSON)
        let campaignsOf = (contactCampaigns[id] ?? []).compactMap { campaigns[$0] }.map { JSONValue.object([("id", .integer(Int64($0.id))), ("name", .string($0.name)), ("status", .string($0.status.rawValue))]) }
        return .object([
            ("contact", contactValue),
            ("calls", callValue),
            ("consent", .array((consents[id] ?? []).map(consentValue))),
            ("dnc", .array(dnc)),
            ("campaigns", .array(campaignsOf)),
            ("merges", .array(merges)),
            ("protected", .bool(protectedContacts.contains(id))),
        ])
    }
}

extension UndoEntry {
    /// True when the entry holds data of any of `ids` (its steps change them, or it merged them).
    func mentions(_ ids: Set<ContactID>) -> Bool {
        if let merge, ids.contains(merge.survivor) || merge.merged.contains(where: ids.contains) { return true }
        return steps.contains { step in step.forward.contactID.map(ids.contains) ?? false }
    }
}
