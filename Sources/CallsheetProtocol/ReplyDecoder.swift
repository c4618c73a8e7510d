/// Reads RESP2 replies from a server's byte stream, for clients (`repl --connect`) and tests.
///
/// The contract is `RequestDecoder`'s: pass every byte received and not yet consumed; a
/// `DecodedReply` says how many bytes to drop; `nil` means keep them all and call again with
/// more. Partial arrays and a pending bulk length are kept between calls, so nothing is
/// scanned twice. After a thrown `ProtocolError` the stream cannot be trusted: close it.
public struct ReplyDecoder: Sendable {
    public typealias Limits = ProtocolLimits

    public var limits: Limits

    private struct PartialArray: Sendable {
        var remaining: Int
        var elements: [RESPValue]
    }

    /// Arrays whose elements are still arriving, outermost first.
    private var openArrays: [PartialArray] = []
    /// Offset from the start of the reply of the next unread byte.
    private var cursor = 0
    /// Length of a bulk string whose `$n` header was read, or -1.
    private var pendingBulkLength = -1
    /// Where the search for the end of a `+`/`-` line resumes, relative to the reply's start.
    private var lineSearchFrom = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Decodes the reply at the start of `bytes`.
    /// - Complexity: O(*n*) in the bytes that are new since the previous call.
    public mutating func decode(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> DecodedReply? {
        if cursor > bytes.count {
            reset()
        }
        do {
            while true {
                guard var value = try readValue(bytes) else { return nil }
                while !openArrays.isEmpty {
                    let top = openArrays.count - 1
                    openArrays[top].elements.append(value)
                    openArrays[top].remaining -= 1
                    guard openArrays[top].remaining == 0 else { break }
                    value = .array(openArrays.removeLast().elements)
                }
                if openArrays.isEmpty {
                    let reply = DecodedReply(value: value, consumedBytes: cursor)
                    reset()
                    return reply
                }
            }
        } catch {
            reset()
            throw error
        }
    }

    /// Decodes the reply at the start of `bytes`; a convenience for tests.
    public mutating func decode(_ bytes: [UInt8]) throws(ProtocolError) -> DecodedReply? {
        // `withUnsafeBytes` rethrows untyped errors, so carry the typed one out in a `Result`.
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(ProtocolError) -> DecodedReply? in try decode(buffer) }
        }.get()
    }

    private mutating func reset() {
        openArrays = []
        cursor = 0
        pendingBulkLength = -1
        lineSearchFrom = 0
    }

    /// Reads one value at `cursor`, or opens an array and reads its first value; nil when the
    /// bytes run out first.
    private mutating func readValue(_ bytes: UnsafeRawBufferPointer) throws(ProtocolError) -> RESPValue? {
        while true {
            let start = cursor
            if pendingBulkLength >= 0 {
                let length = pendingBulkLength
                guard bytes.count - start >= length + 2 else { return nil }
                guard bytes[start + length] == ByteScanning.cr, bytes[start + length + 1] == ByteScanning.lf else {
                    throw .missingCRLF(afterBulkOf: length)
                }
                cursor = start + length + 2
                pendingBulkLength = -1
                return .bulkString(ByteScanning.copy(bytes, from: start, count: length))
            }
            guard start < bytes.count else { return nil }
            let type = bytes[start]
            switch type {
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                guard let text = try readLine(bytes, at: start) else { return nil }
                return type == UInt8(ascii: "+") ? .simpleString(text) : .error(text)
            case UInt8(ascii: ":"):
                switch ByteScanning.readHeader(bytes, at: start) {
                case .incomplete: return nil
                case .invalid: throw .invalidInteger
                case .value(let value, let next):
                    cursor = next
                    return .integer(value)
                }
            case UInt8(ascii: "$"):
                switch ByteScanning.readHeader(bytes, at: start) {
                case .incomplete: return nil
                case .invalid: throw .invalidBulkLength
                case .value(let length, let next):
                    cursor = next
                    if length == -1 {
                        return .null
                    }
                    guard length >= 0 else { throw .invalidBulkLength }
                    guard length <= limits.maxBulkLength else { throw .bulkTooLong(length, limit: limits.maxBulkLength) }
                    pendingBulkLength = Int(length)
                }
            case UInt8(ascii: "*"):
                switch ByteScanning.readHeader(bytes, at: start) {
                case .incomplete: return nil
                case .invalid: throw .invalidMultibulkLength
                case .value(let count, let next):
                    cursor = next
                    if count == -1 {
                        return .nullArray
                    }
                    guard count >= 0 else { throw .invalidMultibulkLength }
                    if count == 0 {
                        return .array([])
                    }
                    guard count <= limits.maxArrayCount else { throw .arrayTooLong(count, limit: limits.maxArrayCount) }
                    guard openArrays.count < limits.maxNestingDepth else {
                        throw .nestingTooDeep(limit: limits.maxNestingDepth)
                    }
                    var elements: [RESPValue] = []
                    elements.reserveCapacity(min(Int(count), 1024))
                    openArrays.append(PartialArray(remaining: Int(count), elements: elements))
                }
            default:
                throw .unknownReplyType(type)
            }
        }
    }

    /// The text of a `+`/`-` line at `start`, up to CRLF; nil if the CRLF has not arrived.
    private mutating func readLine(_ bytes: UnsafeRawBufferPointer, at start: Int) throws(ProtocolError) -> String? {
        let from = max(start + 1, lineSearchFrom)
        guard let cr = ByteScanning.firstIndex(of: ByteScanning.cr, in: bytes, from: from) else {
            guard bytes.count - start - 1 <= limits.maxInlineLength else { throw .lineTooLong(limit: limits.maxInlineLength) }
            lineSearchFrom = bytes.count
            return nil
        }
        guard cr - start - 1 <= limits.maxInlineLength else { throw .lineTooLong(limit: limits.maxInlineLength) }
        guard cr + 1 < bytes.count else {
            lineSearchFrom = cr
            return nil
        }
        guard bytes[cr + 1] == ByteScanning.lf else { throw .missingLF }
        lineSearchFrom = 0
        cursor = cr + 2
        let line = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<cr])
        return String(decoding: line, as: UTF8.self)
    }
}
