import NIOCore
import Synchronization

/// The open connections, so a graceful shutdown can stop each one reading while it finishes
/// the requests it already has.
final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [UInt64: Channel] = [:]
        var gates: [UInt64: ConnectionGate] = [:]
        var draining = false
    }

    private let state = Mutex(State())
    private let lastID = Atomic<UInt64>(0)

    /// A fresh connection id, for logs.
    func nextID() -> UInt64 {
        lastID.add(1, ordering: .relaxed).newValue
    }

    /// Registers a connection; false once shutdown began (close it at once).
    func register(_ id: UInt64, _ channel: Channel, gate: ConnectionGate) -> Bool {
        state.withLock { state in
            guard !state.draining else { return false }
            state.channels[id] = channel
            state.gates[id] = gate
            return true
        }
    }

    func remove(_ id: UInt64) {
        state.withLock { state in
            state.channels[id] = nil
            state.gates[id] = nil
        }
    }

    /// Requests read from clients and not answered yet, over all open connections.
    func pendingRequests() -> Int {
        state.withLock { state in state.gates.values.reduce(0) { $0 + $1.pendingRequests } }
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
