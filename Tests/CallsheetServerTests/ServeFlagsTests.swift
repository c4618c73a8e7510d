import Foundation
import Testing
import TestSupport

/// `docs/PROTOCOL.md` says every limit is a `callsheet serve` flag: check each one against the
/// real binary's help, and that the flags take effect.
@Suite("callsheet serve flags")
struct ServeFlagsTests {
    /// The rows of the "Limits and their flags" table in docs/PROTOCOL.md.
    static func documentedLimits() throws -> [(limit: String, flag: String)] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("docs/PROTOCOL.md"), encoding: .utf8)
        let section = try #require(text.range(of: "### Limits and their flags"), "docs/PROTOCOL.md has no 'Limits and their flags'")
        var rows: [(String, String)] = []
        for line in text[section.upperBound...].split(separator: "\n").drop(while: { !$0.hasPrefix("|") }) {
            guard line.hasPrefix("|") else { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count > 3, cells[1] != "Limit", !cells[1].hasPrefix("---") else { continue }
            rows.append((cells[1], cells[2].trimmingCharacters(in: CharacterSet(charactersIn: "`"))))
        }
        return rows
    }

    @Test("every limit in docs/PROTOCOL.md names a flag that callsheet serve --help lists")
    func everyDocumentedLimitIsAFlag() async throws {
        let executable = try #require(BuiltProduct.path("callsheet"))
        let limits = try Self.documentedLimits()
        #expect(limits.count >= 14, "found \(limits.count) rows")
        let help = try await ChildProcess.run(executable, ["serve", "--help"], timeout: .seconds(30))
        #expect(help.status == .exited(0))
        for (limit, flag) in limits {
            #expect(flag.hasPrefix("--"), "'\(limit)' has no flag")
            #expect(help.output.contains(flag + " "), "'\(limit)': \(flag) is not in `callsheet serve --help`")
        }
        for flag in ["--metrics-host", "--tls-port", "--tls-cert", "--tls-key", "--tls-ca", "--tls-client-auth", "--no-plain"] {
            #expect(help.output.contains(flag), "\(flag) is not in `callsheet serve --help`")
        }
        #expect(help.output.contains("binds 127.0.0.1 unless --metrics-host"))
    }

    @Test("contradicting TLS flags are refused with a message")
    func tlsFlagValidation() async throws {
        let executable = try #require(BuiltProduct.path("callsheet"))
        for (arguments, message) in [
            (["serve", "--no-plain"], "--no-plain needs TLS"),
            (["serve", "--tls-cert", "a.pem"], "--tls-cert and --tls-key go together"),
            (["serve", "--tls-cert", "a.pem", "--tls-key", "a.key", "--tls-client-auth"], "--tls-client-auth needs --tls-ca"),
        ] {
            let run = try await ChildProcess.run(executable, arguments, timeout: .seconds(30))
            #expect(run.status != .exited(0))
            #expect(run.error.contains(message), "\(arguments): \(run.error)")
        }
        let data = try TemporaryDirectory(prefix: "tls-flags")
        defer { data.remove() }
        let missing = try await ChildProcess.run(
            executable, ["serve", "--data", data.path, "--port", "0", "--tls-port", "0", "--tls-cert", "/nonexistent.pem", "--tls-key", "/nonexistent.key"],
            timeout: .seconds(30))
        #expect(missing.status != .exited(0))
        #expect(missing.error.contains("cannot load TLS certificate '/nonexistent.pem'"), "\(missing.error)")
    }

    @Test("the limit flags take effect: a tiny --max-arguments-before-auth and --idle-timeout-before-auth")
    func flagsTakeEffect() async throws {
        try await withServeProcess(["--max-arguments-before-auth", "3", "--idle-timeout-before-auth", "1", "--auth-timeout", "30"]) { server in
            let peer = try await RawPeer(port: try #require(server.port))
            peer.write(Array("*4\r\n".utf8))
            #expect(await eventually(10) { await peer.isClosed })
            #expect(try await peer.text.contains("multibulk length 4 is over the limit of 3"))
            let idle = try await RawPeer(port: try #require(server.port))
            #expect(await eventually(10) { await idle.isClosed })
            #expect(try await idle.text == "-LIMIT idle for 1 s; closing the connection\r\n")
        }
    }

    @Test("the metrics endpoint listens on 127.0.0.1 by default, not on --host")
    func metricsBindLoopback() async throws {
        let metricsPort = try TCPConnection.freePort()
        try await withServeProcess(["--host", "0.0.0.0", "--metrics-port", "\(metricsPort)"]) { server in
            _ = try await TCPConnection.waitUntilAccepting(port: metricsPort, timeout: .seconds(20))
            let sockets = try String(contentsOfFile: "/proc/\(server.process.pid)/net/tcp", encoding: .utf8)
            let hexPort = String(format: "%04X", metricsPort)
            let listening = sockets.split(separator: "\n").filter { $0.contains(":\(hexPort) ") && $0.contains(" 0A ") }
            #expect(listening.contains { $0.contains("0100007F:\(hexPort)") }, "\(listening)")
            #expect(!listening.contains { $0.contains("00000000:\(hexPort)") }, "metrics listen on every address: \(listening)")
            #expect(server.log.contains("the plain-text port listens on a non-loopback address"), "\(server.log)")
        }
    }
}
