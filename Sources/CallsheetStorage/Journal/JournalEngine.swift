import Dispatch
import Logging
import Synchronization

/// The state a ``JournalWriter``'s callers and its writer thread share.
final class JournalEngine: Sendable {
    typealias Waiter = CheckedContinuation<Result<Void, StorageError>, Never>

    let directory: String
    let options: JournalWriter.Options
    let logger: Logger
    /// Protects every field callers and the writer thread share: sequence numbers, the pending
    /// buffer, waiters, health, phase, statistics.
    let state: Mutex<GroupCommitState<Waiter>>
    /// Wakes the writer thread: new work, close, or a health probe.
    let wakeup = DispatchSemaphore(value: 0)
    /// Signalled once the writer thread has stopped.
    let finished = DispatchSemaphore(value: 0)
    /// The error of the final fsync at close, if any.
    let closeError = Mutex<StorageError?>(nil)

    init(directory: String, after lastSequence: UInt64, options: JournalWriter.Options, logger: Logger) {
        self.directory = directory
        self.options = options
        self.logger = logger
        self.state = Mutex(GroupCommitState(after: lastSequence))
    }

    func resume(_ waiters: [Waiter], with result: Result<Void, StorageError>) {
        for waiter in waiters { waiter.resume(returning: result) }
    }

    /// Asks the writer thread to drain and stop, without waiting for it.
    func requestClose() {
        if state.withLock({ $0.beginClose() }) { wakeup.signal() }
    }
}
