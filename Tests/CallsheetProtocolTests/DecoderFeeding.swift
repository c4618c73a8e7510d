import Testing
import CallsheetProtocol

/// What a connection sees while decoding a stream: requests, and errors it answers.
enum RequestEvent: Hashable, CustomStringConvertible {
    case request([String])
    case error(ProtocolError.Code, closes: Bool)

    var description: String {
        switch self {
        case .request(let arguments): "request\(arguments)"
        case .error(let code, let closes): "error(\(code), closes: \(closes))"
        }
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

func strings(_ arguments: [[UInt8]]) -> [String] {
    arguments.map { String(decoding: $0, as: UTF8.self) }
}

/// Feeds `input` to a fresh `RequestDecoder` in pieces of `chunkSize` bytes, as a NIO
/// `ByteToMessageDecoder` would: the decoder always sees every unconsumed byte, consumed
/// bytes are dropped, and decoding repeats until it asks for more. Stops at an error that
/// closes the connection; skips the line after one that does not.
func decodeRequests(_ input: [UInt8], chunkSize: Int, limits: ProtocolLimits = ProtocolLimits()) -> [RequestEvent] {
    var decoder = RequestDecoder(limits: limits)
    var pending: [UInt8] = []
    var events: [RequestEvent] = []
    var offset = 0
    while offset < input.count {
        let end = min(offset + chunkSize, input.count)
        pending.append(contentsOf: input[offset..<end])
        offset = end
        while !pending.isEmpty {
            do {
                guard let decoded = try decoder.decode(pending) else { break }
                #expect(decoded.consumedBytes > 0 && decoded.consumedBytes <= pending.count)
                pending.removeFirst(decoded.consumedBytes)
                if !decoded.arguments.isEmpty {
                    events.append(.request(strings(decoded.arguments)))
                }
            } catch {
                events.append(.error(error.code, closes: error.closesConnection))
                if error.closesConnection {
                    return events
                }
                #expect(error.consumedBytes > 0 && error.consumedBytes <= pending.count)
                pending.removeFirst(error.consumedBytes)
            }
        }
    }
    return events
}

/// The events for `input`, after checking that every way of cutting it up gives the same
/// ones: whole, and in pieces of 1, 2, 3 and 7 bytes (swift-nio's
/// `ByteToMessageDecoderVerifier` feeds one byte at a time too).
func verifiedRequestEvents(
    _ input: [UInt8], limits: ProtocolLimits = ProtocolLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> [RequestEvent] {
    let whole = decodeRequests(input, chunkSize: max(input.count, 1), limits: limits)
    for chunkSize in [1, 2, 3, 7] {
        let pieces = decodeRequests(input, chunkSize: chunkSize, limits: limits)
        #expect(pieces == whole, "fed \(chunkSize) byte(s) at a time", sourceLocation: sourceLocation)
    }
    return whole
}

func verifiedRequestEvents(
    _ text: String, limits: ProtocolLimits = ProtocolLimits(),
    sourceLocation: SourceLocation = #_sourceLocation
) -> [RequestEvent] {
    verifiedRequestEvents(bytes(text), limits: limits, sourceLocation: sourceLocation)
}

/// Feeds `input` to a fresh `ReplyDecoder` in pieces of `chunkSize` bytes and returns the replies.
func decodeReplies(
    _ input: [UInt8], chunkSize: Int, limits: ProtocolLimits = ProtocolLimits()
) throws(ProtocolError) -> [RESPValue] {
    var decoder = ReplyDecoder(limits: limits)
    var pending: [UInt8] = []
    var replies: [RESPValue] = []
    var offset = 0
    while offset < input.count {
        let end = min(offset + chunkSize, input.count)
        pending.append(contentsOf: input[offset..<end])
        offset = end
        while let decoded = try decoder.decode(pending) {
            pending.removeFirst(decoded.consumedBytes)
            replies.append(decoded.value)
        }
    }
    #expect(pending.isEmpty, "bytes left over: \(pending)")
    return replies
}

