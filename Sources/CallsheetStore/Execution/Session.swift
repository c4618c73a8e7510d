import CallsheetCore

/// One client's conversation: who signed in, in which organization. A TCP connection and a REPL
/// each hold one and pass it to every ``CommandExecutor/execute(_:session:)``.
public struct Session: Sendable {
    public internal(set) var caller: Caller?
    public internal(set) var shard: OrganizationShard?
    /// True for the REPL on a local data directory: its user owns the files and has every right.
    public let isLocalOwner: Bool
    /// Set by `QUIT`: the connection closes after the reply.
    public internal(set) var wantsClose = false

    public init(isLocalOwner: Bool) {
        self.isLocalOwner = isLocalOwner
        if isLocalOwner { caller = .owner }
    }

    public var isAuthenticated: Bool { caller != nil }
    public var organizationID: OrganizationID? { shard?.id }
}
