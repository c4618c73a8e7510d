import ArgumentParser
import CallsheetCore
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
            lockAdvice: "To snapshot a running server, send SNAPSHOT over a connection as an admin: `callsheet repl --connect HOST:PORT --user NAME`.")
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

/// `callsheet restore --from FILE --data NEWDIR`: rebuild a data directory from one snapshot file.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Rebuild a data directory from one snapshot file (e.g. copied off a dead machine).")

    @Option(help: "The snapshot file to restore.")
    var from: String

    @Option(help: "The new data directory; must not hold snapshots or journal segments.")
    var data: String

    func run() async throws {
        do {
            let header = try StorageVerifier.restore(snapshot: from, into: data)
            print("restored \(from) into \(data)/ (journal sequence \(header.sequence), taken \(TimestampFormat.iso8601(header.createdAtMilliseconds)))")
        } catch let error where error.code == .directoryLocked {
            throw CommandFailure(error.message)
        } catch {
            throw CommandFailure("\(error)")
        }
        let directory: ShardDirectory
        do {
            var configuration = StoreConfiguration(directory: data)
            configuration.lockAdvice = "Another process opened the restored directory; stop it and open the directory again."
            directory = try ShardDirectory.open(configuration, logger: makeLogger())
        } catch {
            throw CommandFailure("the restored directory does not open: \(error.message)")
        }
        let ids = await directory.organizationIDs
        var contacts = 0
        for id in ids {
            if let shard = await directory.shard(id) { contacts += (try? await shard.read { $0.contacts.count }) ?? 0 }
        }
        print("organizations: \(ids.count)")
        print("contacts: \(contacts)")
        print("recovery: \(await directory.recoveryReport)")
        await directory.close()
    }
}
