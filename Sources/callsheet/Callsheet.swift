import ArgumentParser

/// `callsheet`: the contact store of a calling platform. `callsheet repl` is the default.
@main
struct Callsheet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callsheet",
        abstract: "Callsheet: the contact store behind a calling platform.",
        discussion: "Runs the interactive REPL on a data directory by default. See README.md and docs/.",
        version: "0.1.0",
        subcommands: [
            ReplCommand.self, ServeCommand.self, OrgCommand.self, SnapshotCommand.self,
            CompactCommand.self, BackupCommand.self, RestoreCommand.self, VerifyCommand.self, GenCommand.self, ExportCommand.self, TopCommand.self,
        ],
        defaultSubcommand: ReplCommand.self
    )
}
