import NIOCore
import Synchronization

/// The open connections, so a graceful shutdown can stop each one reading while it finishes
/// the requests it already has.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [UInt64: Channel] = [:]
        var draining = false
    }

    private let state = Mutex(State())
    private let lastID = Atomic<UInt64>(0)

    /// A fresh connection id, for logs.
    func nextID() -> UInt64 {
        lastID.add(1, ordering: .relaxed).newValue
    }

    /// Registers a connection; false once shutdown began (close it at once).
    func register(_ id: UInt64, _ channel: Channel) -> Bool {
        state.withLock { state in
            guard !state.draining else { return false }
            state.channels[id] = channel
            return true
        }
    }

    func remove(_ id: UInt64) {
        _ = state.withLock { $0.channels.removeValue(forKey: id) }
    }

    /// Stops every connection reading: each answers what it has read, then closes.
    func drain() {
        let channels = state.withLock { state in
            state.draining = true
            return Array(state.channels.values)
        }
        for channel in channels {
            channel.pipeline.fireUserInboundEventTriggered(DrainHandler.Event())
        }
    }
}
