import Foundation
import TestSupport
import Testing

/// The subcommands an operator runs: org create, snapshot, verify, restore, gen, --help.
@Suite struct CommandLineTests {
    @Test func organizationSnapshotVerifyRestore() throws {
        let data = CLIProcess.temporaryPath("ops")
        let restored = CLIProcess.temporaryPath("restored")
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: restored)
        }
        let created = try CLIProcess.run(["org", "create", "Acme", "--region", "GB", "--admin", "alice", "--data", data])
        #expect(created.status == 0, "\(created.error)")
        #expect(created.output.contains("organization 1 'Acme' created (region GB)"))
        #expect(created.lines.contains { $0.hasPrefix("secret: ") && $0.count == 60 })
        let duplicate = try CLIProcess.run(["org", "create", "acme", "--admin", "bob", "--data", data])
        #expect(duplicate.status != 0)
        #expect(duplicate.error.contains("CONFLICT an organization named 'acme' already exists") || duplicate.output.contains("CONFLICT"))

        let added = try CLIProcess.run(["repl", "--data", data], input: "CONTACT.ADD {\"name\":\"Ann\",\"phone\":\"020 7946 0000\"}\n")
        #expect(added.output.contains("+442079460000"))

        let snapshot = try CLIProcess.run(["snapshot", "--data", data])
        #expect(snapshot.status == 0, "\(snapshot.error)")
        #expect(snapshot.output.contains(#""contacts":1"#))

        let verify = try CLIProcess.run(["verify", data])
        #expect(verify.status == 0, "\(verify.output)\(verify.error)")
        #expect(verify.output.contains("OK"))

        let snapshots = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix("snapshot-") }.sorted()
        let newest = try #require(snapshots.last)
        let restore = try CLIProcess.run(["restore", "--from", data + "/" + newest, "--data", restored])
        #expect(restore.status == 0, "\(restore.error)")
        #expect(restore.output.contains("organizations: 1"))
        #expect(restore.output.contains("contacts: 1"))
        let read = try CLIProcess.run(["repl", "--data", restored], input: "CONTACT.BYPHONE +442079460000\n")
        #expect(read.output.contains(#""name":"Ann""#))

        // Restoring over existing data is refused.
        let again = try CLIProcess.run(["restore", "--from", data + "/" + newest, "--data", restored])
        #expect(again.status != 0)
    }

    @Test func verifyReportsDamage() throws {
        let data = CLIProcess.temporaryPath("damage")
        defer { try? FileManager.default.removeItem(atPath: data) }
        _ = try CLIProcess.run(["org", "create", "Acme", "--admin", "alice", "--data", data, "--snapshot-every", "0", "--snapshot-seconds", "0"])
        _ = try CLIProcess.run(["repl", "--data", data, "--snapshot-every", "0", "--snapshot-seconds", "0"], input: (0..<20).map { "CONTACT.ADD {\"name\":\"P\($0)\",\"phone\":\"+1650253\(1000 + $0)\"}\n" }.joined())
        let journals = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix("journal-") }.sorted()
        // Flip one byte in the middle of the largest journal segment.
        let largest = try #require(journals.max { (try? FileManager.default.attributesOfItem(atPath: data + "/" + $0)[.size] as? Int ?? 0) ?? 0 < (try? FileManager.default.attributesOfItem(atPath: data + "/" + $1)[.size] as? Int ?? 0) ?? 0 })
        let path = data + "/" + largest
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.count > 1000)
        bytes[bytes.count / 2] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: path))
        // The repl's final snapshot covers every record of that segment: the damage costs nothing.
        let verify = try CLIProcess.run(["verify", data])
        #expect(verify.status == 0, "\(verify.output)")
        #expect(verify.output.contains("damage skipped at \(largest)"), "\(verify.output)")
        #expect(verify.output.contains("start: OK"), "\(verify.output)")
        let started = try CLIProcess.run(["repl", "--data", data], input: "CONTACT.COUNT\n")
        #expect(started.status == 0, "\(started.error)")
        #expect(started.output.hasPrefix(#"{"active":20"#), "\(started.output)")

        // Damage the only snapshot too: the journal alone must now carry everything, and the record
        // it lost is no longer covered. Verify and start refuse, naming both.
        let snapshot = try #require(try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix("snapshot-") && $0.hasSuffix(".zst") }.max())
        var snapshotBytes = try Data(contentsOf: URL(fileURLWithPath: data + "/" + snapshot))
        snapshotBytes[snapshotBytes.count - 8] ^= 0x40
        try snapshotBytes.write(to: URL(fileURLWithPath: data + "/" + snapshot))
        let damaged = try CLIProcess.run(["verify", data])
        #expect(damaged.status != 0)
        #expect(damaged.output.contains("INVALID  \(snapshot)"), "\(damaged.output)")
        #expect(damaged.output.contains("start: REFUSED"), "\(damaged.output)")
        let refused = try CLIProcess.run(["repl", "--data", data], input: "CONTACT.COUNT\n")
        #expect(refused.status != 0)
        #expect((refused.error + refused.output).contains(snapshot), "\(refused.error)")
        #expect((refused.error + refused.output).contains("cannot be read"), "\(refused.error)")
    }

    /// Runs the built binary with a deadline (standard input is empty).
    func callsheet(_ arguments: [String]) async throws -> (status: ChildProcess.Termination, output: String, error: String) {
        try await ChildProcess.run(CLIProcess.binary, arguments, timeout: .seconds(120))
    }

    /// A running server holds its data directory: no other command opens it, and each says what
    /// to do instead. Killed with SIGKILL, the server leaves no stale lock behind.
    @Test func aRunningServerHoldsItsDataDirectory() async throws {
        let data = CLIProcess.temporaryPath("locked")
        defer { try? FileManager.default.removeItem(atPath: data) }
        let created = try await callsheet(["org", "create", "Acme", "--admin", "alice", "--data", data])
        #expect(created.status == .exited(0), "\(created.error)")
        let port = try TCPConnection.freePort()
        let server = try ChildProcess.start(CLIProcess.binary, ["serve", "--data", data, "--port", "\(port)", "--log-level", "warning"])
        defer { server.kill() }
        _ = try await TCPConnection.waitUntilAccepting(port: port, timeout: .seconds(60))
        let segments = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix("journal-") }.sorted()
        let holder = "data directory \(data) is in use by process \(server.pid) (callsheet serve)"

        let refused = try await callsheet(["org", "create", "Other", "--admin", "bob", "--data", data])
        #expect(refused.status != .exited(0))
        #expect(refused.error.contains(holder), "\(refused.error)")
        // ORG.CREATE is owner-only: the advice is the server's control socket, or a stop.
        #expect(refused.error.contains("ORG.CREATE is owner-only"), "\(refused.error)")
        #expect(refused.error.contains("`callsheet repl --connect \(data)/control.sock`"), "\(refused.error)")
        #expect(refused.error.contains("`callsheet org create NAME --admin USER --data \(data)` while it is stopped"), "\(refused.error)")
        #expect(!refused.output.contains("secret"))

        let snapshot = try await callsheet(["snapshot", "--data", data])
        #expect(snapshot.status != .exited(0))
        #expect(snapshot.error.contains(holder) && snapshot.error.contains("send SNAPSHOT over a connection"), "\(snapshot.error)")
        let repl = try await callsheet(["repl", "--data", data])
        #expect(repl.status != .exited(0))
        #expect(repl.error.contains(holder) && repl.error.contains("callsheet repl --connect HOST:PORT"), "\(repl.error)")
        let verify = try await callsheet(["verify", data])
        #expect(verify.status != .exited(0))
        #expect(verify.error.contains(holder), "\(verify.error)")
        let secondServer = try await callsheet(["serve", "--data", data, "--port", "\(try TCPConnection.freePort())", "--log-level", "warning"])
        #expect(secondServer.status != .exited(0))
        #expect(secondServer.error.contains(holder), "\(secondServer.error)")
        let snapshotFile = try #require(try FileManager.default.contentsOfDirectory(atPath: data).first { $0.hasPrefix("snapshot-") && $0.hasSuffix(".zst") })
        let restore = try await callsheet(["restore", "--from", data + "/" + snapshotFile, "--data", data])
        #expect(restore.status != .exited(0))
        #expect(restore.error.contains("restore needs a new data directory; \(data) already holds"), "\(restore.error)")
        // None of them wrote anything: the server's journal segment is still the only one.
        #expect(try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix("journal-") }.sorted() == segments)

        server.kill(SIGKILL)
        #expect(try await server.waitForExit(timeout: .seconds(30)) == .signalled(SIGKILL))
        // The file still names the dead server; the kernel released its lock all the same.
        let stale = try String(contentsOfFile: data + "/LOCK", encoding: .utf8)
        #expect(stale == "\(server.pid)\ncallsheet serve\n")
        let accepted = try await callsheet(["org", "create", "Other", "--admin", "bob", "--data", data])
        #expect(accepted.status == .exited(0), "\(accepted.error)")
        #expect(accepted.output.contains("organization 2 'Other' created"))

        // The server starts again on the directory (it used to refuse: JOURNAL_CORRUPT).
        let restarted = try ChildProcess.start(CLIProcess.binary, ["serve", "--data", data, "--port", "\(port)", "--log-level", "warning"])
        defer { restarted.kill() }
        _ = try await TCPConnection.waitUntilAccepting(port: port, timeout: .seconds(60))
        restarted.kill(SIGTERM)
        #expect(try await restarted.waitForExit(timeout: .seconds(60)) == .exited(0), "\(restarted.errorOutput)")
        let healthy = try await callsheet(["verify", data])
        #expect(healthy.status == .exited(0), "\(healthy.output)\(healthy.error)")
    }

    @Test func generatorIsDeterministic() throws {
        let first = try CLIProcess.run(["gen", "200", "--seed", "7"])
        let second = try CLIProcess.run(["gen", "200", "--seed", "7"])
        let other = try CLIProcess.run(["gen", "200", "--seed", "8"])
        #expect(first.status == 0)
        #expect(first.output == second.output)
        #expect(first.output != other.output)
        #expect(first.output.hasPrefix("Name,Phone,Email,Company,Tags,Notes\r\n"))
        let json = try CLIProcess.run(["gen", "3", "--format", "jsonl"])
        #expect(json.lines.count == 3)
        #expect(json.lines.allSatisfy { $0.hasPrefix("{\"name\":") })
        #expect(try CLIProcess.run(["gen", "-1"]).status != 0)
    }

    @Test func generatorWritesLabelledDuplicates() throws {
        let truth = NSTemporaryDirectory() + "callsheet-truth-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: truth) }
        let labelled = try CLIProcess.run(["gen", "2000", "--seed", "3", "--duplicates", "0.2", "--truth", truth])
        #expect(labelled.status == 0, "\(labelled.error)")
        #expect(labelled.output.hasPrefix("Name,Phone,Email,Company,Tags,Notes\r\n"))
        let rows = try String(contentsOfFile: truth, encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(rows.count == 2000)
        // Some people appear more than once, each copy saying what was done to it.
        let people = rows.map { $0.split(separator: ",", omittingEmptySubsequences: false)[1] }
        #expect(Set(people).count < 2000 && Set(people).count > 1500)
        #expect(rows.contains { $0.hasSuffix("typo") || $0.contains("typo;") })
        #expect(try CLIProcess.run(["gen", "10", "--duplicates", "0.1"]).status != 0, "--truth is needed")
    }

    @Test func helpTextNamesTheSubcommands() throws {
        let help = try CLIProcess.run(["--help"])
        for name in ["repl", "serve", "org", "snapshot", "compact", "backup", "restore", "verify", "gen"] {
            #expect(help.output.contains("  \(name)"), "\(name)")
        }
        let repl = try CLIProcess.run(["repl", "--help"])
        #expect(repl.output.contains("--data <data>"))
        #expect(repl.output.contains("--fsync <fsync>"))
        let bad = try CLIProcess.run(["repl", "--keep-snapshots", "0"])
        #expect(bad.status != 0)
        #expect(bad.error.contains("--keep-snapshots must be at least 1"))
    }
}
