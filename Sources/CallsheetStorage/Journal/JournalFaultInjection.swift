import Synchronization

/// A test hook that makes chosen writes, fsyncs or renames fail with a chosen `errno`.
///
/// There is no portable way to make a real `fsync` fail, so tests inject it here. Pass an
/// instance in ``JournalWriter/Options/faultInjection`` (the journal: record and header writes,
/// file and directory fsyncs) or ``SnapshotWriter/Options/faultInjection`` (the snapshot writer:
/// writes, fsyncs, the rename that publishes it); production code leaves both `nil`.
///
/// Every operation of a kind is counted, failed or not, so a test can run a workload once to
/// learn how many there are, then fail the Nth of them, once or from then on.
public final class JournalFaultInjection: Sendable {
    /// The kinds of operation that can be made to fail.
    public enum Operation: Sendable, Hashable, CaseIterable {
        case write, fsync, rename
    }

    private struct Rule {
        /// Operations that still succeed before the failures start.
        var skip = 0
        /// Failures left; `Int.max` fails every one until ``clear()``.
        var failures = 0
        var errno: Int32 = 5
    }

    private struct Plan {
        var rules: [Operation: Rule] = [:]
        var attempts: [Operation: Int] = [:]
    }

    /// Guards the rules and the counts.
    private let plan = Mutex(Plan())

    public init() {}

    /// Lets `skipped` more operations of the kind succeed, then fails the next `count` of them
    /// (`Int.max`: every one until ``clear()``) with `errno` (default `EIO`).
    public func fail(_ operation: Operation, after skipped: Int = 0, count: Int = .max, errno: Int32 = 5) {
        plan.withLock { $0.rules[operation] = Rule(skip: skipped, failures: count, errno: errno) }
    }

    /// Makes the next `count` fsyncs (`Int.max`: all of them until ``clear()``) fail with `errno`.
    public func failFsyncs(count: Int = .max, errno: Int32 = 5) { fail(.fsync, count: count, errno: errno) }

    /// Makes the next `count` writes fail with `errno`.
    public func failWrites(count: Int = .max, errno: Int32 = 28) { fail(.write, count: count, errno: errno) }

    /// Stops injecting failures (the counts of attempts go on).
    public func clear() {
        plan.withLock { $0.rules = [:] }
    }

    /// How many operations of the kind were attempted so far, failed ones included.
    public func attempts(_ operation: Operation) -> Int {
        plan.withLock { $0.attempts[operation, default: 0] }
    }

    /// Counts one operation; returns the `errno` it must fail with, or nil to go ahead.
    func take(_ operation: Operation) -> Int32? {
        plan.withLock { plan in
            plan.attempts[operation, default: 0] += 1
            guard var rule = plan.rules[operation], rule.failures > 0 else { return nil }
            defer { plan.rules[operation] = rule }
            if rule.skip > 0 {
                rule.skip -= 1
                return nil
            }
            if rule.failures != .max { rule.failures -= 1 }
            return rule.errno
        }
    }
}
