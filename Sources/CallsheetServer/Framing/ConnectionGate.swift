import Synchronization

/// What a connection's task and the handlers on its event loop tell each other: whether the
/// client has authenticated (the framing limits to apply), whether a sign-in is still being
/// checked, and how many requests are decoded and not yet answered (past a limit neither the
/// decoder nor the socket goes on, see ``ReadPauseHandler``).
///
/// Atomics, because the task and the event loop run on different threads.
final class ConnectionGate: Sendable {
    private let authenticated: Atomic<Bool>
    private let authenticating = Atomic<Bool>(false)
    private let pending = Atomic<Int>(0)
    private let waitingForAnswers = Atomic<Bool>(false)

    /// - Parameter authenticated: true for a connection signed in from the start (the control
    ///   socket's owner): the full framing limits apply to it at once.
    init(authenticated: Bool = false) {
        self.authenticated = Atomic(authenticated)
    }

    var isAuthenticated: Bool { authenticated.load(ordering: .acquiring) }

    /// True from the moment the decoder hands over a sign-in (`AUTH`, `HELLO`) until its reply is known.
    var isAuthenticating: Bool { authenticating.load(ordering: .acquiring) }

    func beginAuthentication() {
        authenticating.store(true, ordering: .releasing)
    }

    /// Ends a sign-in; `succeeded` is whether the connection is signed in now.
    func endAuthentication(succeeded: Bool) {
        if succeeded {
            authenticated.store(true, ordering: .releasing)
        }
        authenticating.store(false, ordering: .releasing)
    }

    // MARK: Requests read ahead

    /// Requests the decoder has handed over and the task has not answered yet.
    var pendingRequests: Int { pending.load(ordering: .acquiring) }

    /// Called by the decoder when it hands over `count` requests.
    func handedOver(_ count: Int) {
        pending.add(count, ordering: .sequentiallyConsistent)
    }

    /// Called by the task once it has answered `count` requests. True when the decoder was
    /// waiting for answers, or reading may have been held at `limit`: then resume it
    /// (``RequestFrameDecoder/resume(_:)``).
    func answered(_ count: Int, limit: Int) -> Bool {
        let before = pending.subtract(count, ordering: .sequentiallyConsistent).oldValue
        let wasWaiting = waitingForAnswers.exchange(false, ordering: .sequentiallyConsistent)
        return wasWaiting || before >= limit
    }

    /// Called by the decoder when `pendingRequests` reached its limit. Returns false when answers
    /// arrived meanwhile (go on decoding); true when it must wait: ``answered(_:)`` then reports it.
    func waitForAnswers(limit: Int) -> Bool {
        waitingForAnswers.store(true, ordering: .sequentiallyConsistent)
        guard pending.load(ordering: .sequentiallyConsistent) >= limit else {
            waitingForAnswers.store(false, ordering: .sequentiallyConsistent)
            return false
        }
        return true
    }

    // MARK: Reading

    /// True while the socket must not be read: a sign-in is being checked (the framing limits
    /// after it depend on its outcome), or `limit` requests wait for their replies.
    func holdsReads(limit: Int) -> Bool {
        isAuthenticating || pendingRequests >= limit
    }
}
