import ArgumentParser
import CallsheetCore
import CallsheetProtocol
import CallsheetServer
import CallsheetStorage
import CallsheetStore
import Foundation

/// `callsheet snapshot`: write a snapshot of a data directory now.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Write a snapshot of the data directory now (not while a server runs on it).")

    @OptionGroup var data: DataOptions

    func run() async throws {
        let directory = try data.open(
            logger: makeLogger(),
            lockAdvice: "To snapshot a running server, send SNAPSHOT over a connection as an admin: `callsheet repl --connect HOST:PORT --user NAME`, or as the owner through its control socket: `callsheet repl --connect \(data.configuration.controlSocketPath)`.")
        do {
            let report = try await directory.snapshot()
            print(report.serialized)
            await directory.close()
        } catch {
            await directory.close()
            throw CommandFailure("\(error.code.rawValue) \(error.message)")
        }
    }
}

/// `callsheet verify FILE|DIR`: check snapshots and journals without changing anything.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check a data directory, a snapshot or a journal segment; changes nothing.",
        discussion: "A data directory is checked under a shared lock: it is refused while a server or another command has it open for writing.")

    @Argument(help: "A data directory, snapshot file or journal segment.")
    var path: String = "Snapshots"

    func run() throws {
        let report: StorageReport
        do {
            report = try StorageVerifier.verify(path: path) { ShardDirectory.startupCheck(directory: $0) }
        } catch let error where error.code == .directoryLocked {
            throw CommandFailure(error.message)
        } catch {
            throw CommandFailure("\(error)")
        }
        print(report.description)
        if !report.isHealthy { throw ExitCode(1) }
    }
}

/// `callsheet restore --from FILE --data NEWDIR`: rebuild a data directory from a backup file, or
/// from one snapshot file (saying what that loses).
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Rebuild a data directory from a backup file (`callsheet backup`) or one snapshot file.",
        discussion: """
            A backup file restores everything it holds: the data directory as of its sequence. A \
            bare snapshot file (e.g. copied off a dead machine) restores the state it was taken at; \
            everything written after it is lost, and restore says so. The new directory is built \
            beside the target, opened once to check it, and only then renamed into place: a failed \
            restore leaves nothing behind.
            """)

    @Option(help: "The backup or snapshot file to restore.")
    var from: String

    @Option(help: "The new data directory; must not exist, or be empty.")
    var data: String

    func run() async throws {
        let report: DataDirectoryRestore.Report
        do {
            report = try await DataDirectoryRestore.restore(from: from, into: data, logger: makeLogger())
        } catch {
            throw CommandFailure("\(error.code.rawValue) \(error.message)")
        }
        switch report.source {
        case .backup(let manifest):
            print("restored backup \(from) into \(report.directory)/: everything through journal sequence \(manifest.sequence) (snapshot \(manifest.snapshotSequence) and \(manifest.journalRecords) journal records after it), backed up \(TimestampFormat.iso8601(manifest.createdAtMilliseconds))")
        case .snapshot(let header):
            print("restored snapshot \(from) into \(report.directory)/ (journal sequence \(header.sequence), taken \(TimestampFormat.iso8601(header.createdAtMilliseconds)))")
        }
        if let loss = report.loss {
            print("LOST: \(loss)")
            FileHandle.standardError.write(Data("callsheet: \(loss)\n".utf8))
        }
        print("organizations: \(report.organizations)")
        print("users: \(report.users)")
        print("contacts: \(report.contacts)")
        print("recovery: \(report.recovery)")
    }
}

/// `callsheet compact --data DIR`: snapshot, cut the journal, remove what retention no longer needs.
struct CompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact", abstract: "Snapshot, start a new journal segment and remove the snapshots and segments retention no longer needs (not while a server runs on it: send COMPACT there).")

    @OptionGroup var data: DataOptions

    func run() async throws {
        let directory = try data.open(
            logger: makeLogger(),
            lockAdvice: "To compact a running server's directory, send COMPACT through its control socket, as the owner: `callsheet repl --connect \(data.configuration.controlSocketPath)`.")
        do {
            let report = try await directory.compact()
            print(report.serialized)
            await directory.close()
        } catch {
            await directory.close()
            throw CommandFailure("\(error.code.rawValue) \(error.message)")
        }
    }
}

/// `callsheet backup --data DIR --to FILE`: one verified file with a snapshot and the journal
/// after it. Online through the control socket when a server holds the directory, else offline.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Write one verified backup file (a snapshot and the journal after it) of a data directory, running server or not.",
        discussion: """
            When `callsheet serve` holds the data directory, the backup is made by the server \
            (BACKUP through its control socket, DATA/control.sock) while it goes on serving; \
            otherwise this command opens the directory itself. Restore with \
            `callsheet restore --from FILE --data NEWDIR`.
            """)

    @OptionGroup var data: DataOptions

    @Option(help: "The backup file to write; it must not exist yet (a backup never overwrites a file).")
    var to: String

    func run() async throws {
        let file = to.hasPrefix("/") ? to : FileManager.default.currentDirectoryPath + "/" + to
        let socket = data.configuration.controlSocketPath
        if FileManager.default.fileExists(atPath: socket), let client = try? await CallsheetClient.connect(unixDomainSocketPath: socket) {
            let reply: RESPValue
            do {
                reply = try await client.send(["BACKUP", file])
                await client.close()
            } catch {
                await client.close()
                throw CommandFailure("the server's control socket \(socket) failed during the backup: \(error); check \(file) is absent or run the backup again")
            }
            switch reply {
            case .error(let text): throw CommandFailure("\(text) (online backup through \(socket))")
            default: print(reply.string ?? "\(reply)")
            }
            return
        }
        let directory = try data.open(
            logger: makeLogger(),
            lockAdvice: "A running `callsheet serve` makes the backup itself, through its control socket \(socket); nothing answers there, so the holder is another command or a REPL: run `BACKUP \(file)` in that session, or stop it and run this backup again.")
        do {
            let report = try await directory.backup(to: file)
            print(report.serialized)
            await directory.close()
        } catch {
            await directory.close()
            throw CommandFailure("\(error.code.rawValue) \(error.message)")
        }
    }
}
