import CallsheetCore

/// One import, from its start to its outcome. Persisted as `<data>/imports/jobs/<id>.json`
/// after every change of state, so jobs and their reports survive a restart.
public struct ImportJob: Sendable, Hashable {
    public enum State: String, Sendable, Hashable, CaseIterable {
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

    /// Reads a job file written by ``json``; nil when it is not one (see ``init(decoding:)`` for why).
    init?(json: JSONValue) {
        guard let job = try? ImportJob(decoding: json) else { return nil }
        self = job
    }

    /// Reads a job file written by ``json``, checking every number before it is converted: ids
    /// 1 through 2^53 (user ids from 0: the data directory's owner), counts 0 through 2^53.
    /// - Throws: `INTERNAL` naming the member that is missing or out of range.
    init(decoding json: JSONValue) throws(CallsheetError) {
        func fail(_ what: String) -> CallsheetError { CallsheetError(.internal, "import job file: \(what)") }
        func integer(_ key: String, in object: JSONValue? = nil) -> Int64? {
            if case .integer(let value)? = (object ?? json)[key] { value } else { nil }
        }
        func string(_ key: String) -> String? { if case .string(let value)? = json[key] { value } else { nil } }
        /// `lowest` is 0 for user ids (the data directory's owner is user 0).
        func id(_ key: String, in object: JSONValue? = nil, lowest: Int64 = 1) throws(CallsheetError) -> UInt64 {
            guard let value = integer(key, in: object) else { throw fail("\(key) is missing or not an integer") }
            guard value >= lowest, UInt64(value) <= BinaryReader.maximumID else {
                throw fail("\(key) \(value) is out of range (\(lowest)–\(BinaryReader.maximumID))")
            }
            return UInt64(value)
        }
        func count(_ key: String) throws(CallsheetError) -> Int {
            guard let value = integer(key) else { return 0 }
            guard value >= 0, UInt64(value) <= BinaryReader.maximumID else {
                throw fail("\(key) \(value) is out of range (0–\(BinaryReader.maximumID))")
            }
            return Int(value)
        }
        guard let started = string("started_at").flatMap(TimestampFormat.parse) else { throw fail("started_at is missing or not a time") }
        guard let state = string("state").flatMap(State.init) else { throw fail("state is missing or unknown") }
        self.init(id: try id("job_id"), organizationID: try id("organization_id"), userID: try id("user_id", lowest: 0),
                  userName: string("user") ?? "", source: string("source") ?? "", startedAt: started)
        self.state = state
        totalRows = try count("total_rows")
        processedRows = try count("processed_rows")
        created = try count("created")
        updated = try count("updated")
        skipped = try count("skipped")
        rejected = try count("rejected")
        needsReview = try count("needs_review")
        warnings = try count("warnings")
        message = string("message") ?? ""
        finishedAt = string("finished_at").flatMap(TimestampFormat.parse)
        if let marker = json["marker"], case .string(let phone)? = marker["phone"], let time = integer("time", in: marker),
           integer("contact_id", in: marker) != nil {
            guard BinaryReader.timestampRange.contains(time) else { throw fail("marker time \(time) is out of range") }
            self.marker = CommitMarker(contactID: try id("contact_id", in: marker), phone: phone, time: time)
        }
    }
}
