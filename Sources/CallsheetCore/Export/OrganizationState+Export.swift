/// Which contacts an export writes (docs/PROTOCOL.md, "Export").
extension OrganizationState {
    /// What `EXPORT.START` selects: everything the caller sees, or a bulk edit's selection.
    public enum ExportSelection: Sendable, Hashable {
        case all
        case some(BulkSelection)
    }

    /// The ids of the contacts an export writes, in id order (ranked for a text search): those the
    /// caller may see, with archived and do-not-call contacts in or out as asked.
    /// - Complexity: O(contacts) for everything; a search as `CONTACT.SEARCH … COUNT` costs. Holds
    ///   ids only (8 bytes a contact), never the contacts.
    public func exportIDs(_ selection: ExportSelection, archived: Bool, dnc: Bool, by caller: Caller, at now: Timestamp) throws(CallsheetError) -> [ContactID] {
        var ids: [ContactID] = []
        func keep(_ contact: Contact) -> Bool {
            caller.canSee(contact) && (archived || !contact.isArchived) && (dnc || !isDoNotCall(contact, at: now))
        }
        switch selection {
        case .all:
            if caller.role == .admin {
                ids.reserveCapacity(contacts.count)
                for id in orderedIDs where contacts[id].map(keep) == true { ids.append(id) }
            } else if let department = caller.departmentID, let members = departmentIndex[department] {
                // Scope first: a manager's export walks their department's contacts only.
                for id in members where contacts[id].map(keep) == true { ids.append(id) }
            }
        case .some(.ids(let requested)):
            for id in Array(Set(requested)).sorted() where contacts[id].map(keep) == true { ids.append(id) }
        case .some(.query(let query)):
            var resolved = try resolve(query, for: caller)
            if archived { resolved.archived = .all }
            for id in allMatchIDs(resolved) where contacts[id].map(keep) == true { ids.append(id) }
        }
        return ids
    }
}
