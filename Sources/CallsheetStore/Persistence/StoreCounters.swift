import Synchronization
import CallsheetCore

/// Figures every connection updates on its way (commands, writes, errors by code), read by `INFO`
/// and the metrics endpoint. Atomics and one mutex, so no actor hop on the hot path.
public final class StoreCounters: Sendable {
    public let commands = Atomic<Int>(0)
    public let writes = Atomic<Int>(0)
    /// Open client connections, kept by the server.
    public let connections = Atomic<Int>(0)
    /// Commands in the last whole second, sampled by ``sample(now:)``.
    public let commandsPerSecond = Atomic<Int>(0)
    private let lastSample = Mutex<(time: Int64, commands: Int)>((0, 0))

    /// Updates ``commandsPerSecond``; called about once a second (the store's scheduler).
    public func sample(now: Int64) {
        let commands = self.commands.load(ordering: .relaxed)
        lastSample.withLock { last in
            if last.time > 0, now > last.time {
                commandsPerSecond.store(Int(Int64(commands - last.commands) * 1000 / (now - last.time)), ordering: .relaxed)
            }
            last = (now, commands)
        }
    }
    private let errors = Mutex<[String: Int]>([:])

    public init() {}

    public func record(error code: CallsheetError.Code) {
        errors.withLock { $0[code.rawValue, default: 0] += 1 }
    }

    public var errorsByCode: [String: Int] { errors.withLock { $0 } }

    /// `CONFIG RESETSTAT`: commands, writes and errors start again from zero.
    public func reset() {
        commands.store(0, ordering: .relaxed)
        writes.store(0, ordering: .relaxed)
        errors.withLock { $0.removeAll() }
        lastSample.withLock { $0 = (0, 0) }
    }
}
