/// The fields of one contact a command changed, with their new values: what an update journals
/// and undoes instead of the whole contact (``Change/patchContact(_:)``).
///
/// A patch names the contact and its new `updatedAt`, then only the fields that differ. Custom
/// fields are patched one by one (a removed one is `nil`). A patch never changes what a contact
/// is created with (its id, organization, creator, creation time): a put does that.
public struct ContactPatch: Sendable, Hashable {
    /// One changed field and its new value.
    public enum Field: Sendable, Hashable {
        case department(DepartmentID)
        case name(String)
        case phone(String)
        case phoneExtension(String?)
        case email(String?)
        case company(String?)
        case tags([String])
        case notes(String?)
        case customField(String, FieldValue?)
        case lastCalledAt(Timestamp?)
        case lastCallOutcome(String?)
        case totalCalls(Int)
        case archivedAt(Timestamp?)
        case mergedInto(ContactID?)
    }

    public var contactID: ContactID
    public var updatedAt: Timestamp
    public var fields: [Field]

    public init(contactID: ContactID, updatedAt: Timestamp, fields: [Field]) {
        self.contactID = contactID
        self.updatedAt = updatedAt
        self.fields = fields
    }

    /// The patch that turns `old` into `new`, or nil when they differ in what a patch cannot
    /// change (id, organization, creator, creation time).
    /// - Complexity: O(size of the two contacts).
    public init?(from old: Contact, to new: Contact) {
        guard old.id == new.id, old.organizationID == new.organizationID, old.createdByUserID == new.createdByUserID,
              old.createdAt == new.createdAt else { return nil }
        var fields: [Field] = []
        if old.departmentID != new.departmentID { fields.append(.department(new.departmentID)) }
        if old.name != new.name { fields.append(.name(new.name)) }
        if old.phone != new.phone { fields.append(.phone(new.phone)) }
        if old.phoneExtension != new.phoneExtension { fields.append(.phoneExtension(new.phoneExtension)) }
        if old.email != new.email { fields.append(.email(new.email)) }
        if old.company != new.company { fields.append(.company(new.company)) }
        if old.tags != new.tags { fields.append(.tags(new.tags)) }
        if old.notes != new.notes { fields.append(.notes(new.notes)) }
        if old.customFields != new.customFields {
            for name in Set(old.customFields.keys).union(new.customFields.keys).sorted() where old.customFields[name] != new.customFields[name] {
                fields.append(.customField(name, new.customFields[name]))
            }
        }
        if old.lastCalledAt != new.lastCalledAt { fields.append(.lastCalledAt(new.lastCalledAt)) }
        if old.lastCallOutcome != new.lastCallOutcome { fields.append(.lastCallOutcome(new.lastCallOutcome)) }
        if old.totalCalls != new.totalCalls { fields.append(.totalCalls(new.totalCalls)) }
        if old.archivedAt != new.archivedAt { fields.append(.archivedAt(new.archivedAt)) }
        if old.mergedInto != new.mergedInto { fields.append(.mergedInto(new.mergedInto)) }
        self.init(contactID: new.id, updatedAt: new.updatedAt, fields: fields)
    }

    /// The patch that restores `contact`'s values of the fields this patch changes.
    public func undo(on contact: Contact) -> ContactPatch {
        ContactPatch(contactID: contactID, updatedAt: contact.updatedAt, fields: fields.map { $0.value(on: contact) })
    }
}

extension ContactPatch.Field {
    /// This field with `contact`'s value: equal to `self` when the contact holds what this sets.
    public func value(on contact: Contact) -> ContactPatch.Field {
        switch self {
        case .department: .department(contact.departmentID)
        case .name: .name(contact.name)
        case .phone: .phone(contact.phone)
        case .phoneExtension: .phoneExtension(contact.phoneExtension)
        case .email: .email(contact.email)
        case .company: .company(contact.company)
        case .tags: .tags(contact.tags)
        case .notes: .notes(contact.notes)
        case .customField(let name, _): .customField(name, contact.customFields[name])
        case .lastCalledAt: .lastCalledAt(contact.lastCalledAt)
        case .lastCallOutcome: .lastCallOutcome(contact.lastCallOutcome)
        case .totalCalls: .totalCalls(contact.totalCalls)
        case .archivedAt: .archivedAt(contact.archivedAt)
        case .mergedInto: .mergedInto(contact.mergedInto)
        }
    }

    /// The member name a reply uses for this field (`custom_fields.industry` for a custom field).
    public var name: String {
        switch self {
        case .department: "department_id"
        case .name: "name"
        case .phone: "phone"
        case .phoneExtension: "phone_extension"
        case .email: "email"
        case .company: "company"
        case .tags: "tags"
        case .notes: "notes"
        case .customField(let name, _): "custom_fields." + name
        case .lastCalledAt: "last_called_at"
        case .lastCallOutcome: "last_call_outcome"
        case .totalCalls: "total_calls"
        case .archivedAt: "archived_at"
        case .mergedInto: "merged_into"
        }
    }
}

extension Contact {
    /// This contact with `patch` applied.
    public func applying(_ patch: ContactPatch) -> Contact {
        var contact = self
        contact.updatedAt = patch.updatedAt
        for field in patch.fields {
            switch field {
            case .department(let value): contact.departmentID = value
            case .name(let value): contact.name = value
            case .phone(let value): contact.phone = value
            case .phoneExtension(let value): contact.phoneExtension = value
            case .email(let value): contact.email = value
            case .company(let value): contact.company = value
            case .tags(let value): contact.tags = value
            case .notes(let value): contact.notes = value
            case .customField(let name, let value): contact.customFields[name] = value
            case .lastCalledAt(let value): contact.lastCalledAt = value
            case .lastCallOutcome(let value): contact.lastCallOutcome = value
            case .totalCalls(let value): contact.totalCalls = value
            case .archivedAt(let value): contact.archivedAt = value
            case .mergedInto(let value): contact.mergedInto = value
            }
        }
        return contact
    }
}

extension Change {
    /// `changes` with every put of a contact that already exists in `state`, and that no other
    /// change of the list touches, turned into a patch of the fields it changes: the same
    /// result when applied, a record of the changed fields instead of the whole contact.
    /// - Complexity: O(changes) lookups, plus a comparison of each patched contact.
    public static func patches(_ changes: [Change], against state: OrganizationState) -> [Change] {
        // The usual write: one put (an update), with no other change to count against.
        if changes.count == 1, case .putContact(let contact) = changes[0] {
            guard let old = state.contacts[contact.id], let patch = ContactPatch(from: old, to: contact) else { return changes }
            return [.patchContact(patch)]
        }
        // Most large sets (imports of new contacts) create only: nothing to count then.
        let updates = changes.contains { change in
            if case .putContact(let contact) = change { state.contacts.contains(contact.id) } else { false }
        }
        guard updates else { return changes }
        var touched: [ContactID: Int] = [:]
        for change in changes {
            switch change {
            case .putContact(let contact): touched[contact.id, default: 0] += 1
            case .removeContact(let id): touched[id, default: 0] += 1
            case .setCallFields(let fields): touched[fields.contactID, default: 0] += 1
            case .patchContact(let patch): touched[patch.contactID, default: 0] += 1
            default: continue
            }
        }
        return changes.map { change in
            guard case .putContact(let contact) = change, touched[contact.id] == 1, let old = state.contacts[contact.id],
                  let patch = ContactPatch(from: old, to: contact) else { return change }
            return .patchContact(patch)
        }
    }
}
