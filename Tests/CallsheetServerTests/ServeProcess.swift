import CallsheetServer
import CallsheetStore
import Foundation
import Logging
import Testing
import TestSupport

/// A real `callsheet serve` process over a fresh data directory holding one organization
/// ("Acme", admin `alice`). Its output goes to files (``ChildProcess``); it is always killed.
final class ServeProcess {
    let data: TemporaryDirectory
    let process: ChildProcess
    /// The plain port (nil with `--no-plain`).
    let port: Int?
    /// The TLS port, when started with TLS arguments.
    let tlsPort: Int?
    let adminSecret: String

    static let admin = "alice"

    /// Starts the server with `arguments` added after `serve --data DIR --port P`, and waits until
    /// it listens. `tls` adds `--tls-port` with a free port; `plain: false` adds `--no-plain`.
    static func start(_ arguments: [String] = [], tls: Bool = false, plain: Bool = true, logLevel: String = "info") async throws -> ServeProcess {
        let executable = try #require(BuiltProduct.path("callsheet"), "callsheet is not built: \(BuiltProduct.candidates("callsheet"))")
        let data = try TemporaryDirectory(prefix: "serve")
        let setup = try ShardDirectory.open(StoreConfiguration(directory: data.path), logger: Logger(label: "test"))
        let (_, secret) = try await setup.createOrganization(name: "Acme", region: "US", admin: admin)
        await setup.close()
        var all = ["serve", "--data", data.path, "--fsync", "no", "--log-level", logLevel]
        let port = plain ? try TCPConnection.freePort() : nil
        if let port { all += ["--port", "\(port)"] } else { all.append("--no-plain") }
        let tlsPort = tls ? try TCPConnection.freePort() : nil
        if let tlsPort { all += ["--tls-port", "\(tlsPort)"] }
        let process = try ChildProcess.start(executable, all + arguments, logDirectory: data.path)
        let server = ServeProcess(data: data, process: process, port: port, tlsPort: tlsPort, adminSecret: secret)
        do {
            for wanted in [port, tlsPort].compactMap({ $0 }) {
                _ = try await TCPConnection.waitUntilAccepting(port: wanted, timeout: .seconds(30))
            }
        } catch {
            server.stop()
            throw ChildProcess.Failure(description: "callsheet serve did not start: \(error); stderr: \(process.errorOutput.suffix(2000))")
        }
        return server
    }

    private init(data: TemporaryDirectory, process: ChildProcess, port: Int?, tlsPort: Int?, adminSecret: String) {
        self.data = data
        self.process = process
        self.port = port
        self.tlsPort = tlsPort
        self.adminSecret = adminSecret
    }

    /// The server's log so far (swift-log writes to standard error).
    var log: String { process.errorOutput + process.output }

    /// Resident memory of the server process, from /proc.
    var residentBytes: Int {
        guard let status = try? String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

    /// Kills the server and removes its data directory.
    func stop() {
        process.kill(SIGKILL)
        for _ in 0..<500 where process.poll() == nil { usleep(10_000) }
        data.remove()
    }

    /// A client signed in as the admin.
    func connectAdmin() async throws -> CallsheetClient {
        let client = try await CallsheetClient.connect(host: "127.0.0.1", port: try #require(port))
        let reply = try await client.send(["AUTH", Self.admin, adminSecret])
        #expect(reply == .ok, "AUTH: \(reply)")
        return client
    }
}

/// Runs `body` against a fresh `callsheet serve` process and always stops it.
func withServeProcess(
    _ arguments: [String] = [], tls: Bool = false, plain: Bool = true, logLevel: String = "info",
    _ body: (ServeProcess) async throws -> Void
) async throws {
    let server = try await ServeProcess.start(arguments, tls: tls, plain: plain, logLevel: logLevel)
    defer { server.stop() }
    try await body(server)
}
