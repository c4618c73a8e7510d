import Synchronization

/// A test hook that makes the journal's next fsyncs or writes fail with a chosen `errno`.
///
/// There is no portable way to make a real `fsync` fail, so tests inject it here. Pass an
/// instance in ``JournalWriter/Options/faultInjection``; production code leaves it `nil`.
public final class JournalFaultInjection: Sendable {
    private struct Plan {
        var fsyncFailures = 0
        var writeFailures = 0
        var errno: Int32 = 5  // EIO
    }

    /// Guards the remaining failure counts.
    private let plan = Mutex(Plan())

    public init() {}

    /// Makes the next `count` fsyncs (`Int.max`: all of them until ``clear()``) fail with `errno`.
    public func failFsyncs(count: Int = .max, errno: Int32 = 5) {
        plan.withLock { $0.fsyncFailures = count; $0.errno = errno }
    }

    /// Makes the next `count` writes fail with `errno`.
    public func failWrites(count: Int = .max, errno: Int32 = 28) {
        plan.withLock { $0.writeFailures = count; $0.errno = errno }
    }

    /// Stops injecting failures.
    public func clear() {
        plan.withLock { $0 = Plan() }
    }

    func takeFsyncFailure() -> Int32? {
        plan.withLock { plan in
            guard plan.fsyncFailures > 0 else { return nil }
            if plan.fsyncFailures != .max { plan.fsyncFailures -= 1 }
            return plan.errno
        }
    }

    func takeWriteFailure() -> Int32? {
        plan.withLock { plan in
            guard plan.writeFailures > 0 else { return nil }
            if plan.writeFailures != .max { plan.writeFailures -= 1 }
            return plan.errno
        }
    }
}
