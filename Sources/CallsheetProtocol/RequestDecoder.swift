/// Cuts a connection's byte stream into requests, as redis' `processInputBuffer` does:
/// a line starting with `*` opens a RESP array of bulk strings; any other line is an inline
/// command split by `InlineSplitter`.
///
/// Give `decode` all the bytes received and not yet consumed (a NIO buffer's readable bytes).
/// - A `DecodedRequest` says how many bytes it took; drop those and call again, since more
///   requests may follow (pipelining).
/// - `nil` means the request is not complete: keep every byte and call again, with the same
///   bytes first, once more have arrived. The decoder remembers how far it got, so a large
///   bulk string arriving in small pieces is read once, not rescanned (as redis keeps
///   `multibulklen`/`bulklen` between reads).
/// - A thrown `ProtocolError` says whether the connection must close.
///
/// Differences from redis 7, all stricter: bulk data must be followed by CRLF (redis skips any
/// two bytes), a `*`/`$` header must end within 21 bytes, and an inline line longer than the
/// limit is refused even when it arrives whole.
public struct RequestDecoder: Sendable {
    public typealias Limits = ProtocolLimits

    /// Checked as each request is read; a server tightens them until the client authenticates.
    public var limits: Limits

    enum Phase {
        /// At the start of a request (an unfinished `*n` header is read again, a few bytes).
        case idle
        /// In an inline line; `cursor` is where the search for its LF resumes.
        case inline
        /// After the `*n` header; `cursor` is the next unread byte.
        case multibulk
    }

    var phase = Phase.idle
    /// Offset from the start of the current request; see `Phase`.
    var cursor = 0
    var remainingArguments = 0
    /// Length of the bulk string whose `$n` header was read and whose data is still to come, or -1.
    var pendingBulkLength = -1
    var arguments: [[UInt8]] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Decodes the request at the start of `bytes`; see the type's documentation for the contract.
    /// - Complexity: O(*n*) in the bytes that are new since the previous call.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> DecodedRequest? {
        if cursor > bytes.count {
            reset()  // the caller broke the contract and dropped bytes; start over rather than misread
        }
        var skipped = 0
        while skipped < bytes.count {
            let step: Step
            do {
                step = try decodeOne(bytes, at: skipped)
            } catch {
                reset()
                var error = error
                if !error.closesConnection {
                    error.consumedBytes += skipped
                }
                throw error
            }
            switch step {
            case .request(let arguments, let end):
                return DecodedRequest(arguments: arguments, consumedBytes: end)
            case .nothing(let end):
                skipped = end
            case .needMoreData:
                return skipped == 0 ? nil : DecodedRequest(arguments: [], consumedBytes: skipped)
            }
        }
        return skipped == 0 ? nil : DecodedRequest(arguments: [], consumedBytes: skipped)
    }

    /// Decodes the request at the start of `bytes`; a convenience for tests and clients.
    public mutating func decode(_ bytes: [UInt8]) throws(ProtocolError) -> DecodedRequest? {
        // `withUnsafeBytes` rethrows untyped errors, so carry the typed one out in a `Result`.
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(ProtocolError) -> DecodedRequest? in try decode(buffer) }
        }.get()
    }

    enum Step {
        case request([[UInt8]], end: Int)
        /// A blank line or an empty array, ending at `end`.
        case nothing(end: Int)
        case needMoreData
    }

    private mutating func reset() {
        phase = .idle
        cursor = 0
        remainingArguments = 0
        pendingBulkLength = -1
        arguments = []
    }

    /// Reads one request starting at `start`; state offsets are relative to `start`.
    private mutating func decodeOne(_ bytes: UnsafeRawBufferPointer, at start: Int) throws(ProtocolError) -> Step {
        switch phase {
        case .idle:
            if bytes[start] == UInt8(ascii: "*") {
                return try decodeMultibulkHeader(bytes, at: start)
            }
            phase = .inline
            cursor = 0
            return try decodeInline(bytes, at: start)
        case .inline:
            return try decodeInline(bytes, at: start)
        case .multibulk:
            return try decodeBulkStrings(bytes, at: start)
        }
    }

    private mutating func decodeInline(_ bytes: UnsafeRawBufferPointer, at start: Int) throws(ProtocolError) -> Step {
        guard let newline = ByteScanning.firstIndex(of: ByteScanning.lf, in: bytes, from: start + cursor) else {
            var lineLength = bytes.count - start
            if bytes[bytes.count - 1] == ByteScanning.cr {
                lineLength -= 1  // the CR of a CRLF whose LF is still to come
            }
            guard lineLength <= limits.maxInlineLength else {
                throw .inlineTooLong(limit: limits.maxInlineLength)
            }
            cursor = bytes.count - start
            return .needMoreData
        }
        var lineEnd = newline
        if lineEnd > start && bytes[lineEnd - 1] == ByteScanning.cr {
            lineEnd -= 1
        }
        guard lineEnd - start <= limits.maxInlineLength else {
            throw .inlineTooLong(limit: limits.maxInlineLength)
        }
        phase = .idle
        cursor = 0
        let line = UnsafeRawBufferPointer(rebasing: bytes[start..<lineEnd])
        let arguments: [[UInt8]]
        do {
            arguments = try InlineSplitter.split(line)
        } catch {
            throw .unbalancedQuotes(consumedBytes: newline + 1 - start)
        }
        return arguments.isEmpty ? .nothing(end: newline + 1) : .request(arguments, end: newline + 1)
    }
}
