/// One change a person can take back with `UNDO` (or `CONTACT.UNMERGE`, `IMPORT.REVERT`): a
/// merge, a bulk edit or delete, a tag merge, rename or delete, an import. Journaled with the
/// change it undoes (change tag 16) and kept in snapshots for the organization's retention.
///
/// It holds each contact change as it was applied (`forward`, field by field) beside the change
/// that reverses it, so an undo restores a field only where the contact still holds what the
/// change wrote, and reports the fields changed since instead of overwriting them.
public struct UndoEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case merge
        case bulkEdit = "bulk_edit"
        case bulkDelete = "bulk_delete"
        case tagMerge = "tag_merge"
        case tagRename = "tag_rename"
        case tagDelete = "tag_delete"
        case importCommit = "import"
    }

    /// One contact change and its reverse.
    public struct Step: Sendable, Hashable {
        public var forward: Change
        public var inverse: Change
        public init(forward: Change, inverse: Change) {
            self.forward = forward
            self.inverse = inverse
        }
    }

    /// What a merge decided, for `MERGE.LOG`.
    public struct Merge: Sendable, Hashable {
        public var survivor: ContactID
        public var merged: [ContactID]
        /// `manual`, or the duplicate rule of an automatic merge.
        public var rule: String
        /// The duplicate score that suggested it (0 for a manual merge without one).
        public var score: Int
        /// Field → the contact whose value the survivor kept.
        public var winners: [(String, ContactID)]

        public init(survivor: ContactID, merged: [ContactID], rule: String, score: Int, winners: [(String, ContactID)]) {
            self.survivor = survivor
            self.merged = merged
            self.rule = rule
            self.score = score
            self.winners = winners
        }

        public static func == (a: Merge, b: Merge) -> Bool {
            a.survivor == b.survivor && a.merged == b.merged && a.rule == b.rule && a.score == b.score
                && a.winners.count == b.winners.count && zip(a.winners, b.winners).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(survivor)
            hasher.combine(merged)
            hasher.combine(rule)
        }
    }

    public var id: UInt64
    public var kind: Kind
    /// What ran, in a few words (`TAG.MERGE Cold INTO VIP`).
    public var summary: String
    public var userID: UserID
    public var userName: String
    public var createdAt: Timestamp
    /// Set once undone; an entry is undone at most once.
    public var undoneAt: Timestamp?
    /// The departments of the contacts the steps touch, before and after: a manager may see and
    /// undo an entry whose departments are their own alone.
    public var departments: [DepartmentID]
    /// The steps as the journal carries them (``RecordCodec``): an import's entry holds a
    /// million small steps in about 20 MB this way, not as a million enum values.
    public private(set) var encodedSteps: [UInt8]
    public private(set) var stepCount: Int
    public var merge: Merge?

    public init(
        id: UInt64, kind: Kind, summary: String, userID: UserID, userName: String, createdAt: Timestamp,
        undoneAt: Timestamp? = nil, departments: [DepartmentID], steps: [Step], merge: Merge? = nil
    ) {
        var writer = BinaryWriter(capacity: steps.count * 24)
        for step in steps {
            RecordCodec.encode(step.forward, into: &writer)
            RecordCodec.encode(step.inverse, into: &writer)
        }
        self.init(
            id: id, kind: kind, summary: summary, userID: userID, userName: userName, createdAt: createdAt, undoneAt: undoneAt,
            departments: departments, encodedSteps: writer.bytes, stepCount: steps.count, merge: merge)
    }

    /// An entry read back: `encodedSteps` were checked by ``RecordCodec/decodeSteps(_:count:)``.
    init(
        id: UInt64, kind: Kind, summary: String, userID: UserID, userName: String, createdAt: Timestamp,
        undoneAt: Timestamp?, departments: [DepartmentID], encodedSteps: [UInt8], stepCount: Int, merge: Merge?
    ) {
        self.id = id
        self.kind = kind
        self.summary = summary
        self.userID = userID
        self.userName = userName
        self.createdAt = createdAt
        self.undoneAt = undoneAt
        self.departments = departments
        self.encodedSteps = encodedSteps
        self.stepCount = stepCount
        self.merge = merge
    }

    /// The steps, decoded.
    public var steps: [Step] {
        // Checked when the entry was made or read, so decoding cannot fail.
        (try? RecordCodec.decodeSteps(encodedSteps, count: stepCount)) ?? []
    }

    /// True when `caller` may see and undo this entry: an admin always; a manager when every
    /// contact it touched is in their department.
    public func isVisible(to caller: Caller) -> Bool {
        caller.role == .admin || departments.allSatisfy { $0 == caller.departmentID }
    }

    /// The most undo entries an organization keeps; the oldest go first past it.
    public static let maximumKept = 10_000
}

extension Change {
    /// The contact a contact change names; nil for every other change.
    public var contactID: ContactID? {
        switch self {
        case .putContact(let contact): contact.id
        case .removeContact(let id): id
        case .patchContact(let patch): patch.contactID
        case .setCallFields(let fields): fields.contactID
        case .moveCalls(_, let merged, _, _): merged
        case .setConsents(let id, _): id
        case .setProtected(let id, _): id
        default: nil
        }
    }
}
