import CallsheetProtocol
import NIOCore

/// Gathers a connection's replies and writes them once they reach
/// ``ServerLimits/replyFlushThreshold`` (and at the end of each batch). A write waits while the
/// channel is not writable, which is the backpressure that bounds a connection's memory.
struct ReplyWriter {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var bytes: [UInt8] = []

    init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.outbound = outbound
        bytes.reserveCapacity(16 * 1024)
    }

    mutating func append(_ reply: RESPValue) async throws {
        reply.write(into: &bytes)
        if bytes.count >= ServerLimits.replyFlushThreshold {
            try await flush()
        }
    }

    /// Writes (and flushes) what was gathered.
    mutating func flush() async throws {
        guard !bytes.isEmpty else { return }
        let buffer = ByteBuffer(bytes: bytes)
        // Keep a small buffer for the next replies; give a big reply's memory back.
        bytes.removeAll(keepingCapacity: bytes.capacity <= 2 * ServerLimits.replyFlushThreshold)
        try await outbound.write(buffer)
    }
}
