import CallsheetProtocol
import CallsheetServer
import Foundation
import Testing
import TestSupport

/// A CA and certificates made with the `openssl` command line at test time.
struct TestCertificates {
    let directory: String

    var caCertificate: String { directory + "/ca.pem" }
    var serverCertificate: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    var clientCertificate: String { directory + "/client.pem" }
    var clientKey: String { directory + "/client.key" }

    /// Makes `ca.pem` (a self-signed CA), `server.pem` for localhost and 127.0.0.1, and
    /// `client.pem`, each with its key, in `directory`.
    static func make(in directory: String) async throws -> TestCertificates {
        let openssl = try #require(ExternalProcess.which("openssl"), "openssl is not installed (scripts/setup installs it)")
        func run(_ arguments: [String]) async throws {
            let result = try await ExternalProcess.run(openssl, arguments, timeout: 30)
            try #require(result.status == 0, "openssl \(arguments.joined(separator: " ")): \(result.errorOutput)")
        }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try await run(["req", "-x509"] + ec + ["-keyout", "\(directory)/ca.key", "-out", "\(directory)/ca.pem", "-days", "2",
                       "-subj", "/CN=Callsheet Test CA \(UUID().uuidString.prefix(8))",
                       "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        for (name, usage, alternativeNames) in [
            ("server", "serverAuth", "subjectAltName=DNS:localhost,IP:127.0.0.1\n"),
            ("client", "clientAuth", ""),
        ] {
            try await run(["req"] + ec + ["-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).csr",
                                          "-subj", "/CN=callsheet-\(name)"])
            let extensions = "\(directory)/\(name).ext"
            try (alternativeNames + "extendedKeyUsage=\(usage)\nbasicConstraints=CA:FALSE\n").write(toFile: extensions, atomically: true, encoding: .utf8)
            try await run(["x509", "-req", "-in", "\(directory)/\(name).csr", "-CA", "\(directory)/ca.pem",
                           "-CAkey", "\(directory)/ca.key", "-CAcreateserial", "-out", "\(directory)/\(name).pem",
                           "-days", "2", "-extfile", extensions])
        }
        return TestCertificates(directory: directory)
    }
}

/// `callsheet serve --tls-*` driven by redis-cli, Python's redis package, our own client and the REPL.
@Suite("TLS")
struct TLSTests {
    static func serverArguments(_ certificates: TestCertificates) -> [String] {
        ["--tls-cert", certificates.serverCertificate, "--tls-key", certificates.serverKey]
    }

    @Test("redis-cli --tls --cacert signs in, adds and reads a contact; the plain port still works")
    func redisCLIOverTLS() async throws {
        let redisCLI = try #require(ExternalProcess.which("redis-cli"), "redis-cli (Debian redis-tools) is not installed")
        try await withTemporaryDirectory(prefix: "tls") { directory in
            let certificates = try await TestCertificates.make(in: directory)
            try await withServeProcess(Self.serverArguments(certificates), tls: true) { server in
                let tlsPort = try #require(server.tlsPort)
                let base = ["--tls", "--cacert", certificates.caCertificate, "-h", "127.0.0.1", "-p", "\(tlsPort)",
                            "--no-auth-warning", "--user", ServeProcess.admin, "--pass", server.adminSecret]
                let add = try await ExternalProcess.run(redisCLI, base + ["CONTACT.ADD", #"{"name":"Ann Lee","phone":"+16502530000"}"#], timeout: 30)
                #expect(add.status == 0, "\(add.errorOutput)")
                #expect(add.output.contains(#""name":"Ann Lee""#), "\(add.output) \(add.errorOutput)")
                let piped = try await ExternalProcess.run(redisCLI, base, input: "PING\nCONTACT.BYPHONE 650-253-0000\n", timeout: 30)
                #expect(piped.output.hasPrefix("PONG"), "\(piped.output) \(piped.errorOutput)")
                #expect(piped.output.contains("Ann Lee"))
                // Plain text on the TLS port is not understood; TLS to the plain port neither.
                let plainToTLS = try await ExternalProcess.run(redisCLI, ["-h", "127.0.0.1", "-p", "\(tlsPort)", "PING"], timeout: 30)
                #expect(!plainToTLS.output.contains("PONG"))
                // The plain port is still there.
                let plain = try await server.connectAdmin()
                #expect(try await plain.send(["CONTACT.GET", "1"]).json?["name"] as? String == "Ann Lee")
                await plain.close()
            }
        }
    }

    @Test("a client that does not trust the server's CA is refused")
    func untrustedCertificateIsRefused() async throws {
        let redisCLI = try #require(ExternalProcess.which("redis-cli"), "redis-cli (Debian redis-tools) is not installed")
        try await withTemporaryDirectory(prefix: "tls") { directory in
            let certificates = try await TestCertificates.make(in: directory + "/")
            let otherDirectory = directory + "/other"
            try FileManager.default.createDirectory(atPath: otherDirectory, withIntermediateDirectories: true)
            let other = try await TestCertificates.make(in: otherDirectory)
            try await withServeProcess(Self.serverArguments(certificates), tls: true, plain: false) { server in
                let tlsPort = try #require(server.tlsPort)
                let refused = try await ExternalProcess.run(
                    redisCLI, ["--tls", "--cacert", other.caCertificate, "-h", "127.0.0.1", "-p", "\(tlsPort)", "PING"], timeout: 30)
                #expect(!refused.output.contains("PONG"), "\(refused.output)")
                await #expect(throws: (any Error).self) {
                    let client = try await CallsheetClient.connect(
                        host: "127.0.0.1", port: tlsPort, tls: ClientTLSSettings(certificateAuthorityPath: other.caCertificate))
                    _ = try await client.send(["PING"])
                }
                let trusted = try await CallsheetClient.connect(
                    host: "127.0.0.1", port: tlsPort, tls: ClientTLSSettings(certificateAuthorityPath: certificates.caCertificate))
                #expect(try await trusted.send(["PING"]) == .simpleString("PONG"))
                await trusted.close()
            }
        }
    }

    static let pythonScript = #"""
import json, os, sys
import redis
r = redis.Redis(host="127.0.0.1", port=int(os.environ["CS_PORT"]), username=os.environ["CS_USER"], password=os.environ["CS_SECRET"],
                decode_responses=True, protocol=2, ssl=True, ssl_ca_certs=os.environ["CS_CA"],
                ssl_certfile=os.environ.get("CS_CERT"), ssl_keyfile=os.environ.get("CS_KEY"))
assert r.ping() is True
ids = []
for i in range(10):
    reply = r.execute_command("CONTACT.ADD", json.dumps({"name": "Py %d" % i, "phone": "+1650253%04d" % i}))
    ids.append(json.loads(reply)["id"])
pipe = r.pipeline(transaction=False)
for contact_id in ids:
    pipe.execute_command("CONTACT.GET", contact_id)
names = [json.loads(reply)["name"] for reply in pipe.execute()]
assert names == ["Py %d" % i for i in range(10)], names
print("ok", len(names))
"""#

    static func python() async throws -> String {
        try #require(try await ExternalProcess.pythonWithRedis(), "python3 with the redis package is not available")
    }

    @Test("Python's redis package with ssl=True and the test CA")
    func pythonRedisOverTLS() async throws {
        let python = try await Self.python()
        try await withTemporaryDirectory(prefix: "tls") { directory in
            let certificates = try await TestCertificates.make(in: directory)
            try await withServeProcess(Self.serverArguments(certificates), tls: true, plain: false) { server in
                let run = try await ExternalProcess.run(python, ["-c", Self.pythonScript], environment: [
                    "CS_PORT": "\(try #require(server.tlsPort))", "CS_USER": ServeProcess.admin, "CS_SECRET": server.adminSecret,
                    "CS_CA": certificates.caCertificate,
                ], timeout: 60)
                #expect(run.status == 0, "\(run.output)\n\(run.errorOutput)")
                #expect(run.output.contains("ok 10"))
            }
        }
    }

    @Test("--tls-client-auth: refused without a client certificate, served with one (redis-cli, Python, our client)")
    func clientCertificateAuthentication() async throws {
        let redisCLI = try #require(ExternalProcess.which("redis-cli"), "redis-cli (Debian redis-tools) is not installed")
        let python = try await Self.python()
        try await withTemporaryDirectory(prefix: "tls") { directory in
            let certificates = try await TestCertificates.make(in: directory)
            let arguments = Self.serverArguments(certificates) + ["--tls-ca", certificates.caCertificate, "--tls-client-auth"]
            try await withServeProcess(arguments, tls: true, plain: false) { server in
                let tlsPort = try #require(server.tlsPort)
                let base = ["--tls", "--cacert", certificates.caCertificate, "-h", "127.0.0.1", "-p", "\(tlsPort)"]
                let without = try await ExternalProcess.run(redisCLI, base + ["PING"], timeout: 30)
                #expect(!without.output.contains("PONG"), "served without a client certificate: \(without.output)")
                let with = try await ExternalProcess.run(
                    redisCLI, base + ["--cert", certificates.clientCertificate, "--key", certificates.clientKey, "PING"], timeout: 30)
                #expect(with.output.contains("PONG"), "\(with.output) \(with.errorOutput)")

                await #expect(throws: (any Error).self) {
                    let client = try await CallsheetClient.connect(
                        host: "127.0.0.1", port: tlsPort, tls: ClientTLSSettings(certificateAuthorityPath: certificates.caCertificate))
                    _ = try await client.send(["PING"])
                }
                let client = try await CallsheetClient.connect(host: "127.0.0.1", port: tlsPort, tls: ClientTLSSettings(
                    certificateAuthorityPath: certificates.caCertificate,
                    certificatePath: certificates.clientCertificate, keyPath: certificates.clientKey))
                #expect(try await client.send(["PING"]) == .simpleString("PONG"))
                // A certificate is not a login: AUTH is still required.
                #expect(try await client.send(["CONTACT.GET", "1"]).errorText?.hasPrefix("NOAUTH") == true)
                await client.close()

                let run = try await ExternalProcess.run(python, ["-c", Self.pythonScript], environment: [
                    "CS_PORT": "\(tlsPort)", "CS_USER": ServeProcess.admin, "CS_SECRET": server.adminSecret,
                    "CS_CA": certificates.caCertificate, "CS_CERT": certificates.clientCertificate, "CS_KEY": certificates.clientKey,
                ], timeout: 60)
                #expect(run.status == 0, "\(run.output)\n\(run.errorOutput)")
            }
        }
    }

    @Test("SIGHUP reloads the certificate: new connections get the new one, open ones go on")
    func sighupReloadsTheCertificate() async throws {
        try await withTemporaryDirectory(prefix: "tls") { directory in
            let first = try await TestCertificates.make(in: directory)
            let secondDirectory = directory + "/second"
            try FileManager.default.createDirectory(atPath: secondDirectory, withIntermediateDirectories: true)
            let second = try await TestCertificates.make(in: secondDirectory)
            // The server reads its files from a directory of its own, replaced below.
            let live = directory + "/live"
            try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: true)
            func install(_ certificates: TestCertificates) throws {
                for (from, to) in [(certificates.serverCertificate, "server.pem"), (certificates.serverKey, "server.key")] {
                    try? FileManager.default.removeItem(atPath: "\(live)/\(to)")
                    try FileManager.default.copyItem(atPath: from, toPath: "\(live)/\(to)")
                }
            }
            try install(first)
            try await withServeProcess(["--tls-cert", "\(live)/server.pem", "--tls-key", "\(live)/server.key"], tls: true) { server in
                let tlsPort = try #require(server.tlsPort)
                func connect(trusting certificates: TestCertificates) async throws -> CallsheetClient {
                    let client = try await CallsheetClient.connect(
                        host: "127.0.0.1", port: tlsPort, tls: ClientTLSSettings(certificateAuthorityPath: certificates.caCertificate))
                    #expect(try await client.send(["PING"]) == .simpleString("PONG"))
                    return client
                }
                let before = try await connect(trusting: first)
                try install(second)
                server.process.kill(SIGHUP)
                #expect(await eventually(15) { server.log.contains("reloaded the TLS certificate") }, "\(server.log.suffix(1000))")
                let after = try await connect(trusting: second)
                await #expect(throws: (any Error).self) { _ = try await connect(trusting: first) }
                #expect(try await before.send(["PING"]) == .simpleString("PONG"), "the connection opened before the reload broke")
                // A broken file is refused and the current certificate stays.
                try "not a certificate".write(toFile: "\(live)/server.pem", atomically: true, encoding: .utf8)
                server.process.kill(SIGHUP)
                #expect(await eventually(15) { server.log.contains("cannot reload the TLS certificate") }, "\(server.log.suffix(1000))")
                let still = try await connect(trusting: second)
                #expect(server.process.isRunning)
                for client in [before, after, still] { await client.close() }
            }
        }
    }

    @Test("callsheet repl --connect host:port --tls --tls-ca signs in and runs commands")
    func replOverTLS() async throws {
        let executable = try #require(BuiltProduct.path("callsheet"))
        try await withTemporaryDirectory(prefix: "tls") { directory in
            let certificates = try await TestCertificates.make(in: directory)
            try await withServeProcess(Self.serverArguments(certificates), tls: true, plain: false) { server in
                let address = "127.0.0.1:\(try #require(server.tlsPort))"
                let run = try await ExternalProcess.run(
                    executable, ["repl", "--connect", address, "--tls", "--tls-ca", certificates.caCertificate, "--user", ServeProcess.admin],
                    input: "PING\nCONTACT.ADD {\"name\":\"Ann Lee\",\"phone\":\"+16502530000\"}\nWHOAMI\n",
                    environment: ["CALLSHEET_SECRET": server.adminSecret], timeout: 30)
                #expect(run.status == 0, "\(run.output)\n\(run.errorOutput)")
                #expect(run.output.contains("PONG"), "\(run.output)")
                #expect(run.output.contains("Ann Lee"), "\(run.output)")
                // Without the CA the server's certificate is not trusted.
                let untrusted = try await ExternalProcess.run(
                    executable, ["repl", "--connect", address, "--tls", "--user", ServeProcess.admin],
                    input: "PING\n", environment: ["CALLSHEET_SECRET": server.adminSecret], timeout: 30)
                #expect(untrusted.status != 0 || !untrusted.output.contains("PONG"), "\(untrusted.output)")
            }
        }
    }
}
