/// An organization's retention rules (`RETENTION.SET`), each off until set, and what the last
/// sweep did. The seed's "Data Retention Policy": inactive contacts deleted after N days of no
/// call activity, opted-out contacts retained for compliance, deleted contacts' call logs kept
/// as metadata for an audit trail for N days.
public struct RetentionSettings: Sendable, Hashable {
    /// Archive contacts with no call for this many days (counted from their last call, or
    /// their creation when never called).
    public var inactiveDays: Int?
    /// Remove for good contacts archived this many days ago (their calls stay, unlinked).
    public var archivedPurgeDays: Int?
    /// Erase the calls of contacts removed for good after this many days (notes and
    /// recording links go; time, duration, outcome and agent stay for statistics).
    public var deletedCallDays: Int?
    /// Opted-out (do-not-call) contacts are never archived or removed by a sweep: the record of
    /// their opt-out must outlive their inactivity. On unless set off.
    public var retainOptedOut: Bool = true
    /// Move calls older than this many days out of memory into cold segments on disk
    /// (`cold_call_days`; docs/STORAGE.md, "Cold call segments"). Off unless set.
    public var coldCallDays: Int?
    /// Sweep every this many minutes (0: only `RETENTION.RUN`).
    public var intervalMinutes: Int = 1_440

    /// When the last sweep ran and what it did.
    public var lastRunAt: Timestamp?
    public var lastRunArchived: Int = 0
    public var lastRunPurged: Int = 0
    public var lastRunCallsErased: Int = 0
    public var lastRunExpiredDoNotCall: Int = 0

    public init() {}

    /// The largest number of days a rule takes (100 years).
    public static let maximumDays = 36_500
}

/// What `CONTACT.ERASE` did, kept (`ERASURE.LIST`) without any personal data: ids and counts.
public struct ErasureReceipt: Sendable, Hashable {
    public var id: UInt64
    public var contactID: ContactID
    public var requestedBy: UserID
    public var at: Timestamp
    public var callsErased: Int
    public var consentsErased: Int
    public var doNotCallEntriesErased: Int
    public var undoEntriesErased: Int
    /// When the data directory held no byte of the contact any more (the journal segments and
    /// snapshots that did were rewritten or removed); nil while that is pending.
    public var diskCleanAt: Timestamp?

    public init(id: UInt64, contactID: ContactID, requestedBy: UserID, at: Timestamp, callsErased: Int, consentsErased: Int,
                doNotCallEntriesErased: Int, undoEntriesErased: Int, diskCleanAt: Timestamp? = nil) {
        self.id = id
        self.contactID = contactID
        self.requestedBy = requestedBy
        self.at = at
        self.callsErased = callsErased
        self.consentsErased = consentsErased
        self.doNotCallEntriesErased = doNotCallEntriesErased
        self.undoEntriesErased = undoEntriesErased
        self.diskCleanAt = diskCleanAt
    }
}
