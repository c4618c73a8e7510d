import Foundation
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
        let verify = try CLIProcess.run(["verify", data])
        #expect(verify.status != 0)
        #expect(verify.output.contains(largest))
        // The store refuses to start on mid-journal corruption, naming the file.
        let refused = try CLIProcess.run(["repl", "--data", data], input: "CONTACT.COUNT\n")
        #expect(refused.status != 0)
        #expect((refused.error + refused.output).contains(largest))
        // --repair keeps what precedes the damage.
        let repaired = try CLIProcess.run(["repl", "--data", data, "--repair"], input: "CONTACT.COUNT\n")
        #expect(repaired.status == 0, "\(repaired.error)")
        #expect(repaired.output.hasPrefix(#"{"active":"#))
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

    @Test func helpTextNamesTheSubcommands() throws {
        let help = try CLIProcess.run(["--help"])
        for name in ["repl", "serve", "org", "snapshot", "restore", "verify", "gen"] {
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
