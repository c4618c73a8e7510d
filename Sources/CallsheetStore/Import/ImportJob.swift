import CallsheetCore

/// One import, from its start to its outcome. Persisted as `<data>/imports/jobs/<id>.json`
/// after every change of state, so jobs and their reports survive a restart.
public struct ImportJob: Sendable, Hashable {
    public enum State: String, Sendable, Hashable {
        case queued, fetching, validating, committing
        /// Stored; the counts say what happened.
        case completed
        /// Strict import with invalid rows; nothing stored.
        case rejected
        /// `ask` policy found duplicates; nothing stored.
        case needsReview = "needs_review"
        /// An error (or a crash) stopped it; nothing stored.
        case failed
        case cancelled

        public var isFinished: Bool {
            switch self {
            case .queued, .fetching, .validating, .committing: false
            default: true
            }
        }
    }

    /// What identifies the first change of a commit, to tell after a crash whether it was stored.
    public struct CommitMarker: Sendable, Hashable {
        public var contactID: ContactID
        public var phone: String
        public var time: Timestamp
    }

    public var id: ImportJobID
    public var organizationID: OrganizationID
    public var userID: UserID
    public var userName: String
    public var source: String
    public var state: State = .queued
    public var totalRows = 0
    public var processedRows = 0
    public var created = 0
    public var updated = 0
    public var skipped = 0
    public var rejected = 0
    public var needsReview = 0
    public var warnings = 0
    public var message = ""
    public var startedAt: Timestamp
    public var finishedAt: Timestamp?
    public var marker: CommitMarker?

    public init(id: ImportJobID, organizationID: OrganizationID, userID: UserID, userName: String, source: String, startedAt: Timestamp) {
        self.id = id
        self.organizationID = organizationID
        self.userID = userID
        self.userName = userName
        self.source = source
        self.startedAt = startedAt
    }

    /// Copies the counts of a plan.
    mutating func record(_ plan: ImportPlan) {
        totalRows = plan.rows.count
        processedRows = plan.rows.count
        created = plan.created
        updated = plan.updated
        skipped = plan.skipped
        rejected = plan.rejected
        needsReview = plan.needsReview
        warnings = plan.warnings
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("job_id", .integer(Int64(id))),
            ("organization_id", .integer(Int64(organizationID))),
            ("user_id", .integer(Int64(userID))),
            ("user", .string(userName)),
            ("source", .string(source)),
            ("state", .string(state.rawValue)),
            ("total_rows", .integer(Int64(totalRows))),
            ("processed_rows", .integer(Int64(processedRows))),
            ("created", .integer(Int64(created))),
            ("updated", .integer(Int64(updated))),
            ("skipped", .integer(Int64(skipped))),
            ("rejected", .integer(Int64(rejected))),
            ("needs_review", .integer(Int64(needsReview))),
            ("warnings", .integer(Int64(warnings))),
            ("message", .string(message)),
            ("started_at", .string(TimestampFormat.iso8601(startedAt))),
            ("finished_at", finishedAt.map { .string(TimestampFormat.iso8601($0)) } ?? .null),
        ]
        if let marker {
            members.append(("marker", .object([
                ("contact_id", .integer(Int64(marker.contactID))), ("phone", .string(marker.phone)), ("time", .integer(marker.time)),
            ])))
        }
        return .object(members)
    }

    /// Reads a job file written by ``json``; nil when it is not one.
    init?(json: JSONValue) {
        func integer(_ key: String) -> Int64? { if case .integer(let value)? = json[key] { value } else { nil } }
        func string(_ key: String) -> String? { if case .string(let value)? = json[key] { value } else { nil } }
        guard let id = integer("job_id"), let organization = integer("organization_id"), let user = integer("user_id"),
              let started = string("started_at").flatMap(TimestampFormat.parse), let state = string("state").flatMap(State.init) else { return nil }
        self.init(id: ImportJobID(id), organizationID: OrganizationID(organization), userID: UserID(user),
                  userName: string("user") ?? "", source: string("source") ?? "", startedAt: started)
        self.state = state
        totalRows = Int(integer("total_rows") ?? 0)
        processedRows = Int(integer("processed_rows") ?? 0)
        created = Int(integer("created") ?? 0)
        updated = Int(integer("updated") ?? 0)
        skipped = Int(integer("skipped") ?? 0)
        rejected = Int(integer("rejected") ?? 0)
        needsReview = Int(integer("needs_review") ?? 0)
        warnings = Int(integer("warnings") ?? 0)
        message = string("message") ?? ""
        finishedAt = string("finished_at").flatMap(TimestampFormat.parse)
        if let marker = json["marker"], case .integer(let contact)? = marker["contact_id"], case .string(let phone)? = marker["phone"],
           case .integer(let time)? = marker["time"] {
            self.marker = CommitMarker(contactID: ContactID(contact), phone: phone, time: time)
        }
    }
}
