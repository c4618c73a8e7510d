import AsyncHTTPClient
import CallsheetCore
import CallsheetProtocol
import Foundation
import NIOCore
import PhoneNumbers
import Synchronization

/// Runs the import commands of one data directory: reads sources, checks rows in parallel,
/// commits each import as one change set on the organization's shard, and keeps the jobs, their
/// error reports, the import defaults and `contact-import.log` under `<data>/imports/`.
///
/// One runner per ``ShardDirectory``, found with ``for(_:)``. Jobs interrupted by a crash are
/// settled when the runner starts: completed if their change set reached the journal, else failed.
public actor ImportRunner {
    /// Where Google Sheets are fetched from and how patiently.
    public struct Configuration: Sendable {
        /// Base of the export URL; `CALLSHEET_SHEETS_BASE_URL` overrides the default.
        public var sheetsBaseURL: String
        /// Seconds before a sheet download is abandoned: the whole download (redirects and
        /// body), and the longest wait for the next bytes.
        public var sheetTimeout: Double = 30
        /// Seconds to open a connection to the sheets host (at most `sheetTimeout`).
        public var sheetConnectTimeout: Double = 10
        /// Google Sheets imports allowed per user per hour.
        public var sheetsPerHour: Int = 10
        /// The event loops sheet downloads run on: the server's. Nil: AsyncHTTPClient's default
        /// group (the REPL, tests), where no thread is started for them.
        public var eventLoopGroup: (any EventLoopGroup)?
        /// Where the proxy settings are read (`HTTPS_PROXY`, `NO_PROXY`, ...): the process's
        /// environment unless given.
        public var environment: [String: String]

        public init(
            sheetsBaseURL: String? = nil, sheetTimeout: Double = 30, sheetsPerHour: Int = 10,
            sheetConnectTimeout: Double = 10, eventLoopGroup: (any EventLoopGroup)? = nil, environment: [String: String]? = nil
        ) {
            let environment = environment ?? ProcessInfo.processInfo.environment
            self.sheetsBaseURL = sheetsBaseURL ?? environment["CALLSHEET_SHEETS_BASE_URL"] ?? "https://docs.google.com"
            self.sheetTimeout = sheetTimeout
            self.sheetConnectTimeout = sheetConnectTimeout
            self.sheetsPerHour = sheetsPerHour
            self.eventLoopGroup = eventLoopGroup
            self.environment = environment
        }
    }

    let directory: ShardDirectory
    let configuration: Configuration
    let files: ImportFiles
    let phones = PhoneNumberNormalizer()
    var jobs: [ImportJobID: ImportJob] = [:]
    var tasks: [ImportJobID: Task<Void, Never>] = [:]
    var progress: [ImportJobID: ProgressCounter] = [:]
    /// Error reports of a store without a data directory.
    var errorReports: [ImportJobID: String] = [:]
    var limiter: SheetRateLimiter
    var nextJobID: ImportJobID = 1
    /// Jobs whose files expired, and the next id (`imports/expired-jobs.json`).
    var expired = ExpiredImportJobs()
    /// When the last expiry pass ran (``expireIfDue(now:)``).
    var lastExpiryPass: Timestamp?
    /// Loading the jobs on disk; every command waits for it.
    private var recovery: Task<Void, Never>?
    /// The HTTP client of sheet downloads, made on first use, shut down with the store
    /// (``shutDownSheetClient()``).
    private var sheetClient: HTTPClient?

    init(directory: ShardDirectory, configuration: Configuration) {
        self.directory = directory
        self.configuration = configuration
        self.files = ImportFiles(dataDirectory: directory.configuration.directory)
        // Fetches (previews and dry runs included) are bounded too, more loosely than imports,
        // so the server cannot be made to hammer the sheets host.
        self.limiter = SheetRateLimiter(limit: configuration.sheetsPerHour * 6)
    }

    private static let registry = Mutex<[ObjectIdentifier: ImportRunner]>([:])

    /// The runner of `directory`, made on first use.
    public static func `for`(_ directory: ShardDirectory) -> ImportRunner {
        registry.withLock { runners in
            if let runner = runners[ObjectIdentifier(directory)] { return runner }
            let runner = ImportRunner(directory: directory, configuration: Configuration())
            runners[ObjectIdentifier(directory)] = runner
            return runner
        }
    }

    /// Replaces the runner of `directory` with one using `configuration` (tests, the server's options).
    @discardableResult
    public static func configure(_ directory: ShardDirectory, _ configuration: Configuration) -> ImportRunner {
        let (runner, replaced) = registry.withLock { runners in
            let runner = ImportRunner(directory: directory, configuration: configuration)
            let replaced = runners.updateValue(runner, forKey: ObjectIdentifier(directory))
            return (runner, replaced)
        }
        if let replaced { Task { await replaced.shutDownSheetClient() } }
        return runner
    }

    /// The client sheet downloads use (see ``SheetFetcher/makeClient(sheetsBaseURL:timeout:connectTimeout:environment:group:)``).
    /// - Throws: `SHEET_UNAVAILABLE` when the proxy setting cannot be used.
    func sheetHTTPClient() throws(CallsheetError) -> HTTPClient {
        if let sheetClient { return sheetClient }
        let client = try SheetFetcher.makeClient(
            sheetsBaseURL: configuration.sheetsBaseURL, timeout: configuration.sheetTimeout,
            connectTimeout: configuration.sheetConnectTimeout, environment: configuration.environment,
            group: configuration.eventLoopGroup)
        sheetClient = client
        return client
    }

    /// Shuts down the client of sheet downloads, if one was made (a download still running
    /// fails with `SHEET_UNAVAILABLE`). Another is made if a download comes later.
    func shutDownSheetClient() async {
        guard let client = sheetClient else { return }
        sheetClient = nil
        try? await client.shutdown()
    }

    /// The runner of `directory` if one was made (nothing runs in a directory without one).
    static func existing(for directory: ShardDirectory) -> ImportRunner? {
        registry.withLock { $0[ObjectIdentifier(directory)] }
    }

    /// Import jobs on record by state (`completed`, `failed`, …), for `INFO` and the metrics
    /// endpoint: completed ÷ (completed + failed + rejected) is the import success rate.
    public func jobCountsByState() async -> [String: Int] {
        await recoverIfNeeded()
        var counts = Dictionary(uniqueKeysWithValues: ImportJob.State.allCases.map { ($0.rawValue, 0) })
        for job in jobs.values { counts[job.state.rawValue, default: 0] += 1 }
        return counts
    }

    /// Jobs running in the background (`IMPORT.START`), oldest first.
    public var runningJobs: [ImportJobID] { tasks.keys.sorted() }

    /// Waits until no job runs, or `timeout` has passed; returns the jobs still running then.
    public func drain(timeout: Duration) async -> [ImportJobID] {
        let deadline = ContinuousClock.now + timeout
        while !tasks.isEmpty, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        return runningJobs
    }

    /// Loads the jobs on disk once, settling those a crash interrupted and deleting those that
    /// expired; callers that come meanwhile wait for it.
    func recoverIfNeeded() async {
        if recovery == nil { recovery = Task { await self.recover() } }
        await recovery?.value
    }

    private func recover() async {
        if let loaded = files.loadExpired() {
            expired = loaded
            nextJobID = max(nextJobID, loaded.nextJobID, (loaded.entries.keys.max() ?? 0) + 1)
        }
        for var job in files.loadJobs() {
            nextJobID = max(nextJobID, job.id + 1)
            // An expiry pass stopped after recording the job and before deleting its files.
            if expired.entries[job.id] != nil {
                files.remove(job: job.id)
                continue
            }
            if !job.state.isFinished {
                job = await settleInterrupted(job)
                files.save(job)
            }
            jobs[job.id] = job
        }
        expire(now: Clock.now())
    }

    /// A job found unfinished at start: completed if its first change is in the recovered state.
    private func settleInterrupted(_ job: ImportJob) async -> ImportJob {
        var job = job
        var stored = false
        if job.state == .committing, let marker = job.marker, let shard = await directory.shard(job.organizationID) {
            stored = (try? await shard.read { state in
                guard let contact = state.contacts[marker.contactID] else { return false }
                return contact.phone == marker.phone && (contact.createdAt == marker.time || contact.updatedAt == marker.time)
            }) ?? false
        }
        job.finishedAt = Clock.now()
        if stored {
            job.state = .completed
            job.message = "the store restarted after this import was stored; the counts are those planned"
        } else {
            job.state = .failed
            job.message = "interrupted by a restart before it was stored; nothing was imported, run it again"
            job.created = 0
            job.updated = 0
        }
        files.log(logLine(job))
        return job
    }

    /// One line of `contact-import.log`.
    func logLine(_ job: ImportJob) -> String {
        let time = TimestampFormat.iso8601(job.finishedAt ?? Clock.now())
        let elapsed = (job.finishedAt ?? Clock.now()) - job.startedAt
        return "\(time) job=\(job.id) org=\(job.organizationID) user=\(LogText.escaped(job.userName)) state=\(job.state.rawValue) rows=\(job.totalRows) created=\(job.created) updated=\(job.updated) skipped=\(job.skipped) rejected=\(job.rejected) needs_review=\(job.needsReview) ms=\(elapsed) source=\(ImportReport.field(LogText.escaped(job.source))) message=\(ImportReport.field(LogText.escaped(job.message, limit: 1024)))"
    }
}

/// Rows checked so far by a running job, updated from the checking tasks without an actor hop.
final class ProgressCounter: Sendable {
    private let value = Atomic<Int>(0)
    func set(_ count: Int) { value.store(count, ordering: .relaxed) }
    var current: Int { value.load(ordering: .relaxed) }
}
