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
            let metrics = MetricsServer(host: "127.0.0.1", port: 0, directory: server.directory,
                                        serverMetrics: server.server.metrics, logger: Logger(label: "test"))
            let task = Task { try await metrics.run() }
            defer { task.cancel() }
            let port = try await metrics.localPort
            let body = try await Self.get("/metrics", port: port)
            #expect(body.hasPrefix("HTTP/1.1 200 OK"), "\(body)")
            #expect(body.contains("\ncallsheet_connections 1\n"), "\(body)")
            #expect(body.contains("callsheet_errors_total{code=\"NOT_FOUND\"} 1"))
            #expect(body.contains("callsheet_contacts{organization_id=\"1\"} 1"))
            #expect(body.contains("# TYPE callsheet_commands_total counter"))
            #expect(body.contains("\ncallsheet_pending_requests 0\n"), "\(body)")
            let missing = try await Self.get("/nope", port: port)
            #expect(missing.hasPrefix("HTTP/1.1 404"))
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
