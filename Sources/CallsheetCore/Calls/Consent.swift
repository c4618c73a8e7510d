/// One consent event of a contact ("Maintain records of consent where required"): consent to
/// be reached on a channel for a purpose, granted or withdrawn, when and on what evidence.
///
/// A contact's consents are a history, never edited: the latest event for a (channel, purpose)
/// is its current state (`CONSENT.SET`, `CONSENT.HISTORY`).
public struct ConsentRecord: Sendable, Hashable {
    public var contactID: ContactID
    /// `phone`, `sms`, `email`, `recording` … lower-cased.
    public var channel: String
    /// `marketing`, `sales`, `service` … lower-cased; `any` when it does not matter.
    public var purpose: String
    public var granted: Bool
    public var at: Timestamp
    /// Where it was recorded: a web form, a recorded call's id, a signed paper.
    public var source: String?
    public var recordedBy: UserID

    public init(contactID: ContactID, channel: String, purpose: String, granted: Bool, at: Timestamp, source: String?, recordedBy: UserID) {
        self.contactID = contactID
        self.channel = channel
        self.purpose = purpose
        self.granted = granted
        self.at = at
        self.source = source
        self.recordedBy = recordedBy
    }

    /// The channels a call needs consent on: a withdrawal on one of them makes a contact uncallable.
    public static let callChannels: Set<String> = ["phone", "call", "calls", "voice"]
}

extension Array where Element == ConsentRecord {
    /// The current state per (channel, purpose): the latest event of each, in first-seen order.
    public var current: [ConsentRecord] {
        var latest: [String: Int] = [:]
        var result: [ConsentRecord] = []
        for record in self {
            let key = record.channel + "\u{0}" + record.purpose
            if let index = latest[key] {
                if record.at >= result[index].at { result[index] = record }
            } else {
                latest[key] = result.count
                result.append(record)
            }
        }
        return result
    }

    /// True when the latest event on a call channel, for any purpose, withdrew consent.
    public var withdrawsCalls: Bool {
        current.contains { !$0.granted && ConsentRecord.callChannels.contains($0.channel) }
    }
}

/// A list of contacts to call together, with a state: `CAMPAIGN.CREATE`, `ADD`, `START` …
public struct Campaign: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        case draft, active, paused, ended
    }

    public var id: CampaignID
    public var name: String
    /// The department it belongs to: its manager runs it. Nil for an organization-wide one (admins).
    public var departmentID: DepartmentID?
    public var status: Status
    public var createdAt: Timestamp
    public var createdBy: UserID
    public var updatedAt: Timestamp

    public init(id: CampaignID, name: String, departmentID: DepartmentID?, status: Status, createdAt: Timestamp, createdBy: UserID, updatedAt: Timestamp) {
        self.id = id
        self.name = name
        self.departmentID = departmentID
        self.status = status
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
    }

    /// Active and paused campaigns hold on to their contacts (a delete must remove them first).
    public var isRunning: Bool { status == .active || status == .paused }
}
