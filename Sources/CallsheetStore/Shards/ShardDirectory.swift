import CallsheetCore
import CallsheetStorage
import Logging
import PhoneNumbers

/// The organizations of one data directory: their shards, the journal they share, and the
/// indexes that span organizations (organization names, user logins).
///
/// Organization-wide work goes to the shard actors; this actor only handles what crosses
/// organizations (creating one, signing in, snapshots), so one organization's traffic never
/// waits for another's.
public actor ShardDirectory {
    public let configuration: StoreConfiguration
    let logger: Logger
    let journal: JournalWriter?
    /// The data directory's `LOCK`, held from before recovery until ``close()``.
    nonisolated let lock: DataDirectoryLock?
    private(set) var shards: [OrganizationID: OrganizationShard] = [:]
    private(set) var organizationNames: [String: OrganizationID] = [:]
    /// Login name → organization, across the data directory.
    private(set) var logins: [String: OrganizationID] = [:]
    private(set) var nextOrganizationID: OrganizationID = 1
    /// Persistence state (snapshots taken, journal records since the last one).
    var persistence = PersistenceStatus()
    let phones = PhoneNumberNormalizer()
    public let startedAt: Timestamp
    /// Figures connections update without an actor hop.
    public nonisolated let counters = StoreCounters()
    /// Every command's counts and latency (`INFO commandstats`, `latencystats`, `errorstats`).
    public nonisolated let statistics: CommandStatistics
    /// Commands slower than the configured threshold (`SLOWLOG`).
    public nonisolated let slowLog: SlowLog
    /// The last duplicate scan of each organization and scope.
    nonisolated let duplicateScans = DuplicateScans()
    /// Organizations with a cold move or segment rewrite running: one at a time each, so two
    /// never pick the same new segment number.
    var coldBusy: Set<OrganizationID> = []
    /// Segments a rewrite replaced whose files are still on disk, by organization: deleted once
    /// neither the catalogue nor the last snapshot written names them.
    var replacedColdSegments: [OrganizationID: Set<UInt32>] = [:]
    /// The segments the last snapshot names, by organization. At start, the catalogue after
    /// recovery: every segment the loaded snapshot names that is still on disk is in it (start
    /// deletes the others).
    var snapshotColdSegments: [OrganizationID: Set<UInt32>] = [:]

    init(configuration: StoreConfiguration, journal: JournalWriter?, recovered: RecoveredState, logger: Logger, lock: DataDirectoryLock? = nil) {
        self.configuration = configuration
        self.journal = journal
        self.lock = lock
        self.logger = logger
        self.startedAt = Clock.now()
        self.statistics = CommandStatistics(metricsFactory: configuration.metricsFactory)
        self.slowLog = SlowLog(thresholdMicroseconds: configuration.slowLogThresholdMicroseconds, capacity: configuration.slowLogMaxLength)
        self.persistence = recovered.persistence
        self.nextOrganizationID = recovered.nextOrganizationID
        for var state in recovered.organizations.values {
            if !configuration.directory.isEmpty {
                state.attachColdReader(ColdSegmentFiles(directory: ColdSegmentFiles.directory(data: configuration.directory, organization: state.organization.id)))
            }
            snapshotColdSegments[state.organization.id] = Set(state.calls.cold.segments.map(\.id))
            let shard = OrganizationShard(state: state, journal: journal)
            shards[state.organization.id] = shard
            organizationNames[state.organization.name.lowercased()] = state.organization.id
            for user in state.users.values { logins[user.name] = state.organization.id }
            nextOrganizationID = max(nextOrganizationID, state.organization.id + 1)
        }
    }

    /// An in-memory directory with no journal, for tests of the command language.
    public static func inMemory(logger: Logger = Logger(label: "callsheet")) -> ShardDirectory {
        ShardDirectory(configuration: StoreConfiguration(directory: ""), journal: nil, recovered: RecoveredState(), logger: logger)
    }

    public func shard(_ id: OrganizationID) -> OrganizationShard? { shards[id] }

    /// The organization with this id or (case-insensitive) name.
    public func organization(named text: String) -> OrganizationShard? {
        if let id = OrganizationID(text), let shard = shards[id] { return shard }
        return organizationNames[text.lowercased()].flatMap { shards[$0] }
    }

    public var organizationIDs: [OrganizationID] { shards.keys.sorted() }

    /// Creates an organization with a "General" department and its first admin.
    /// - Returns: the new organization's id and the admin's secret (shown once, stored hashed).
    public func createOrganization(name: String, region: String, admin: String) async throws(CallsheetError) -> (OrganizationID, String) {
        let clean = name.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard !clean.isEmpty, TextLimit.name.admits(clean) else { throw CallsheetError(.badRequest, "an organization name is not blank and holds \(TextLimit.name.phrase)") }
        guard organizationNames[clean.lowercased()] == nil else { throw CallsheetError(.conflict, "an organization named '\(clean)' already exists") }
        let regionCode = region.uppercased()
        guard phones.isSupportedRegion(regionCode) else {
            throw CallsheetError(.badRequest, "'\(region)' is not a region libphonenumber knows; use an ISO 3166 code such as US, GB, DE")
        }
        try OrganizationState.validateUserName(admin)
        guard logins[admin] == nil else { throw CallsheetError(.conflict, "the login '\(admin)' is taken; choose another admin name") }
        let id = nextOrganizationID
        nextOrganizationID += 1
        let now = Clock.now()
        let organization = Organization(id: id, name: clean, defaultRegion: regionCode, createdAt: now)
        let secret = SecretHash.generateSecret()
        let changes: [Change] = [
            .putOrganization(organization),
            .putDepartment(Department(id: 1, name: "General")),
            .putUser(User(id: 1, name: admin, role: .admin, departmentID: nil, secret: .make(secret: secret), createdAt: now)),
        ]
        var state = OrganizationState(organization: organization)
        attachColdReader(&state)
        let shard = OrganizationShard(state: state, journal: journal)
        organizationNames[clean.lowercased()] = id
        logins[admin] = id
        shards[id] = shard
        do {
            try await shard.commit(changes)
        } catch {
            shards[id] = nil
            organizationNames[clean.lowercased()] = nil
            logins[admin] = nil
            throw error
        }
        return (id, secret)
    }

    /// Checks a login and its secret. Unknown users and wrong secrets fail alike, in alike time.
    /// - Returns: the user's shard, their record and the shard's user generation it was read at.
    public func authenticate(_ name: String, secret: String) async -> (OrganizationShard, User, UInt64)? {
        guard let organization = logins[name], let shard = shards[organization] else {
            _ = SecretHash.decoy.matches(secret)
            return nil
        }
        guard let (user, generation) = await shard.authenticate(name, secret: secret) else { return nil }
        return (shard, user, generation)
    }

    /// Reserves a login name across the data directory before a shard creates the user.
    func reserveLogin(_ name: String, for organization: OrganizationID) throws(CallsheetError) {
        if logins[name] != nil {
            throw CallsheetError(.conflict, "the login '\(name)' is taken; choose another name")
        }
        logins[name] = organization
    }

    func releaseLogin(_ name: String) { logins[name] = nil }

    /// Refuses a new organization name another organization already uses.
    func checkOrganizationName(_ name: String, for organization: OrganizationID) throws(CallsheetError) {
        let key = name.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").lowercased()
        if let owner = organizationNames[key], owner != organization {
            throw CallsheetError(.conflict, "an organization named '\(name)' already exists")
        }
    }

    /// Keeps the name index in step after `ORG.SET name`.
    func organizationRenamed(_ organization: OrganizationID, to name: String) {
        organizationNames = organizationNames.filter { $0.value != organization }
        organizationNames[name.lowercased()] = organization
    }

    /// Journal records written since the newest snapshot.
    var recordsSinceSnapshot: Int {
        guard let journal else { return 0 }
        return Int(journal.nextSequence - 1) - Int(persistence.lastSnapshotSequence)
    }
}

/// Wall-clock milliseconds.
public enum Clock {
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(spec.tv_sec) * 1000 + Timestamp(spec.tv_nsec / 1_000_000)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
