import Foundation
import TestSupport
import Testing

/// `callsheet backup`, `restore`, `compact` and `--segment-size` as an operator runs them.
@Suite struct OperatorCommandTests {
    @Test func segmentSizeIsValidated() throws {
        for bad in ["1000", "2G", "0", "abc", "64X"] {
            let result = try CLIProcess.run(["compact", "--data", CLIProcess.temporaryPath("unused"), "--segment-size", bad])
            #expect(result.status != 0, "--segment-size \(bad)")
            #expect(result.error.contains("--segment-size"), "\(bad): \(result.error)")
        }
        let tooSmall = try CLIProcess.run(["repl", "--segment-size", "1000"])
        #expect(tooSmall.error.contains("--segment-size must be from 64K (65536 bytes) to 1G"), "\(tooSmall.error)")
        let help = try CLIProcess.run(["serve", "--help"])
        #expect(help.output.contains("--segment-size <bytes>"), "\(help.output)")
    }

    /// Offline: write with small segments, back up, compact, restore the backup and the bare
    /// snapshot (which says what it loses), and refuse to restore over existing data.
    @Test func backupCompactAndRestoreOffline() throws {
        let data = CLIProcess.temporaryPath("ops-data")
        let backup = CLIProcess.temporaryPath("ops-backup") + ".csbackup"
        let restored = CLIProcess.temporaryPath("ops-restored")
        let fromSnapshot = CLIProcess.temporaryPath("ops-from-snapshot")
        defer {
            for path in [data, backup, restored, fromSnapshot] { try? FileManager.default.removeItem(atPath: path) }
        }
        let options = ["--data", data, "--segment-size", "64K", "--snapshot-every", "0", "--snapshot-seconds", "0"]
        let created = try CLIProcess.run(["org", "create", "Acme", "--admin", "alice"] + options)
        #expect(created.status == 0, "\(created.error)")
        let adds = (0..<400).map { #"CONTACT.ADD {"name":"Person \#($0)","phone":"+1650253\#(String(format: "%04d", $0))","notes":"\#(String(repeating: "n", count: 200))"}"# + "\n" }
        let added = try CLIProcess.run(["repl"] + options, input: adds.joined())
        #expect(added.status == 0, "\(added.error)")

        let made = try CLIProcess.run(["backup", "--to", backup] + options)
        #expect(made.status == 0, "\(made.error)")
        #expect(made.output.contains(#""contacts":400"#), "\(made.output)")
        let again = try CLIProcess.run(["backup", "--to", backup] + options)
        #expect(again.status != 0 && again.error.contains("exists already"), "\(again.error)")

        let compacted = try CLIProcess.run(["compact"] + options)
        #expect(compacted.status == 0, "\(compacted.error)")
        #expect(compacted.output.contains(#""bytes_before":"#) && compacted.output.contains(#""removed_journal_segments":["#), "\(compacted.output)")

        let restore = try CLIProcess.run(["restore", "--from", backup, "--data", restored])
        #expect(restore.status == 0, "\(restore.error)")
        #expect(restore.output.contains("restored backup") && restore.output.contains("contacts: 400"), "\(restore.output)")
        let read = try CLIProcess.run(["repl", "--data", restored], input: "CONTACT.COUNT\n")
        #expect(read.output.contains(#""active":400"#), "\(read.output)")
        let over = try CLIProcess.run(["restore", "--from", backup, "--data", restored])
        #expect(over.status != 0 && over.error.contains("CONFLICT restore needs a new data directory"), "\(over.error)")

        // A bare snapshot restores too, and says what it loses.
        let snapshot = try #require(try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix("snapshot-") && $0.hasSuffix(".zst") }.sorted().last)
        let bare = try CLIProcess.run(["restore", "--from", data + "/" + snapshot, "--data", fromSnapshot])
        #expect(bare.status == 0, "\(bare.error)")
        let sequence = String(UInt64(snapshot.dropFirst("snapshot-".count).dropLast(".zst".count)) ?? 0)
        #expect(bare.output.contains("LOST: this is a bare snapshot") && bare.output.contains("journal sequence \(sequence)"), "\(bare.output)")
        #expect(bare.error.contains("every change after that"), "\(bare.error)")

        // A damaged backup is refused with the file and the offset, and creates nothing.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: backup))
        bytes[bytes.count / 3] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: backup))
        let damaged = try CLIProcess.run(["restore", "--from", backup, "--data", restored + "-2"])
        #expect(damaged.status != 0)
        #expect(damaged.error.contains("BACKUP_CORRUPT") && damaged.error.contains("[file \(backup) offset "), "\(damaged.error)")
        #expect(!FileManager.default.fileExists(atPath: restored + "-2"))
    }

    /// Another command holds the directory (not a server: nothing answers on the control socket):
    /// `backup` cannot go online and says what to do. The holder is this test, taking the lock as
    /// every command does (`flock` on `LOCK`, its pid and command written in it).
    @Test func backupNamesTheWayOutWhenAnotherCommandHoldsTheDirectory() throws {
        let data = CLIProcess.temporaryPath("ops-held")
        defer { try? FileManager.default.removeItem(atPath: data) }
        #expect(try CLIProcess.run(["org", "create", "Acme", "--admin", "alice", "--data", data]).status == 0)
        let descriptor = open(data + "/LOCK", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(descriptor >= 0)
        defer { close(descriptor) }
        #expect(flock(descriptor, LOCK_EX | LOCK_NB) == 0)
        let holder = Array("\(getpid())\ncallsheet repl\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = holder.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        let refused = try CLIProcess.run(["backup", "--data", data, "--to", data + "-b.csbackup"])
        #expect(refused.status != 0)
        #expect(refused.error.contains("is in use by process \(getpid()) (callsheet repl)"), "\(refused.error)")
        #expect(refused.error.contains("control socket \(data)/control.sock") && refused.error.contains("run `BACKUP \(data)-b.csbackup` in that session"), "\(refused.error)")
        #expect(!FileManager.default.fileExists(atPath: data + "-b.csbackup"))
    }
}
