import CallsheetServer
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

@Suite("Prometheus metrics endpoint")
struct MetricsTests {
    @Test("GET /metrics reports connections, commands, errors and contacts; other paths are 404")
    func metricsEndpoint() async throws {
        try await withServer { server in
            let client = try await server.connectAdmin()
            _ = try await client.send(["CONTACT.ADD", #"{"name":"Ann Lee","phone":"+16502530000"}"#])
            _ = try await client.send(["CONTACT.GET", "42"])
            let metrics = MetricsServer(
                host: "127.0.0.1", port: 0, directory: server.directory, serverMetrics: server.server.metrics, factory: server.metricsFactory,
                maxOrganizations: 100, logger: Logger(label: "test"))
            let task = Task { try await metrics.run() }
            defer { task.cancel() }
            let port = try await metrics.localPort
            let body = try await Self.get("/metrics", port: port)
            #expect(body.hasPrefix("HTTP/1.1 200 OK"), "\(body)")
            #expect(body.contains("\ncallsheet_connections 1.0\n"), "\(body)")
            #expect(body.contains("callsheet_errors_total{code=\"NOT_FOUND\"} 1"))
            #expect(body.contains("callsheet_contacts{organization_id=\"1\"} 1.0"), "\(body)")
            #expect(body.contains("# TYPE callsheet_commands_total counter"))
            #expect(body.contains(#"callsheet_commands_total{command="CONTACT.GET",outcome="failed"} 1"#), "\(body)")
            #expect(body.contains(#"callsheet_command_duration_seconds_count{command="CONTACT.ADD"} 1"#), "\(body)")
            #expect(body.contains("\ncallsheet_pending_requests 0.0\n"), "\(body)")
            let missing = try await Self.get("/nope", port: port)
            #expect(missing.hasPrefix("HTTP/1.1 404"))
            await client.close()
        }
    }

    @Test("organizations past the label limit are summed as organization_id=\"other\"; a series whose organization left the top goes")
    func organizationLabelsAreBounded() async throws {
        try await withServer { server in
            let client = try await server.connectAdmin()
            for index in 0..<3 { _ = try await client.send(["CONTACT.ADD", #"{"name":"P \#(index)","phone":"+1650253000\#(index)"}"#]) }
            _ = try await server.directory.createOrganization(name: "Beta", region: "US", admin: "bea")
            _ = try await server.directory.createOrganization(name: "Gamma", region: "US", admin: "gus")
            let metrics = MetricsServer(
                host: "127.0.0.1", port: 0, directory: server.directory, serverMetrics: server.server.metrics, factory: server.metricsFactory,
                maxOrganizations: 1, logger: Logger(label: "test"))
            let task = Task { try await metrics.run() }
            defer { task.cancel() }
            let port = try await metrics.localPort
            let body = try await Self.get("/metrics", port: port)
            #expect(body.contains(#"callsheet_contacts{organization_id="1"} 3.0"#), "\(body)")
            #expect(body.contains(#"callsheet_contacts{organization_id="other"} 0.0"#), "\(body)")
            #expect(!body.contains(#"callsheet_contacts{organization_id="2"}"#) && !body.contains(#"callsheet_contacts{organization_id="3"}"#), "\(body)")
            await client.close()
        }
    }

    /// A plain HTTP/1.1 GET over a socket; returns the whole response.
    static func get(_ path: String, port: Int) async throws -> String {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
            var response = ""
            for try await chunk in inbound { response += String(buffer: chunk) }
            return response
        }
    }
}
