/// One resolved change to an organization's state: what the journal carries and replay applies.
///
/// Commands are planned against the state into a list of changes (ids, timestamps and normalized
/// values all decided), so replaying the journal is deterministic and never re-validates.
public enum Change: Sendable, Hashable {
    case putOrganization(Organization)
    case putDepartment(Department)
    case removeDepartment(DepartmentID)
    case putUser(User)
    case removeUser(UserID)
    case putField(FieldDefinition)
    case removeField(String)
    case putContact(Contact)
    case removeContact(ContactID)
    /// Sets one contact's call-tracking fields (`CONTACT.LOGCALL`); nothing when it does not exist.
    case setCallFields(CallFields)
    /// Changes some fields of one contact (an update, a bulk edit, an archive); nothing when it
    /// does not exist. What the journal carries for a put of a contact that exists.
    case patchContact(ContactPatch)
    case putPreset(Preset)
    case removePreset(userID: UserID, name: String)
    /// Replaces the organization's duplicate settings (`DUP.SETTINGS`).
    case putDuplicateSettings(DuplicateSettings)
    /// Remembers (`ignored`) or forgets that two contacts are not duplicates (`DUP.IGNORE`).
    case setIgnoredPair(ContactPair, ignored: Bool)
    /// Adds or replaces an undo entry (a new one, or one marked undone).
    case putUndo(UndoEntry)
    /// Drops an undo entry (past the retention, or the reverse of adding one).
    case removeUndo(UInt64)
    /// Appends a call to the call log (`CALL.LOG`); its id is the log's next.
    case logCall(CallRecord)
    /// Takes the newest call off the log (the undo of logging it); nothing for another id.
    case unlogCall(CallID)
    /// Moves calls between a merged contact and its survivor (`CONTACT.MERGE`, `UNMERGE`):
    /// to the survivor when `toSurvivor`, back to `merged` when not.
    case moveCalls([CallID], merged: ContactID, survivor: ContactID, toSurvivor: Bool)
    /// Erases a contact's calls: unlinked, notes and recording links gone (`CONTACT.ERASE`).
    case eraseCalls(ContactID)
    /// Puts back erased calls (the undo of an erasure that was not made durable; never journaled).
    case restoreCalls(ContactID, [CallRecord])
    /// Removes do-not-call entries, then adds or replaces others (`DNC.ADD`, `DNC.REMOVE`, imports).
    case changeDoNotCall(put: [DoNotCallEntry], remove: [DoNotCallEntry.Target])
    /// Replaces a contact's consent history (`CONSENT.SET` appends to it).
    case setConsents(ContactID, [ConsentRecord])
    case putCampaign(Campaign)
    case removeCampaign(CampaignID)
    /// Adds and removes contacts of a campaign.
    case changeCampaignMembers(CampaignID, add: [ContactID], remove: [ContactID])
    /// Marks a contact system-critical (`CONTACT.PROTECT`): only an admin's FORCE deletes it.
    case setProtected(ContactID, Bool)
    /// Replaces the organization's retention rules (`RETENTION.SET`).
    case putRetention(RetentionSettings)
    /// Adds an erasure receipt (`CONTACT.ERASE`); no personal data in it.
    case putErasure(ErasureReceipt)
    /// Drops a receipt (only the undo of adding one: receipts are kept).
    case removeErasure(UInt64)
    /// Makes the calls of a segment cold: the segment file was written and synced before this
    /// was journaled (cold storage; docs/STORAGE.md, "Cold call segments").
    case freezeCalls(ColdSegment)
    /// Puts a rewritten segment (moves and erasures folded in) in place of the one of its range.
    case replaceColdSegment(ColdSegment)
    /// Puts the call log back as it was: the undo of the two above (never journaled).
    case restoreCallLog(CallLogUndo)
}

/// Two contacts, the smaller id first.
public struct ContactPair: Sendable, Hashable {
    public let low: ContactID
    public let high: ContactID

    public init(_ a: ContactID, _ b: ContactID) {
        low = min(a, b)
        high = max(a, b)
    }
}

/// The changes of one command, applied and journaled as a unit: after a crash it is there whole or not at all.
public struct ChangeSet: Sendable, Hashable {
    public var organizationID: OrganizationID
    public var changes: [Change]

    public init(organizationID: OrganizationID, changes: [Change]) {
        self.organizationID = organizationID
        self.changes = changes
    }
}
