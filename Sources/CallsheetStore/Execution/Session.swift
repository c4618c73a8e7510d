import CallsheetCore

/// One client's conversation: who signed in, in which organization. A TCP connection and a REPL
/// each hold one and pass it to every ``CommandExecutor/execute(_:session:)``.
public struct Session: Sendable {
    public internal(set) var caller: Caller?
    public internal(set) var shard: OrganizationShard?
    /// True for the REPL on a local data directory: its user owns the files and has every right.
    public let isLocalOwner: Bool
    /// Set by `QUIT`, and when the signed-in user is deleted or re-keyed: the connection closes
    /// after the reply.
    public internal(set) var wantsClose = false
    /// The peer's address (`ip:port`), for the slow log; the REPL's is empty.
    public var clientAddress = ""
    /// The organization's user generation when ``caller`` was last checked against its record.
    var userGeneration: UInt64 = 0
    /// The secret the caller signed in with, as stored then: a reset secret signs them out.
    var signedInSecret: SecretHash?

    public init(isLocalOwner: Bool) {
        self.isLocalOwner = isLocalOwner
        if isLocalOwner { caller = .owner }
    }

    public var isAuthenticated: Bool { caller != nil }
    public var organizationID: OrganizationID? { shard?.id }

    mutating func signIn(_ user: User, shard: OrganizationShard, generation: UInt64) {
        caller = Caller(user)
        self.shard = shard
        userGeneration = generation
        signedInSecret = user.secret
    }

    mutating func signOut() {
        caller = isLocalOwner ? .owner : nil
        if !isLocalOwner { shard = nil }
        signedInSecret = nil
        wantsClose = !isLocalOwner
    }
}
