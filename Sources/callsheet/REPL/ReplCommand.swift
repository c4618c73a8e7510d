import ArgumentParser
import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `callsheet repl`: an interactive session on a local data directory, like `sqlite3 file.db`.
/// Reads commands line by line when standard input is not a terminal, so scripts can pipe into it.
struct ReplCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl", abstract: "Interactive session on a data directory (the default command).")

    @OptionGroup var data: DataOptions

    @Option(help: "Organization to start in (id or name).")
    var org: String?

    @Flag(help: "Create the demo organization (sample contacts, login 'admin') when the data directory has none. scripts/run does, on Snapshots/.")
    var demo = false

    @Flag(help: .hidden)
    var noDemo = false

    @Option(help: "Connect to a running server (host:port) instead of opening a data directory; or to its control socket (DATA/control.sock) as the data directory's owner.")
    var connect: String?

    @Option(help: "With --connect: the login to AUTH as. The secret is read from CALLSHEET_SECRET or asked for.")
    var user: String?

    @OptionGroup(title: "TLS (with --connect)") var tls: RemoteTLSOptions

    func run() async throws {
        let interactive = isatty(STDIN_FILENO) == 1
        let renderer = ReplyRenderer(plain: !interactive)
        if let connect {
            try await RemoteSession.run(address: connect, user: user, tls: tls.settings, interactive: interactive, renderer: renderer)
            return
        }
        let directory = try data.open(logger: makeLogger())
        let executor = CommandExecutor(directory: directory)
        var session = Session(isLocalOwner: true)
        if await directory.organizationIDs.isEmpty, !demo {
            let hint = "The data directory \(data.data) holds no organization yet: ORG.CREATE <name> [REGION <cc>] [ADMIN <user>] makes one (or start with --demo for sample data)."
            if interactive { print(hint + "\n") } else { FileHandle.standardError.write(Data((hint + "\n").utf8)) }
        }
        if await directory.organizationIDs.isEmpty, demo, !noDemo {
            do {
                let secret = try await DemoData.seed(executor, session: &session)
                let note = "Created the demo organization '\(DemoData.organization)' with sample contacts in \(data.data)/.\nIts admin login for the server is 'admin' with secret \(secret) (shown once)."
                if interactive { print(note + "\n") } else { FileHandle.standardError.write(Data((note + "\n").utf8)) }
            } catch {
                FileHandle.standardError.write(Data("callsheet: demo data not created: \(error)\n".utf8))
            }
        }
        if let org {
            let reply = await executor.execute(["USE", org], session: &session)
            if case .error = reply { print(renderer.render(reply)) }
        } else if session.shard == nil, let only = await directory.organizationIDs.first {
            _ = await executor.execute(["USE", String(only)], session: &session)
        }
        let snapshotter = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                await directory.snapshotIfDue()
            }
        }
        if interactive {
            print("Callsheet \(CallsheetVersion.current) on \(data.data)/ — HELP lists commands, Tab completes, QUIT leaves.")
        }
        await ReplLoop(interactive: interactive, renderer: renderer).run(prompt: { await Self.prompt(session) }) { arguments in
            // QUIT leaves the local REPL without sending anything.
            if arguments[0].uppercased() == "QUIT" { return (nil, false) }
            if ExportDownload.handles(arguments) {
                return (await ExportDownload.run(arguments, interactive: interactive) { await executor.execute($0, session: &session) }, true)
            }
            let reply = await executor.execute(arguments, session: &session)
            if interactive, arguments[0].uppercased() == "IMPORT.START" {
                print(renderer.render(reply))
                await ImportProgressBar.follow(reply, executor: executor, session: &session)
                return (nil, true)
            }
            return (reply, true)
        }
        snapshotter.cancel()
        // Leaving never loses a started import without a word: the close waits for it.
        let running = await ImportRunner.for(directory).runningJobs
        if !running.isEmpty {
            let note = "Waiting for import job\(running.count == 1 ? "" : "s") \(running.map(String.init).joined(separator: ", ")) to finish (up to \(data.drainSeconds) s) before closing \(data.data)/…"
            FileHandle.standardError.write(Data((note + "\n").utf8))
        }
        let problems = await directory.close()
        if !problems.isEmpty {
            FileHandle.standardError.write(Data(("callsheet: " + problems.joined(separator: "; ") + "\n").utf8))
            throw ExitCode(1)
        }
    }

    static var historyPath: String? {
        guard let home = ProcessInfo.processInfo.environment["HOME"] else { return nil }
        return home + "/.callsheet_history"
    }

    static func prompt(_ session: Session) async -> String {
        guard let shard = session.shard, let name = try? await shard.read({ $0.organization.name }) else { return "callsheet> " }
        return "callsheet[\(name)]> "
    }
}
