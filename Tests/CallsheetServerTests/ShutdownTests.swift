import CallsheetCore
import CallsheetProtocol
import CallsheetServer
import CallsheetStore
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@Suite("Graceful shutdown")
struct ShutdownTests {
    @Test("shutdown answers what was read, keeps every acknowledged write, snapshots, and returns")
    func inProcessGracefulShutdown() async throws {
        let server = try await ServerFixture.start()
        let idle = try await server.connectAdmin()
        let writer = try await server.connectAdmin()
        var bytes: [UInt8] = []
        for i in 0..<3000 {
            RESPValue.command(["CONTACT.ADD", #"{"name":"Shut \#(i)","phone":"+1650253\#(String(format: "%04d", i))"}"#]).write(into: &bytes)
        }
        _ = try await writer.sendRaw(bytes, expectingReplies: 0)
        let firstReply = try await writer.readReplies(1)
        #expect(firstReply[0].json?["name"] as? String == "Shut 0")
        await server.group.triggerGracefulShutdown()
        var acknowledged = 1
        while let reply = try? await writer.readReplies(1) {
            #expect(reply[0].json?["name"] as? String == "Shut \(acknowledged)", "\(reply[0])")
            acknowledged += 1
        }
        try await server.task.value
        #expect(!idle.isConnected)

        // Reopen the data directory as a restart would.
        let reopened = try ShardDirectory.open(StoreConfiguration(directory: server.path), logger: Logger(label: "test"))
        let shard = try #require(await reopened.organization(named: "Acme"))
        let count = try await shard.read { state in state.contacts.count }
        #expect(count == acknowledged, "acknowledged \(acknowledged), found \(count)")
        let info = await reopened.info(for: .owner, shard: nil)
        #expect(info["snapshot"]?["last_sequence"] != .integer(0), "no final snapshot: \(info)")
        await reopened.close()
        try? FileManager.default.removeItem(atPath: server.path)
    }

    /// The harness's executable (`callsheet` in the main package), next to the test bundle.
    static func serverExecutable() -> String? {
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        candidates.append(Bundle.main.bundleURL)
        for directory in candidates {
            for name in ["callsheet", "ServeMain"] {
                let path = directory.appendingPathComponent(name).path
                if FileManager.default.isExecutableFile(atPath: path) { return path }
            }
        }
        return nil
    }

    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    @Test("callsheet serve exits 0 on SIGTERM after a final snapshot")
    func realProcessSIGTERM() async throws {
        let executable = try #require(Self.serverExecutable(), "the callsheet executable was not built next to the tests")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("callsheet-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let setup = try ShardDirectory.open(StoreConfiguration(directory: path), logger: Logger(label: "test"))
        let (_, secret) = try await setup.createOrganization(name: "Acme", region: "US", admin: "alice")
        await setup.close()

        let port = try await Self.freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--data", path, "--port", "\(port)", "--log-level", "warning"]
        let exit = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { exit.continuation.yield($0.terminationStatus); exit.continuation.finish() }
        try process.run()
        var client: CallsheetClient?
        for _ in 0..<100 where client == nil {
            client = try? await CallsheetClient.connect(host: "127.0.0.1", port: port)
            if client == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let connected = try #require(client, "the server did not start listening on \(port)")
        #expect(try await connected.send(["AUTH", "alice", secret]) == .ok)
        let added = try await connected.send(["CONTACT.ADD", #"{"name":"Ann Lee","phone":"+16502530000"}"#])
        #expect(added.json?["id"] as? Int == 1, "\(added)")
        process.terminate()  // SIGTERM
        var status: Int32 = -1
        for await code in exit.stream { status = code }
        #expect(status == 0)
        #expect(process.terminationReason == .exit)

        let reopened = try ShardDirectory.open(StoreConfiguration(directory: path), logger: Logger(label: "test"))
        let info = await reopened.info(for: .owner, shard: nil)
        #expect(info["journal"]?["records_since_snapshot"] == .integer(0), "no final snapshot: \(info)")
        let shard = try #require(await reopened.organization(named: "Acme"))
        #expect(try await shard.read { $0.contacts.count } == 1)
        await reopened.close()
    }
}
