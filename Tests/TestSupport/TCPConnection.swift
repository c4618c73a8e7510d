import Foundation

/// A blocking IPv4 TCP client for tests that talk to a real server process. Bytes in, bytes out:
/// framing (RESP, HTTP) is the test's business. Every call has a timeout, so a hung server
/// fails a test instead of hanging it.
public final class TCPConnection {
    /// A connection or I/O failure, with `errno` when the system gave one.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public let errno: Int32
        public init(description: String, errno: Int32) {
            self.description = description
            self.errno = errno
        }
    }

    private var descriptor: Int32

    /// Connects to `host:port` (an IPv4 address such as 127.0.0.1).
    public init(host: String = "127.0.0.1", port: Int, timeout: Duration = .seconds(5)) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed", errno: errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        try setTimeout(timeout)
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Foundation.close(descriptor)
            descriptor = -1
            throw Failure(description: "cannot connect to \(host):\(port): \(String(cString: strerror(code)))", errno: code)
        }
    }

    deinit { close() }

    /// Sets how long one send or receive may block.
    public func setTimeout(_ timeout: Duration) throws {
        let (seconds, attoseconds) = timeout.components
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends every byte.
    public func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw Failure(description: "send failed: \(String(cString: strerror(errno)))", errno: errno) }
            sent += count
        }
    }

    /// Receives what is available (blocking until at least one byte or the timeout).
    /// - Returns: the bytes; empty when the peer closed the connection.
    public func receive(maximum: Int = 64 * 1024) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, maximum, 0) }
        guard count >= 0 else { throw Failure(description: "receive failed: \(String(cString: strerror(errno)))", errno: errno) }
        return Array(buffer[0..<count])
    }

    public func close() {
        if descriptor >= 0 { Foundation.close(descriptor) }
        descriptor = -1
    }

    /// A loopback port nothing listens on right now (bound to port 0, then released).
    public static func freePort() throws -> Int {
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard probe >= 0 else { throw Failure(description: "socket() failed", errno: errno) }
        defer { Foundation.close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(probe, pointer, length) == 0 && getsockname(probe, pointer, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "cannot bind a loopback port", errno: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Connects once `port` accepts connections.
    /// - Throws: the last connection failure after `timeout`.
    public static func waitUntilAccepting(port: Int, timeout: Duration = .seconds(20)) async throws -> TCPConnection {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                return try TCPConnection(port: port)
            } catch {
                guard ContinuousClock.now < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }
}
