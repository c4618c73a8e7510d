/// Identifier of a logged call; unique within its organization, never reused (the calls of an
/// organization are numbered 1, 2, 3 … in the order they were logged).
public typealias CallID = UInt64
/// Identifier of a campaign; unique within its organization, never reused.
public typealias CampaignID = UInt64

/// How a call came about (the seed's "Manual outbound calls", "Campaign calls", "Inbound calls").
public enum CallKind: String, Sendable, Hashable, CaseIterable {
    case manual
    case campaign
    case inbound

    /// `inbound` for inbound calls, `outbound` for the others.
    public var direction: String { self == .inbound ? "inbound" : "outbound" }
}

/// One call to or from a contact, as `CALL.LOG` records it and `CALL.HISTORY` shows it.
public struct CallRecord: Sendable, Hashable {
    public var id: CallID
    public var contactID: ContactID
    /// When the call started.
    public var at: Timestamp
    public var durationSeconds: Int
    /// Lower-cased: completed, no-answer, voicemail, busy … (free text, interned per organization).
    public var outcome: String
    /// The user who handled it.
    public var agentID: UserID
    public var kind: CallKind
    public var campaignID: CampaignID?
    public var notes: String?
    public var recordingURL: String?
    /// Set by `CONTACT.ERASE`: the call's contact, notes and recording link are gone; its time,
    /// duration, outcome and agent stay for the organization's statistics.
    public var erased: Bool

    public init(
        id: CallID, contactID: ContactID, at: Timestamp, durationSeconds: Int, outcome: String, agentID: UserID,
        kind: CallKind, campaignID: CampaignID? = nil, notes: String? = nil, recordingURL: String? = nil, erased: Bool = false
    ) {
        self.id = id
        self.contactID = contactID
        self.at = at
        self.durationSeconds = durationSeconds
        self.outcome = outcome
        self.agentID = agentID
        self.kind = kind
        self.campaignID = campaignID
        self.notes = notes
        self.recordingURL = recordingURL
        self.erased = erased
    }

    /// The largest duration a call may state: 24 hours.
    public static let maximumDuration = 86_400
    /// Calls reach contacts whose ids fit 32 bits (about four billion contacts an organization):
    /// the call log stores them in four bytes.
    public static let maximumContactID = ContactID(UInt32.max)
}
