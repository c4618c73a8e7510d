extension OrganizationState {
    /// Checks every index against the contacts, brute force. For tests; O(n · tags).
    public func _checkInvariants() -> [String] {
        var problems: [String] = []
        var phones: [String: ContactID] = [:]
        var tags: [TagKey: SortedIDs] = [:]
        var departmentsSeen: [DepartmentID: SortedIDs] = [:]
        for contact in contacts.values {
            if let other = phones[contact.phone] { problems.append("phone \(contact.phone) on contacts \(other) and \(contact.id)") }
            phones[contact.phone] = contact.id
            for tag in contact.tags {
                guard let key = TagKey(tag) else { problems.append("contact \(contact.id) has empty tag"); continue }
                tags[key, default: []].insert(contact.id)
                if tagDisplay[key] != tag { problems.append("tag '\(tag)' on \(contact.id) differs from display '\(tagDisplay[key] ?? "nil")'") }
            }
            departmentsSeen[contact.departmentID, default: []].insert(contact.id)
            if contact.id >= nextContactID { problems.append("contact \(contact.id) ≥ nextContactID \(nextContactID)") }
        }
        let stored = contacts.reduce(0) { count, _ in count + 1 }
        if stored != contacts.count { problems.append("contact table counts \(contacts.count), holds \(stored)") }
        let archived = contacts.count(where: \.isArchived)
        if archived != contacts.archivedCount { problems.append("contact table counts \(contacts.archivedCount) archived, holds \(archived)") }
        if phones != Dictionary(uniqueKeysWithValues: phoneIndex.entries.map { ($0.phone, $0.id) }) { problems.append("phone index differs from contacts (\(phoneIndex.count) vs \(phones.count))") }
        if tags != tagIndex { problems.append("tag index differs from contacts") }
        if Set(tagDisplay.keys) != Set(tags.keys) { problems.append("tag display keys differ from tags in use") }
        if departmentsSeen != departmentIndex { problems.append("department index differs from contacts") }
        if !orderedIDs.elementsEqual(contacts.keys) { problems.append("ordered id list differs from contacts") }
        problems.append(contentsOf: orderedIDs._checkInvariants().map { "ordered id list: \($0)" })
        for (key, ids) in tagIndex { problems.append(contentsOf: ids._checkInvariants().map { "tag \(key): \($0)" }) }
        for (id, ids) in departmentIndex { problems.append(contentsOf: ids._checkInvariants().map { "department \(id): \($0)" }) }
        problems.append(contentsOf: textIndex._checkInvariants(against: contacts))
        if duplicateKeys != DuplicateKeyIndex.rebuilt(from: contacts) { problems.append("duplicate key index differs from the contacts' names") }
        problems.append(contentsOf: duplicateKeys._checkShape().map { "duplicate key index: \($0)" })
        return problems
    }
}
