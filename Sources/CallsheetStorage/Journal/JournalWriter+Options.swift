import CoreMetrics
import Dispatch

extension JournalWriter {
    /// How a ``JournalWriter`` syncs, rotates and reports.
    public struct Options: Sendable {
        public var fsyncPolicy: FsyncPolicy
        /// A segment is closed and a new one started once it reaches this many bytes (64 MiB).
        public var segmentSize: Int
        /// How often the failed writer tests the disk.
        public var probeInterval: DispatchTimeInterval
        /// The `everysec` period.
        public var everysecInterval: DispatchTimeInterval
        /// Called on the writer thread when the writer fails or recovers. Keep it short.
        public var onHealthChange: (@Sendable (JournalHealth) -> Void)?
        /// Test hook: injected fsync/write failures.
        public var faultInjection: JournalFaultInjection?
        /// When the disk is full (`ENOSPC`, `EDQUOT`) as the writer opens its first segment, start
        /// in the failed state instead of throwing: `append` throws `journalUnavailable` and the
        /// probe creates the segment once there is room (a read-only start). Off: `init` throws.
        public var startsReadOnlyWhenFull: Bool
        /// Where the writer's swift-metrics go (records appended, bytes, batch sizes, fsync
        /// latency); nil: the process's `MetricsSystem.factory`.
        public var metricsFactory: (any MetricsFactory)? = nil

        public init(
            fsyncPolicy: FsyncPolicy = .always,
            segmentSize: Int = 64 << 20,
            probeInterval: DispatchTimeInterval = .seconds(1),
            everysecInterval: DispatchTimeInterval = .seconds(1),
            onHealthChange: (@Sendable (JournalHealth) -> Void)? = nil,
            faultInjection: JournalFaultInjection? = nil,
            startsReadOnlyWhenFull: Bool = false
        ) {
            self.fsyncPolicy = fsyncPolicy
            self.segmentSize = segmentSize
            self.probeInterval = probeInterval
            self.everysecInterval = everysecInterval
            self.onHealthChange = onHealthChange
            self.faultInjection = faultInjection
            self.startsReadOnlyWhenFull = startsReadOnlyWhenFull
        }
    }
}
