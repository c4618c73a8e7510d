/// The call-tracking fields of one contact: what `CONTACT.LOGCALL` changes, and all it journals.
///
/// A logged call touches no index, so its change carries these few values instead of the whole
/// contact (about 30 bytes in a journal record instead of a few hundred); its undo is the
/// previous values in the same form.
public struct CallFields: Sendable, Hashable {
    public var contactID: ContactID
    public var lastCalledAt: Timestamp?
    public var lastCallOutcome: String?
    public var totalCalls: Int
    public var updatedAt: Timestamp

    public init(contactID: ContactID, lastCalledAt: Timestamp?, lastCallOutcome: String?, totalCalls: Int, updatedAt: Timestamp) {
        self.contactID = contactID
        self.lastCalledAt = lastCalledAt
        self.lastCallOutcome = lastCallOutcome
        self.totalCalls = totalCalls
        self.updatedAt = updatedAt
    }

    /// The fields as `contact` holds them.
    public init(of contact: Contact) {
        self.init(contactID: contact.id, lastCalledAt: contact.lastCalledAt, lastCallOutcome: contact.lastCallOutcome,
                  totalCalls: contact.totalCalls, updatedAt: contact.updatedAt)
    }
}

extension Contact {
    /// Sets the call-tracking fields (and `updatedAt`) from `fields`.
    mutating func set(_ fields: CallFields) {
        lastCalledAt = fields.lastCalledAt
        lastCallOutcome = fields.lastCallOutcome
        totalCalls = fields.totalCalls
        updatedAt = fields.updatedAt
    }
}
