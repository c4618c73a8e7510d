/// A person or business a call center may call: every field of the seed's `contacts` table.
///
/// A value type: the shard holds one per id, snapshots copy them, the journal carries them whole.
public struct Contact: Sendable, Hashable {
    public var id: ContactID
    public var organizationID: OrganizationID
    public var departmentID: DepartmentID
    public var createdByUserID: UserID

    /// Required, trimmed, 1–255 characters.
    public var name: String
    /// E.164, unique within the organization.
    public var phone: String
    /// The extension's digits (`ext. 12`), kept apart from the E.164 number: lookups and
    /// uniqueness go by `phone`, a dialer dials `phone` then the extension.
    public var phoneExtension: String? = nil
    /// Syntax-checked; the domain is stored lower-cased.
    public var email: String?
    public var company: String?

    /// Display forms, one per tag key (see ``TagKey``), in the order they were added.
    public var tags: [String]
    public var notes: String?
    /// Values keyed by custom field name; validated against the organization's definitions.
    public var customFields: [String: FieldValue]

    public var lastCalledAt: Timestamp?
    public var lastCallOutcome: String?
    public var totalCalls: Int

    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// Set when the contact is soft-deleted; `CONTACT.RESTORE` clears it.
    public var archivedAt: Timestamp?
    /// The contact this one was merged into (`CONTACT.MERGE`): it is archived, and a lookup of
    /// its phone finds the survivor. `CONTACT.UNMERGE` clears it.
    public var mergedInto: ContactID? = nil

    public init(
        id: ContactID, organizationID: OrganizationID, departmentID: DepartmentID, createdByUserID: UserID,
        name: String, phone: String, email: String? = nil, company: String? = nil, tags: [String] = [],
        notes: String? = nil, customFields: [String: FieldValue] = [:], lastCalledAt: Timestamp? = nil,
        lastCallOutcome: String? = nil, totalCalls: Int = 0, createdAt: Timestamp, updatedAt: Timestamp,
        archivedAt: Timestamp? = nil
    ) {
        self.id = id
        self.organizationID = organizationID
        self.departmentID = departmentID
        self.createdByUserID = createdByUserID
        self.name = name
        self.phone = phone
        self.email = email
        self.company = company
        self.tags = tags
        self.notes = notes
        self.customFields = customFields
        self.lastCalledAt = lastCalledAt
        self.lastCallOutcome = lastCallOutcome
        self.totalCalls = totalCalls
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.archivedAt = archivedAt
    }

    public var isArchived: Bool { archivedAt != nil }
}
