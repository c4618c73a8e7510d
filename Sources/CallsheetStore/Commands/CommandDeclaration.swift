import CallsheetCore
import CallsheetProtocol

/// One command of the language, declared once: its ``CommandSpec`` (name, usage, summary, group,
/// access), how its arguments are read, and what runs it. ``CommandCatalog`` lists them;
/// `HELP`, REPL completion, role enforcement, lookup batching and ``CommandExecutor``'s dispatch
/// all read that list, so a new command is one declaration and the handler it names.
///
/// A declaration's parser reads the arguments and returns the ``Run`` that carries them, so
/// what a command needs is checked before any of it runs, and the run's kind is fixed by the
/// declaration's constructor (``read(_:_:_:_:_:parse:)``, ``write(_:_:_:_:_:parse:)`` …).
public struct CommandDeclaration: Sendable {
    public let spec: CommandSpec
    /// True for commands that may change state (and so are journaled before their reply).
    public let isWrite: Bool
    /// True for the lookups a dialer pipelines (`CONTACT.GET`, `CONTACT.BYPHONE`): a run of them
    /// is answered in one visit to the shard (``CommandExecutor/execute(batch:session:)``).
    public let isLookup: Bool
    /// Reads the arguments into the run.
    private let bind: @Sendable (inout ArgumentReader) throws(CallsheetError) -> Run

    /// What a parsed command does, its arguments bound. The executor checks what each kind
    /// needs (a signed-in caller, a chosen organization) in the order listed.
    enum Run: Sendable {
        /// Needs nothing: the connection's own commands (`PING`, `AUTH`, `QUIT` …).
        case connection(@Sendable (inout Session, CommandExecutor) async throws(CallsheetError) -> RESPValue)
        /// Needs a signed-in caller, not an organization (`WHOAMI`, `USE`, `SNAPSHOT` …).
        case signedIn(@Sendable (Caller, inout Session, CommandExecutor) async throws(CallsheetError) -> RESPValue)
        /// Reads the organization's state, on its shard.
        case read(@Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> RESPValue)
        /// Reads a view of the organization's state off its shard: for reads that may walk
        /// many contacts, which would otherwise hold up every write of the organization.
        case scan(@Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> RESPValue)
        /// Plans a change on the shard: the changes to journal and apply, and the reply.
        case write(@Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> ([Change], RESPValue))
        /// Anything else in the organization: work around a read or write (the directory's
        /// logins, a setting's checks) or the import runner.
        case organization(@Sendable (OrganizationContext) async throws(CallsheetError) -> RESPValue)
    }

    private init(_ spec: CommandSpec, isWrite: Bool, isLookup: Bool = false, bind: @escaping @Sendable (inout ArgumentReader) throws(CallsheetError) -> Run) {
        self.spec = spec
        self.isWrite = isWrite
        self.isLookup = isLookup
        self.bind = bind
    }

    /// Reads `arguments` (what follows the name) into the command's run.
    /// - Throws: `WRONG_ARGS` with the usage, or the argument's own error (`INVALID_JSON` …).
    func parse(_ arguments: ArraySlice<String>) throws(CallsheetError) -> Run {
        var reader = ArgumentReader(spec: spec, arguments: Array(arguments))
        let run = try bind(&reader)
        try reader.finish()
        return run
    }
}

extension CommandDeclaration {
    /// A command of the connection itself, open to every connection or not.
    static func connection(
        _ name: String, _ usage: String, _ group: String, _ access: Access, _ summary: String,
        parse: @escaping @Sendable (inout ArgumentReader) throws(CallsheetError) -> @Sendable (inout Session, CommandExecutor) async throws(CallsheetError) -> RESPValue
    ) -> CommandDeclaration {
        CommandDeclaration(CommandSpec(name, usage, group, access, summary), isWrite: false) { reader throws(CallsheetError) in .connection(try parse(&reader)) }
    }

    /// A command for a signed-in caller that needs no organization.
    static func signedIn(
        _ name: String, _ usage: String, _ group: String, _ access: Access, _ summary: String, writes: Bool = false,
        parse: @escaping @Sendable (inout ArgumentReader) throws(CallsheetError) -> @Sendable (Caller, inout Session, CommandExecutor) async throws(CallsheetError) -> RESPValue
    ) -> CommandDeclaration {
        CommandDeclaration(CommandSpec(name, usage, group, access, summary), isWrite: writes) { reader throws(CallsheetError) in .signedIn(try parse(&reader)) }
    }

    /// A read of the organization's state.
    static func read(
        _ name: String, _ usage: String, _ group: String, _ access: Access, _ summary: String,
        parse: @escaping @Sendable (inout ArgumentReader) throws(CallsheetError) -> @Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> RESPValue
    ) -> CommandDeclaration {
        CommandDeclaration(CommandSpec(name, usage, group, access, summary), isWrite: false) { reader throws(CallsheetError) in .read(try parse(&reader)) }
    }

    /// A read that may walk many contacts, answered from a view off the shard.
    static func scan(
        _ name: String, _ usage: String, _ group: String, _ access: Access, _ summary: String,
        parse: @escaping @Sendable (inout ArgumentReader) throws(CallsheetError) -> @Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> RESPValue
    ) -> CommandDeclaration {
        CommandDeclaration(CommandSpec(name, usage, group, access, summary), isWrite: false) { reader throws(CallsheetError) in .scan(try parse(&reader)) }
    }

    /// A read that a pipelined run of its kind shares one visit to the shard with.
    static func lookup(
        _ name: String, _ usage: String, _ group: String, _ access: Access, _ summary: String,
        parse: @escaping @Sendable (inout ArgumentReader) throws(CallsheetError) -> @Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> RESPValue
    ) -> CommandDeclaration {
        CommandDeclaration(CommandSpec(name, usage, group, access, summary), isWrite: false, isLookup: true) { reader throws(CallsheetError) in .read(try parse(&reader)) }
    }

    /// A change planned from the organization's state.
    static func write(
        _ name: String, _ usage: String, _ group: String, _ access: Access, _ summary: String,
        parse: @escaping @Sendable (inout ArgumentReader) throws(CallsheetError) -> @Sendable (OrganizationState, Caller, PlanningContext) throws(CallsheetError) -> ([Change], RESPValue)
    ) -> CommandDeclaration {
        CommandDeclaration(CommandSpec(name, usage, group, access, summary), isWrite: true) { reader throws(CallsheetError) in .write(try parse(&reader)) }
    }

    /// A command in the organization that does more than one read or write.
    static func organization(
        _ name: String, _ usage: String, _ group: String, _ access: Access, _ summary: String, writes: Bool,
        parse: @escaping @Sendable (inout ArgumentReader) throws(CallsheetError) -> @Sendable (OrganizationContext) async throws(CallsheetError) -> RESPValue
    ) -> CommandDeclaration {
        CommandDeclaration(CommandSpec(name, usage, group, access, summary), isWrite: writes) { reader throws(CallsheetError) in .organization(try parse(&reader)) }
    }
}
