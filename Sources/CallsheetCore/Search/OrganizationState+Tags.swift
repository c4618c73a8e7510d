/// Planning `TAG.RENAME`, `TAG.MERGE` and `TAG.DELETE`: each is one change set over every contact
/// in the caller's scope that carries the tag.
extension OrganizationState {
    /// Contacts in the caller's scope carrying `key`.
    func contactsTagged(_ key: TagKey, visibleTo caller: Caller) -> [Contact] {
        (tagIndex[key] ?? []).compactMap { contacts[$0] }.filter(caller.canSee)
    }

    /// Plans renaming or merging `sources` into `target`. Renaming onto an existing tag merges.
    /// Re-spelling a tag (`vip` → `VIP`) changes the organization's display form, so only admins may.
    public func planMergeTags(_ sources: [String], into target: String, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> [Change] {
        try caller.require(.manager, for: "TAG.RENAME")
        let display = TagKey.displayForm(target)
        guard let targetKey = TagKey(display) else { throw CallsheetError(.badRequest, "the new tag name is blank") }
        try TagKey.validate(display)
        var sourceKeys: [TagKey] = []
        for source in sources {
            guard let key = TagKey(source) else { throw CallsheetError(.badRequest, "a tag name is blank") }
            guard !contactsTagged(key, visibleTo: caller).isEmpty else {
                throw CallsheetError(.notFound, "no contact\(caller.role == .admin ? "" : " in your department") carries the tag '\(source)' (TAG.LIST shows tags)")
            }
            if !sourceKeys.contains(key) { sourceKeys.append(key) }
        }
        let respelling = sourceKeys.contains(targetKey)
        if respelling, caller.role != .admin, tagDisplay[targetKey] != display {
            throw CallsheetError(.forbidden, "changing how '\(tagDisplay[targetKey] ?? display)' is spelled changes it for every department; ask an admin")
        }
        // Respelling sets the display form; otherwise an existing target keeps its spelling.
        let newDisplay = respelling || tagDisplay[targetKey] == nil ? display : tagDisplay[targetKey] ?? display
        var affected: [ContactID: Contact] = [:]
        for key in sourceKeys {
            for contact in contactsTagged(key, visibleTo: caller) { affected[contact.id] = affected[contact.id] ?? contact }
        }
        if respelling {
            // Every carrier of the target in scope is re-spelled. Only admins may change the spelling
            // (checked above) and they see every department, so the display form stays one per
            // organization; a manager's respelling leaves the spelling as it is and so must not
            // touch another department's contacts, which may carry the sources too.
            for contact in contactsTagged(targetKey, visibleTo: caller) where affected[contact.id] == nil { affected[contact.id] = contact }
        }
        var changes: [Change] = []
        for id in affected.keys.sorted() {
            guard var contact = affected[id] else { continue }
            var tags: [String] = []
            var placed = false
            for tag in contact.tags {
                guard let key = TagKey(tag) else { continue }
                if sourceKeys.contains(key) || key == targetKey {
                    if !placed { tags.append(newDisplay); placed = true }
                } else {
                    tags.append(tag)
                }
            }
            guard tags != contact.tags else { continue }
            let before = contact
            contact.tags = tags
            // A listed contact keeps its DNC tag.
            contact = flaggingDoNotCall(contact, at: context.now)
            guard contact != before else { continue }
            contact.updatedAt = context.now
            changes.append(.putContact(contact))
        }
        return changes
    }

    /// Plans `TAG.DELETE tag [FORCE]`: refuses while contacts carry it unless forced.
    public func planDeleteTag(_ tag: String, force: Bool, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> [Change] {
        try caller.require(.manager, for: "TAG.DELETE")
        guard let key = TagKey(tag) else { throw CallsheetError(.badRequest, "the tag name is blank") }
        let carriers = contactsTagged(key, visibleTo: caller)
        guard !carriers.isEmpty else {
            throw CallsheetError(.notFound, "no contact\(caller.role == .admin ? "" : " in your department") carries the tag '\(tag)'")
        }
        guard force else {
            throw CallsheetError(.conflict, "the tag '\(tagDisplay[key] ?? tag)' is on \(carriers.count) contact\(carriers.count == 1 ? "" : "s"); TAG.DELETE \(tag) FORCE removes it from them")
        }
        return carriers.compactMap { contact in
            var updated = contact
            updated.tags.removeAll { TagKey($0) == key }
            // A listed contact keeps its DNC tag (DNC.REMOVE takes it off the list).
            updated = flaggingDoNotCall(updated, at: context.now)
            guard updated != contact else { return nil }
            updated.updatedAt = context.now
            return .putContact(updated)
        }
    }
}
