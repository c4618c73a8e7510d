/// Undo entries: recorded with the bulk changes they reverse, and undone field by field
/// (docs/PROTOCOL.md, "Undo").
extension OrganizationState {
    /// `changes` with an undo entry for their contact changes appended (and the entries past
    /// the retention dropped), and the new entry's id; the changes alone when they touch no contact.
    ///
    /// A new contact's step is its id and creation time only (undo removes it unless it changed
    /// since), so that an import's entry does not hold every contact a second time.
    /// - Complexity: O(changes), one lookup each.
    public func recordingUndo(
        _ changes: [Change], kind: UndoEntry.Kind, summary: String, by caller: Caller, context: PlanningContext
    ) -> (changes: [Change], undoID: UInt64?) {
        let planned = Change.patches(changes, against: self)
        var working: [ContactID: Contact?] = [:]
        func current(_ id: ContactID) -> Contact? {
            if let known = working[id] { return known }
            return contacts[id]
        }
        var steps: [UndoEntry.Step] = []
        steps.reserveCapacity(planned.count)
        var departments: Set<DepartmentID> = []
        for change in planned {
            if let id = change.contactID, let old = current(id) { departments.insert(old.departmentID) }
            switch change {
            case .putContact(let contact):
                if let old = current(contact.id) {
                    if let patch = ContactPatch(from: old, to: contact) {
                        steps.append(UndoEntry.Step(forward: .patchContact(patch), inverse: .patchContact(patch.undo(on: old))))
                    } else {
                        steps.append(UndoEntry.Step(forward: change, inverse: .putContact(old)))
                    }
                } else {
                    let marker = ContactPatch(contactID: contact.id, updatedAt: contact.updatedAt, fields: [])
                    steps.append(UndoEntry.Step(forward: .patchContact(marker), inverse: .removeContact(contact.id)))
                }
                working[contact.id] = contact
                departments.insert(contact.departmentID)
            case .patchContact(let patch):
                guard let old = current(patch.contactID) else { continue }
                steps.append(UndoEntry.Step(forward: change, inverse: .patchContact(patch.undo(on: old))))
                let new = old.applying(patch)
                working[patch.contactID] = new
                departments.insert(new.departmentID)
            case .removeContact(let id):
                guard let old = current(id) else { continue }
                steps.append(UndoEntry.Step(forward: change, inverse: .putContact(old)))
                working[id] = .some(nil)
            default:
                continue
            }
        }
        guard !steps.isEmpty else { return (planned, nil) }
        let entry = UndoEntry(
            id: nextUndoID, kind: kind, summary: summary, userID: caller.userID, userName: caller.name, createdAt: context.now,
            departments: departments.sorted(), steps: steps)
        return (planned + [.putUndo(entry)] + expiredUndoEntries(now: context.now), entry.id)
    }

    /// Removals of the entries older than the retention, and of the oldest past
    /// ``UndoEntry/maximumKept`` (counting the one being added).
    func expiredUndoEntries(now: Timestamp) -> [Change] {
        let cutoff = now - Int64(duplicateSettings.undoRetentionDays) * 86_400_000
        var removed = undoEntries.values.filter { $0.createdAt < cutoff }.map(\.id)
        let excess = undoEntries.count - removed.count + 1 - UndoEntry.maximumKept
        if excess > 0 {
            let expired = Set(removed)
            removed += undoEntries.keys.filter { !expired.contains($0) }.sorted().prefix(excess)
        }
        return removed.sorted().map { .removeUndo($0) }
    }

    /// What an undo restored and what it left because it changed since.
    public struct UndoReport: Sendable {
        public var changes: [Change] = []
        public var entry: UndoEntry
        public var restored: Set<ContactID> = []
        public var removed: [ContactID] = []
        public var conflicts: [(id: ContactID, field: String, reason: String)] = []

        public var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("undo_id", .integer(Int64(entry.id))), ("kind", .string(entry.kind.rawValue)),
                ("restored", .integer(Int64(restored.count))), ("removed", .integer(Int64(removed.count))),
                ("conflicts", .array(conflicts.prefix(1000).map {
                    .object([("id", .integer(Int64($0.id))), ("field", .string($0.field)), ("reason", .string($0.reason))])
                })),
            ]
            if conflicts.count > 1000 { members.append(("conflicts_not_listed", .integer(Int64(conflicts.count - 1000)))) }
            if let merge = entry.merge { members.insert(("survivor", .integer(Int64(merge.survivor))), at: 2) }
            return .object(members)
        }
    }

    /// Plans undoing entry `id`: each field goes back to its value before the change where the
    /// contact still holds what the change wrote; a field changed since is kept and reported.
    /// A contact the change created is removed unless it changed since (then kept and reported,
    /// or removed anyway with `force`); one it removed for good comes back unless its phone was
    /// taken meanwhile. The entry is marked undone in the same change set.
    /// - Throws: `NOT_FOUND` for an unknown entry (or one of another kind than `kind`),
    ///   `CONFLICT` when already undone, `FORBIDDEN` when it touches contacts outside the
    ///   caller's department.
    public func planUndo(
        _ id: UInt64, kind: UndoEntry.Kind? = nil, force: Bool = false, by caller: Caller, context: PlanningContext, command: String = "UNDO"
    ) throws(CallsheetError) -> UndoReport {
        try caller.require(.manager, for: command)
        guard var entry = undoEntries[id], kind == nil || entry.kind == kind else {
            throw CallsheetError(.notFound, "no \(kind == .merge ? "merge" : "undo entry") with id \(id) (\(kind == .merge ? "MERGE.LOG" : "UNDO.LIST") lists them)")
        }
        if let at = entry.undoneAt { throw CallsheetError(.conflict, "\(entry.kind == .merge ? "merge" : "undo entry") \(id) was already undone at \(TimestampFormat.iso8601(at))") }
        guard entry.isVisible(to: caller) else {
            throw CallsheetError(.forbidden, "\(command) \(id): it changed contacts outside your department; an admin can undo it")
        }
        let steps = entry.steps
        if caller.role != .admin {
            // Contacts moved to another department since are out of reach too.
            for step in steps {
                if let contactID = step.forward.contactID, let contact = contacts[contactID], !caller.canSee(contact) {
                    throw CallsheetError(.forbidden, "\(command) \(id): contact \(contactID) is in another department now; an admin can undo it")
                }
            }
        }
        var report = UndoReport(entry: entry)
        var working: [ContactID: Contact?] = [:]
        func current(_ contactID: ContactID) -> Contact? {
            if let known = working[contactID] { return known }
            return contacts[contactID]
        }
        /// Phones this undo frees or takes, so a restored phone is checked against them.
        var phoneOwners: [String: ContactID?] = [:]
        func owner(of phone: String) -> ContactID? {
            if let known = phoneOwners[phone] { return known }
            return phoneIndex[phone]
        }
        // Phones this undo gives back from one contact of the entry to another (a merge's KEEP
        // phone swapped two numbers): their current holder lets them go in the same change set.
        var leaving = Set<String>()
        for step in steps {
            guard case .patchContact(let forward) = step.forward, let contact = contacts[forward.contactID] else { continue }
            for case .phone(let phone) in forward.fields where phone == contact.phone { leaving.insert(phone) }
        }
        for step in steps.reversed() {
            guard let contactID = step.forward.contactID else { continue }
            switch (step.forward, step.inverse) {
            case (.patchContact(let marker), .removeContact):
                guard let contact = current(contactID) else { continue }
                if contact.updatedAt != marker.updatedAt, !force {
                    report.conflicts.append((contactID, "contact", "created by this change and changed since; kept (FORCE removes it)"))
                    continue
                }
                report.changes.append(.removeContact(contactID))
                report.removed.append(contactID)
                phoneOwners[contact.phone] = .some(nil)
                working[contactID] = .some(nil)
            case (.patchContact(let forward), .patchContact(let inverse)):
                guard let contact = current(contactID) else {
                    report.conflicts.append((contactID, "contact", "removed since; not restored"))
                    continue
                }
                var fields: [ContactPatch.Field] = []
                for (wrote, before) in zip(forward.fields, inverse.fields) {
                    guard wrote.value(on: contact) == wrote else {
                        report.conflicts.append((contactID, wrote.name, "changed since; kept"))
                        continue
                    }
                    if case .phone(let phone) = before, let holder = owner(of: phone), holder != contactID, !leaving.contains(phone) {
                        report.conflicts.append((contactID, "phone", "\(phone) now belongs to contact \(holder); kept"))
                        continue
                    }
                    fields.append(before)
                }
                guard !fields.isEmpty else { continue }
                let patch = ContactPatch(contactID: contactID, updatedAt: context.now, fields: fields)
                let restored = contact.applying(patch)
                if restored.phone != contact.phone {
                    if owner(of: contact.phone) == contactID { phoneOwners[contact.phone] = .some(nil) }
                    phoneOwners[restored.phone] = contactID
                }
                report.changes.append(.patchContact(patch))
                report.restored.insert(contactID)
                working[contactID] = restored
            case (.removeContact, .putContact(let old)):
                guard current(contactID) == nil else { continue }
                if let holder = owner(of: old.phone) {
                    report.conflicts.append((contactID, "phone", "\(old.phone) now belongs to contact \(holder); contact \(contactID) not restored"))
                    continue
                }
                report.changes.append(.putContact(old))
                report.restored.insert(contactID)
                phoneOwners[old.phone] = contactID
                working[contactID] = old
            case (.moveCalls, .moveCalls(let ids, let merged, let survivor, _)):
                // Calls go back to the merged contact while it exists; those logged since stay.
                guard current(merged) != nil else { continue }
                report.changes.append(.moveCalls(ids, merged: merged, survivor: survivor, toSurvivor: false))
            case (_, .putContact(let old)):
                // A whole-contact step (a put no patch could express): restored as it was.
                report.changes.append(.putContact(old))
                report.restored.insert(contactID)
                working[contactID] = old
            default:
                continue
            }
        }
        entry.undoneAt = context.now
        report.entry = entry
        report.changes.append(.putUndo(entry))
        return report
    }

    /// Undo entries `caller` may see, newest first: an admin's are every entry; a manager's
    /// are those whose contacts are all in their department.
    public func visibleUndoEntries(for caller: Caller, kind: UndoEntry.Kind? = nil) -> [UndoEntry] {
        undoEntries.values.filter { entry in (kind == nil || entry.kind == kind) && entry.isVisible(to: caller) }.sorted { $0.id > $1.id }
    }

    public func undoEntryJSON(_ entry: UndoEntry) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("undo_id", .integer(Int64(entry.id))), ("kind", .string(entry.kind.rawValue)), ("summary", .string(entry.summary)),
            ("user", .string(entry.userName)), ("at", .string(TimestampFormat.iso8601(entry.createdAt))),
            ("contacts", .integer(Int64(entry.stepCount))),
            ("undone_at", entry.undoneAt.map { .string(TimestampFormat.iso8601($0)) } ?? .null),
        ]
        if let merge = entry.merge {
            members.append(("survivor", .integer(Int64(merge.survivor))))
            members.append(("merged", .array(merge.merged.map { .integer(Int64($0)) })))
            members.append(("rule", .string(merge.rule)))
            members.append(("score", .integer(Int64(merge.score))))
            members.append(("winners", .object(merge.winners.map { ($0.0, .integer(Int64($0.1))) })))
        }
        return .object(members)
    }
}
