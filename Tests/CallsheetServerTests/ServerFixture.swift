import CallsheetProtocol
import CallsheetServer
import CallsheetStore
import Foundation
import Logging
import ServiceLifecycle
import Testing

/// A real server on 127.0.0.1 (port 0) over a real data directory in its own temporary directory,
/// run in a `ServiceGroup` exactly as `callsheet serve` runs it.
struct ServerFixture {
    let path: String
    let directory: ShardDirectory
    let server: TCPServer
    let port: Int
    let group: ServiceGroup
    let task: Task<Void, any Error>
    /// The organization's first admin and their secret.
    let adminSecret: String
    /// The registry the store's swift-metrics go to, as `callsheet serve` sets it up.
    let metricsFactory: CallsheetMetricsFactory

    static let admin = "alice"

    /// Limits that make tests quick: short delays, same defaults otherwise.
    static func testLimits() -> ServerLimits {
        var limits = ServerLimits()
        limits.failedAuthDelay = 0.05
        // Generous deadlines: tests that dribble bytes must not trip them on a loaded machine;
        // the tests of the deadlines themselves set short ones.
        limits.authenticationTimeout = 60
        limits.unauthenticatedIdleTimeout = 60
        return limits
    }

    static func start(limits: ServerLimits = testLimits(), adminName: String = admin) async throws -> ServerFixture {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("callsheet-server-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        var store = StoreConfiguration(directory: path)
        store.fsyncPolicy = .no
        let metricsFactory = CallsheetMetricsFactory()
        store.metricsFactory = metricsFactory
        let directory = try ShardDirectory.open(store, logger: logger)
        let (_, secret) = try await directory.createOrganization(name: "Acme", region: "US", admin: adminName)
        let server = try TCPServer(configuration: ServerConfiguration(host: "127.0.0.1", port: 0, limits: limits), directory: directory, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: StoreService(directory: directory)), .init(service: server)], logger: logger))
        let task = Task { try await group.run() }
        let port = try await server.localPort
        return ServerFixture(
            path: path, directory: directory, server: server, port: port, group: group, task: task, adminSecret: secret, metricsFactory: metricsFactory)
    }

    /// Graceful shutdown, then removes the directory.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
        try? FileManager.default.removeItem(atPath: path)
    }

    func connect() async throws -> CallsheetClient {
        // A loaded machine (the whole suite runs in parallel on two cores) can refuse a connect
        // transiently; a real client retries too.
        for _ in 0..<4 {
            if let client = try? await CallsheetClient.connect(host: "127.0.0.1", port: port) { return client }
            try await Task.sleep(for: .milliseconds(250))
        }
        return try await CallsheetClient.connect(host: "127.0.0.1", port: port)
    }

    /// A connection signed in as `user`.
    func connect(as user: String, secret: String) async throws -> CallsheetClient {
        let client = try await connect()
        let reply = try await client.send(["AUTH", user, secret])
        #expect(reply == .ok, "AUTH \(user): \(reply)")
        return client
    }

    func connectAdmin() async throws -> CallsheetClient {
        try await connect(as: Self.admin, secret: adminSecret)
    }
}

/// Runs `body` against a fresh server and always shuts it down.
func withServer(limits: ServerLimits = ServerFixture.testLimits(), _ body: (ServerFixture) async throws -> Void) async throws {
    let fixture = try await ServerFixture.start(limits: limits)
    do {
        try await body(fixture)
    } catch {
        try? await fixture.stop()
        throw error
    }
    try await fixture.stop()
}

extension RESPValue {
    /// The reply's JSON document as a dictionary, or nil.
    var json: [String: Any]? {
        guard let bytes = bytes else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }

    var errorText: String? {
        if case .error(let text) = self { return text }
        return nil
    }

    var isError: Bool { errorText != nil }
}

extension CallsheetClient {
    /// Sends and expects a JSON object reply; returns its `id`.
    func addContact(_ json: String) async throws -> Int {
        let reply = try await send(["CONTACT.ADD", json])
        let id = reply.json?["id"] as? Int
        #expect(id != nil, "CONTACT.ADD \(json): \(reply)")
        return id ?? -1
    }
}
