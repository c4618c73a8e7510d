import Synchronization
import CallsheetCore

/// Figures every connection updates on its way (commands, writes, errors by code), read by `INFO`
/// and the metrics endpoint. Atomics and one mutex, so no actor hop on the hot path.
public final class StoreCounters: Sendable {
    public let commands = Atomic<Int>(0)
    public let writes = Atomic<Int>(0)
    private let errors = Mutex<[String: Int]>([:])

    public init() {}

    public func record(error code: CallsheetError.Code) {
        errors.withLock { $0[code.rawValue, default: 0] += 1 }
    }

    public var errorsByCode: [String: Int] { errors.withLock { $0 } }
}
