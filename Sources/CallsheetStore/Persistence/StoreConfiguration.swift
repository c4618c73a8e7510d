import CallsheetCore
import CallsheetStorage
import CoreMetrics
import Dispatch

/// How a data directory is opened: where, how durably, and when snapshots are taken.
public struct StoreConfiguration: Sendable {
    /// The data directory: journal segments and snapshots (docs/STORAGE.md).
    public var directory: String
    public var fsyncPolicy: FsyncPolicy = .always
    /// Take a snapshot after this many journaled commands (0: never by count).
    public var snapshotEveryRecords: Int = 100_000
    /// Take a snapshot when this many seconds have passed with writes since the last (0: never by time).
    public var snapshotEverySeconds: Int = 900
    /// Snapshots kept after a new one is written.
    public var keepSnapshots: Int = 2
    /// Organizations of at least this many contacts carry their text index image in snapshots
    /// (read at the next start instead of rebuilt; docs/STORAGE.md). Tests lower it to 0 so that
    /// every snapshot carries one.
    public var indexImageMinimumContacts: Int = SnapshotCodec.imageMinimumContacts
    /// On a corrupt journal, keep what precedes the damage instead of refusing to start.
    public var repair: Bool = false
    /// Journal segment size in bytes.
    public var segmentSize: Int = 64 << 20
    /// Test hook: stop a snapshot at a chosen step, as a crash there would.
    public var snapshotCrashPoint: SnapshotWriter.CrashPoint? = nil
    /// Test hook: duplicate scan jobs wait for this gate before scanning, so that a test reads
    /// one running, meets it with a second scan, or cancels it.
    public var duplicateScanGate: DuplicateScanGate? = nil
    /// Test hook: make the journal's fsyncs or writes fail (``JournalFaultInjection``).
    public var journalFaultInjection: JournalFaultInjection? = nil
    /// How often a failed journal tests the disk before accepting writes again.
    public var journalProbeInterval: DispatchTimeInterval = .seconds(1)
    /// What to tell a person when another process holds the directory's lock: ends the
    /// `DIRECTORY_LOCKED` message (the default suggests `callsheet repl --connect`).
    public var lockAdvice: String? = nil
    /// On a graceful stop, how long running import jobs may take to finish before the final
    /// snapshot; jobs still running then are interrupted (and reported so at the next start).
    public var jobDrainSeconds: Int = 60
    /// How long a finished import job and its error report (which quotes raw cell values) are
    /// kept after the job ends; nil keeps them forever. Running jobs never expire.
    public var importRetention: Duration? = .seconds(30 * 86_400)
    /// Test hook: make the snapshot writer's writes, fsyncs or renames fail.
    public var snapshotFaultInjection: JournalFaultInjection? = nil

    /// Commands at least this slow go in the slow log (`SLOWLOG GET`); negative: none, 0: all.
    public var slowLogThresholdMicroseconds: Int64 = 10_000
    /// Entries the slow log keeps (the oldest go first).
    public var slowLogMaxLength: Int = 128
    /// Where the store's swift-metrics counters and timers go (the metrics endpoint's
    /// registry); nil: the process's `MetricsSystem.factory`.
    public var metricsFactory: (any MetricsFactory)? = nil

    public init(directory: String) {
        self.directory = directory
    }

    /// The control socket's file name inside a data directory.
    public static let controlSocketName = "control.sock"

    /// Where `callsheet serve` listens for its owner (docs/PROTOCOL.md, "The control socket"):
    /// inside the data directory, which only its user may enter.
    public var controlSocketPath: String {
        directory.hasSuffix("/") ? directory + Self.controlSocketName : directory + "/" + Self.controlSocketName
    }
}

/// What persistence has done since the store opened, for `INFO` and the snapshot schedule.
struct PersistenceStatus: Sendable {
    var lastSnapshotAt: Timestamp?
    var lastSnapshotSequence: UInt64 = 0
    var lastSnapshotBytes: Int = 0
    /// Each organization's uncompressed content in the last snapshot this process wrote.
    var lastSnapshotOrganizationBytes: [OrganizationID: Int] = [:]
    /// True until a look found no erasure whose disk clean-up is pending (set again by one that fails).
    var erasuresMayBePending = true
    /// When the scheduler last looked for retention sweeps due (once a minute is enough).
    var lastRetentionCheck: Timestamp = 0
    var snapshotInProgress = false
    var recoveryReport: String = ""
    /// Snapshot files known good: loaded at open or written by this process.
    var usableSnapshots: Set<String> = []
    /// Snapshot files recovery passed over (damaged, undecodable, newer release): never kept by retention.
    var unusableSnapshots: Set<String> = []
}
