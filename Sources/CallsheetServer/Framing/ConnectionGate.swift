import Synchronization

/// What a connection's task tells the handlers on its event loop: whether the client has
/// authenticated (the framing limits to apply) and whether an `AUTH` is still being checked.
///
/// Atomics, because the task and the event loop run on different threads.
final class ConnectionGate: Sendable {
    private let authenticated = Atomic<Bool>(false)
    private let authenticating = Atomic<Bool>(false)

    var isAuthenticated: Bool { authenticated.load(ordering: .acquiring) }

    /// True from the moment the decoder hands over an `AUTH` until its reply is known.
    var isAuthenticating: Bool { authenticating.load(ordering: .acquiring) }

    func beginAuthentication() {
        authenticating.store(true, ordering: .releasing)
    }

    func endAuthentication(succeeded: Bool) {
        if succeeded {
            authenticated.store(true, ordering: .releasing)
        }
        authenticating.store(false, ordering: .releasing)
    }
}
