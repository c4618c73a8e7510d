import PhoneNumbers

/// Planning contact commands: validate against the state, decide every value, return the changes.
/// Nothing here mutates; a thrown error means the command changes nothing.
extension OrganizationState {
    /// How far in the future a logged call's time may be: clocks of dialers drift.
    static let futureCallTolerance: Timestamp = 5 * 60_000

    static let contactInputKeys: Set<String> = ["name", "phone", "phone_extension", "email", "company", "tags", "notes", "custom_fields", "department_id"]

    /// The contact with `id` if the caller may see it; NOT_FOUND otherwise, so that ids in other
    /// departments cannot be probed.
    /// The contact `id` was merged into, followed to the end (an incoming call from a
    /// merged-away number finds the survivor); `id` itself when it was not merged.
    public func survivor(of id: ContactID) -> ContactID {
        var current = id
        // Merges chain at most this deep in practice; the bound keeps a damaged chain finite.
        for _ in 0..<64 {
            guard let next = contacts[current]?.mergedInto, contacts.contains(next) else { return current }
            current = next
        }
        return current
    }

    public func visibleContact(_ id: ContactID, for caller: Caller) throws(CallsheetError) -> Contact {
        guard let contact = contacts[id], caller.canSee(contact) else { throw .notFound(contact: id) }
        return contact
    }

    /// Reads `text` as a phone number with the organization's region and validation setting.
    /// - Throws: `INVALID_PHONE` with libphonenumber's reason.
    public func normalizePhone(_ text: String, context: PlanningContext) throws(CallsheetError) -> String {
        try parsePhone(text, context: context).e164
    }

    /// The whole parse: E.164, and the extension when the text has one (`ext. 12`).
    public func parsePhone(_ text: String, context: PlanningContext) throws(CallsheetError) -> PhoneNumber {
        do {
            return try context.phones.parse(text, defaultRegion: organization.defaultRegion, validation: organization.settings.phoneValidation)
        } catch {
            throw CallsheetError(.invalidPhone, error.message)
        }
    }

    /// `phone_extension` as given: digits (1–20), or null / "" to clear.
    static func phoneExtension(_ value: JSONValue) throws(CallsheetError) -> String? {
        switch value {
        case .null: return nil
        case .string(let raw):
            let text = raw.trimmingSpaces()
            if text.isEmpty { return nil }
            guard text.utf8.count <= 20, text.utf8.allSatisfy({ $0 &- UInt8(ascii: "0") < 10 }) else {
                throw CallsheetError(.invalidField, "field 'phone_extension' expects 1 to 20 digits, got '\(text.prefix(40))'")
            }
            return text
        case .integer(let number) where number >= 0:
            return String(number)
        default:
            throw CallsheetError(.invalidField, "field 'phone_extension' expects digits as text, e.g. \"12\", or null")
        }
    }

    /// Warnings about the `phone` of a contact input: a number spelled with letters.
    public func phoneWarnings(_ input: JSONValue, context: PlanningContext) -> [String] {
        guard case .string(let text)? = input["phone"], text.contains(where: { $0.isLetter }),
              let number = try? parsePhone(text, context: context),
              let warning = Self.vanityWarning(text, read: number) else { return [] }
        return [warning]
    }

    /// The reply of a contact write: the contact, with `"warnings": [...]` when there are any.
    /// Likely duplicates add a warning each and `"duplicates": [...]` with their rules and scores.
    public func contactReplyJSON(_ contact: Contact, for role: Role, warnings: [String], duplicates: [DuplicateMatch] = []) -> [UInt8] {
        var bytes = contactJSON(contact, for: role)
        let warnings = warnings + (duplicates.isEmpty ? [] : ["likely duplicate of " + Self.describe(duplicates)])
        guard !warnings.isEmpty, bytes.last == UInt8(ascii: "}") else { return bytes }
        bytes.removeLast()
        var json = JSONWriter()
        json.write(.array(warnings.map { .string($0) }))
        bytes += Array(#","warnings":"#.utf8) + json.bytes
        if !duplicates.isEmpty {
            var list = JSONWriter()
            list.write(.array(duplicates.map(\.json)))
            bytes += Array(#","duplicates":"#.utf8) + list.bytes
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    /// A warning when `text` spelled the number with letters (`1-800-FLOWERS`): libphonenumber
    /// reads them as keypad digits, which the caller should know.
    public static func vanityWarning(_ text: String, read number: PhoneNumber) -> String? {
        var core = Substring(text)
        if number.phoneExtension != nil {
            // Drop the extension: its digits, then its marker (ext, extension, x, #, comma).
            while let last = core.last, last.isNumber || last.isWhitespace || ".#,:;".contains(last) { core = core.dropLast() }
            var marker = ""
            while let last = core.last, last.isLetter { marker = String(last) + marker; core = core.dropLast() }
            if !["ext", "extension", "ex", "x", "extn", ""].contains(marker.lowercased()) { core += marker }
        }
        guard core.filter({ $0.isLetter }).count >= 2 else { return nil }
        return "phone '\(text.prefix(60))' has letters: read as \(number.e164) (each letter is its keypad digit)"
    }

    /// Plans `CONTACT.ADD`.
    public func planAdd(_ input: JSONValue, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> Contact {
        try caller.require(.manager, for: "CONTACT.ADD")
        let members = try Self.objectMembers(input, allowed: Self.contactInputKeys, what: "contact")
        let name = try ContactText.name(members["name"])
        guard let phoneValue = members["phone"], case .string(let phoneText) = phoneValue else {
            throw CallsheetError(.invalidPhone, "field 'phone' is required and must be text, e.g. \"+15551234567\"")
        }
        let number = try parsePhone(phoneText, context: context)
        let phone = number.e164
        try checkPhoneIsFree(phone, for: nil, caller: caller)
        let department = try targetDepartment(members["department_id"], caller: caller)
        var contact = Contact(
            id: nextContactID, organizationID: organization.id, departmentID: department, createdByUserID: caller.userID,
            name: name, phone: phone, createdAt: context.now, updatedAt: context.now
        )
        contact.phoneExtension = try members["phone_extension"].map(Self.phoneExtension) ?? number.phoneExtension
        if let value = members["email"] { contact.email = try ContactText.email(value) }
        if let value = members["company"] { contact.company = try ContactText.optional(value, field: "company", limit: ContactText.companyLimit) }
        if let value = members["notes"] { contact.notes = try ContactText.optional(value, field: "notes", limit: ContactText.notesLimit) }
        if let value = members["tags"] { contact.tags = canonicalTags(try ContactText.tags(value)) }
        contact.customFields = try resolveCustomFields(members["custom_fields"], onto: [:], caller: caller, creating: true)
        return flaggingDoNotCall(contact, at: context.now)
    }

    /// Plans `CONTACT.UPDATE`: only the members present change; `null` clears an optional field.
    public func planUpdate(_ id: ContactID, _ input: JSONValue, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> Contact {
        try caller.require(.manager, for: "CONTACT.UPDATE")
        var contact = try visibleContact(id, for: caller)
        let members = try Self.objectMembers(input, allowed: Self.contactInputKeys, what: "contact")
        if members.isEmpty { throw CallsheetError(.badRequest, "nothing to update: give at least one of \(Self.contactInputKeys.sorted().joined(separator: ", "))") }
        if let value = members["name"] { contact.name = try ContactText.name(value) }
        if let value = members["phone"] {
            guard case .string(let text) = value else { throw CallsheetError(.invalidPhone, "field 'phone' must be text and cannot be cleared") }
            let number = try parsePhone(text, context: context)
            contact.phone = number.e164
            contact.phoneExtension = number.phoneExtension
            try checkPhoneIsFree(contact.phone, for: id, caller: caller)
        }
        if let value = members["phone_extension"] { contact.phoneExtension = try Self.phoneExtension(value) }
        if let value = members["email"] { contact.email = try ContactText.email(value) }
        if let value = members["company"] { contact.company = try ContactText.optional(value, field: "company", limit: ContactText.companyLimit) }
        if let value = members["notes"] { contact.notes = try ContactText.optional(value, field: "notes", limit: ContactText.notesLimit) }
        if let value = members["tags"] { contact.tags = canonicalTags(try ContactText.tags(value)) }
        if let value = members["department_id"] {
            guard value != .null, value != .string("") else {
                throw CallsheetError(.invalidField, "field 'department_id' cannot be cleared: every contact belongs to a department; give one's id (DEPT.LIST shows them)")
            }
            contact.departmentID = try targetDepartment(value, caller: caller)
        }
        if let value = members["custom_fields"] {
            contact.customFields = try resolveCustomFields(value, onto: contact.customFields, caller: caller, creating: false)
        }
        contact.updatedAt = context.now
        return flaggingDoNotCall(contact, at: context.now)
    }

    /// Plans `CONTACT.DELETE`: soft (archive) or permanent.
    /// A protected contact, or one in a running campaign, needs an admin's `force`.
    public func planDelete(_ id: ContactID, permanent: Bool, force: Bool = false, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> Change {
        try caller.require(.manager, for: "CONTACT.DELETE")
        var contact = try visibleContact(id, for: caller)
        if let blocker = try deleteBlocker(id, force: force, by: caller) { throw CallsheetError(.conflict, blocker) }
        if permanent { return .removeContact(id) }
        guard contact.archivedAt == nil else {
            throw CallsheetError(.conflict, "contact \(id) is already archived; CONTACT.DELETE \(id) PERMANENT removes it for good")
        }
        contact.archivedAt = context.now
        contact.updatedAt = context.now
        return .putContact(contact)
    }

    /// Plans `CONTACT.RESTORE` of an archived contact.
    public func planRestore(_ id: ContactID, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> Contact {
        try caller.require(.manager, for: "CONTACT.RESTORE")
        var contact = try visibleContact(id, for: caller)
        guard contact.archivedAt != nil else { throw CallsheetError(.conflict, "contact \(id) is not archived") }
        if let survivor = contact.mergedInto {
            throw CallsheetError(.conflict, "contact \(id) was merged into \(survivor); CONTACT.UNMERGE the merge (MERGE.LOG lists it) to bring it back")
        }
        contact.archivedAt = nil
        contact.updatedAt = context.now
        return contact
    }

    /// Plans `CONTACT.LOGCALL`: ``planCall(_:_:by:context:)`` with the outcome and time alone;
    /// returns the contact after it.
    public func planLogCall(_ id: ContactID, outcome: String, at time: Timestamp?, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> Contact {
        try planCall(id, .object([("outcome", .string(outcome))]), at: time, by: caller, context: context).contact
    }

    // MARK: Pieces

    func checkPhoneIsFree(_ phone: String, for id: ContactID?, caller: Caller) throws(CallsheetError) {
        guard let existing = phoneIndex[phone], existing != id, let other = contacts[existing] else { return }
        let archived = other.archivedAt != nil ? " (archived: CONTACT.RESTORE it, or delete it PERMANENT first)" : ""
        if caller.canSee(other) {
            throw CallsheetError(.duplicatePhone, "phone \(phone) already belongs to contact \(existing)\(archived)")
        }
        throw CallsheetError(.duplicatePhone, "phone \(phone) already belongs to a contact of another department")
    }

    /// The department a written contact lands in: the manager's own, or the one an admin names.
    func targetDepartment(_ value: JSONValue?, caller: Caller) throws(CallsheetError) -> DepartmentID {
        if let value, value != .null {
            guard case .integer(let number) = value, number > 0 else {
                throw CallsheetError(.invalidField, "field 'department_id' expects a department id number")
            }
            let id = DepartmentID(number)
            guard departments[id] != nil else { throw CallsheetError(.notFound, "no department with id \(id) (DEPT.LIST shows them)") }
            if caller.role != .admin, id != caller.departmentID {
                throw CallsheetError(.forbidden, "a manager's contacts stay in their own department (\(caller.departmentID.map(String.init) ?? "none"))")
            }
            return id
        }
        if let own = caller.departmentID { return own }
        if let first = departments.keys.min() { return first }
        throw CallsheetError(.badRequest, "the organization has no department yet; create one with DEPT.CREATE <name>")
    }

    /// Maps tags to the organization's display forms and drops repeats, keeping first-seen order.
    func canonicalTags(_ tags: [String]) -> [String] {
        var seen: Set<TagKey> = []
        var result: [String] = []
        for tag in tags {
            guard let key = TagKey(tag), seen.insert(key).inserted else { continue }
            result.append(tagDisplay[key] ?? tag)
        }
        return result
    }

    /// Validates custom field input against the definitions and merges it onto `existing`.
    func resolveCustomFields(_ input: JSONValue?, onto existing: [String: FieldValue], caller: Caller, creating: Bool) throws(CallsheetError) -> [String: FieldValue] {
        var values = existing
        if !creating, let input, input == .null || input == .string("") {
            // Clearing the member clears every value the caller may write; required ones stay
            // required, and fields the caller cannot see are not theirs to clear.
            for definition in orderedFields where values[definition.name] != nil && (definition.isVisible(to: caller.role) || caller.role == .admin) {
                if definition.required {
                    throw CallsheetError(.invalidField, "field '\(definition.name)' is required and cannot be cleared; clear the other custom fields one by one")
                }
                values[definition.name] = nil
            }
            return values
        }
        if let input, input != .null {
            guard case .object(let members) = input else {
                throw CallsheetError(.invalidField, "field 'custom_fields' expects an object such as {\"customer_id\": \"CRM-1\"}")
            }
            for (name, value) in members {
                if let definition = fields[name], definition.archived, caller.role == .admin || definition.visibleTo.contains(caller.role) {
                    throw CallsheetError(.invalidField, "custom field '\(name)' is archived and cannot be written; FIELD.UNARCHIVE \(name) (admins) brings it back")
                }
                guard let definition = fields[name], definition.isVisible(to: caller.role) || (caller.role == .admin && !definition.archived) else {
                    let known = orderedFields.filter { $0.isVisible(to: caller.role) }.map(\.name)
                    throw CallsheetError(.invalidField, "unknown custom field '\(name)'; defined: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
                }
                if value == .null || value == .string("") {
                    if definition.required { throw CallsheetError(.invalidField, "field '\(name)' is required and cannot be cleared") }
                    values[name] = nil
                } else {
                    values[name] = try definition.validate(value)
                }
            }
        }
        if creating {
            for definition in orderedFields where definition.required && definition.isVisible(to: caller.role) && values[definition.name] == nil {
                throw CallsheetError(.invalidField, "field '\(definition.name)' (\(definition.label)) is required")
            }
        }
        return values
    }

    /// The members of a JSON object, refusing names outside `allowed`.
    static func objectMembers(_ input: JSONValue, allowed: Set<String>, what: String) throws(CallsheetError) -> [String: JSONValue] {
        guard case .object(let list) = input else {
            throw CallsheetError(.badRequest, "expected a JSON object describing the \(what), got \(input.kindDescription)")
        }
        var members: [String: JSONValue] = [:]
        for (key, value) in list {
            guard allowed.contains(key) else {
                throw CallsheetError(.badRequest, "unknown \(what) member '\(key)'; expected one of \(allowed.sorted().joined(separator: ", "))")
            }
            members[key] = value
        }
        return members
    }
}
