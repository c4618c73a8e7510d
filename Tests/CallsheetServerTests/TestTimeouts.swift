import CallsheetProtocol
import CallsheetServer
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A test step that did not finish in time.
struct TimedOut: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out: \(what)" }
}

/// Runs `body`, or throws ``TimedOut`` after `seconds` (the body is cancelled).
func within<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TimedOut(what: what) }
        return value
    }
}

/// Waits until `condition` holds, polling; false if it still does not after `seconds`.
func eventually(_ seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// A raw connection for misbehaving clients: writes whatever it is given, collects every byte
/// the server sends, and can stop reading (`autoRead` off) to leave the server's replies unread.
final class RawPeer: Sendable {
    let channel: Channel
    private let collector: Collector

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let state = Mutex<(bytes: [UInt8], closed: Bool)>(([], false))
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
            state.withLock { $0.bytes += bytes }
        }
        func channelInactive(context: ChannelHandlerContext) {
            state.withLock { $0.closed = true }
            context.fireChannelInactive()
        }
        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    init(port: Int, reading: Bool = true) async throws {
        let collector = Collector()
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: reading)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
        channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        self.collector = collector
    }

    /// Writes and flushes; the future completes once the kernel took every byte.
    @discardableResult
    func write(_ bytes: [UInt8]) -> EventLoopFuture<Void> {
        channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// The bytes received so far, as text.
    var text: String {
        get async throws { collector.state.withLock { String(decoding: $0.bytes, as: UTF8.self) } }
    }

    /// True once the server closed the connection.
    var isClosed: Bool {
        get async { collector.state.withLock { $0.closed } }
    }

    func close() async {
        try? await channel.close()
    }
}

/// Resident memory of this process (the in-process server's), from /proc.
func residentBytesOfThisProcess() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
    else { return 0 }
    return kilobytes * 1024
}
