import ArgumentParser
import CallsheetStorage
import Foundation
import CallsheetStore
import Logging

/// Options every command that opens a data directory shares.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The data directory (journal and snapshots).")
    var data: String = "Snapshots"

    @Option(name: .long, help: "When the journal is fsynced: always (before every reply), everysec, or no.")
    var fsync: FsyncPolicy = .always

    @Option(name: .long, help: "Snapshot after this many journaled writes (0: never by count).")
    var snapshotEvery: Int = 100_000

    @Option(name: .long, help: "Snapshot when this many seconds passed with writes since the last (0: never by time).")
    var snapshotSeconds: Int = 900

    @Option(name: .long, help: "Snapshots to keep.")
    var keepSnapshots: Int = 2

    @Flag(name: .long, help: "On a corrupt journal, keep what precedes the damage (moving the rest aside) instead of refusing to start.")
    var repair = false

    @Option(name: .long, help: "On a graceful stop, seconds running import jobs may take to finish before the final snapshot.")
    var drainSeconds: Int = 60

    @Option(name: .long, help: "Days a finished import job and its error report are kept (0: forever).")
    var importRetentionDays: Int = 30

    @Option(name: .long, help: ArgumentHelp(
        "Start a new journal segment once the active one reaches this size: bytes, or with a K, M or G suffix (1024-based). 64 KiB to 1 GiB.",
        valueName: "bytes"))
    var segmentSize: ByteCount = ByteCount(64 << 20)

    func validate() throws {
        guard keepSnapshots >= 1 else { throw ValidationError("--keep-snapshots must be at least 1") }
        guard ByteCount.segmentSizes.contains(segmentSize.bytes) else {
            throw ValidationError(
                "--segment-size must be from 64K (65536 bytes) to 1G (1073741824 bytes), got \(segmentSize.bytes); smaller segments mean a file per few writes, larger ones hold more the journal cannot free")
        }
        guard snapshotEvery >= 0, snapshotSeconds >= 0 else { throw ValidationError("snapshot intervals cannot be negative") }
        guard drainSeconds >= 0 else { throw ValidationError("--drain-seconds cannot be negative") }
        guard (0...36_500).contains(importRetentionDays) else {
            throw ValidationError("--import-retention-days is a number of days from 0 (keep forever) to 36500")
        }
    }

    var configuration: StoreConfiguration { configuration(lockAdvice: nil) }

    func configuration(lockAdvice: String?) -> StoreConfiguration {
        var configuration = StoreConfiguration(directory: data)
        configuration.lockAdvice = lockAdvice ?? defaultLockAdvice
        configuration.fsyncPolicy = fsync
        configuration.snapshotEveryRecords = snapshotEvery
        configuration.snapshotEverySeconds = snapshotSeconds
        configuration.keepSnapshots = keepSnapshots
        configuration.repair = repair
        configuration.jobDrainSeconds = drainSeconds
        configuration.importRetention = importRetentionDays == 0 ? nil : .seconds(Int64(importRetentionDays) * 86_400)
        configuration.segmentSize = segmentSize.bytes
        return configuration
    }

    /// What the REPL (and any command without its own advice) suggests when the directory is locked.
    var defaultLockAdvice: String {
        "If it is `callsheet serve`, work through it: as the data directory's owner, `callsheet repl --connect \(StoreConfiguration(directory: data).controlSocketPath)` (every command, owner ones included), or `callsheet repl --connect HOST:PORT --user NAME`; otherwise stop that process first."
    }

    /// Opens the data directory, turning a recovery failure into a readable exit.
    /// - Parameter lockAdvice: what to do when another process holds the directory (`DIRECTORY_LOCKED`).
    func open(logger: Logger, lockAdvice: String? = nil) throws -> ShardDirectory {
        do {
            return try ShardDirectory.open(configuration(lockAdvice: lockAdvice), logger: logger)
        } catch {
            throw CommandFailure("\(error.message)")
        }
    }
}

extension FsyncPolicy: ExpressibleByArgument {}

/// A size on the command line: `65536`, `64K`, `64M`, `1G` (1024-based; `KiB`, `MB` and the like too).
struct ByteCount: ExpressibleByArgument, Hashable {
    var bytes: Int

    init(_ bytes: Int) { self.bytes = bytes }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).uppercased()
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        let shift: Int
        switch text.dropFirst(digits.count) {
        case "", "B": shift = 0
        case "K", "KB", "KIB": shift = 10
        case "M", "MB", "MIB": shift = 20
        case "G", "GB", "GIB": shift = 30
        default: return nil
        }
        guard number <= Int.max >> shift else { return nil }
        bytes = number << shift
    }

    var defaultValueDescription: String { bytes % (1 << 20) == 0 ? "\(bytes >> 20)M" : "\(bytes)" }

    /// What `--segment-size` accepts.
    static let segmentSizes = (64 << 10)...(1 << 30)
}

/// A logger for the command line: warnings and above to standard error unless CALLSHEET_LOG_LEVEL says otherwise.
func makeLogger(_ label: String = "callsheet") -> Logger {
    var logger = Logger(label: label)
    if let level = ProcessInfoLevel.fromEnvironment() { logger.logLevel = level } else { logger.logLevel = .warning }
    return logger
}

enum ProcessInfoLevel {
    static func fromEnvironment() -> Logger.Level? {
        guard let text = getenv("CALLSHEET_LOG_LEVEL") else { return nil }
        return Logger.Level(rawValue: String(cString: text).lowercased())
    }
}

#if canImport(Glibc)
import Glibc
#endif
