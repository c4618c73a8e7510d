import CallsheetProtocol

/// Decodes the input as a client's byte stream, pipelined, the way the server's framing does:
/// once with every byte available, once with the bytes arriving one at a time. Both must
/// yield the same requests, end at the same offsets and fail the same way.
///
/// The first byte picks the limits: odd is tight (so the limit errors are reachable with short
/// inputs), even is the server's defaults. The rest is the stream.
enum RequestDecoderFuzz {
    enum Event: Equatable, CustomStringConvertible {
        /// A request with arguments and the stream offset just past it.
        case request([[UInt8]], end: Int)
        /// An error; `end` is where decoding resumes, nil when it closes the connection.
        case error(String, end: Int?)

        var description: String {
            switch self {
            case .request(let arguments, let end): "request \(arguments.map { preview($0, limit: 20) }) ending at \(end)"
            case .error(let code, let end): "error \(code)" + (end.map { " resuming at \($0)" } ?? " closing")
            }
        }
    }

    static let tight = ProtocolLimits(maxInlineLength: 64, maxBulkLength: 256, maxArrayCount: 8)

    static func run(_ data: UnsafeRawBufferPointer) throws(FuzzFailure) {
        guard let selector = data.first else { return }
        let limits = selector & 1 == 1 ? tight : ProtocolLimits()
        let stream = UnsafeRawBufferPointer(rebasing: data[1...])
        let (whole, wholeEnd) = try decode(stream, limits: limits, pieceSize: stream.count)
        let (pieces, piecesEnd) = try decode(stream, limits: limits, pieceSize: 1)
        guard whole == pieces, wholeEnd == piecesEnd else {
            throw FuzzFailure(
                .resp, "fed byte by byte == fed whole",
                "whole: \(whole) consumed \(wholeEnd); byte by byte: \(pieces) consumed \(piecesEnd); stream \(preview(stream))")
        }
    }

    /// Feeds `stream` in pieces of `pieceSize` bytes, decoding after each piece as many
    /// requests as are complete. Returns the events and how many bytes were consumed (-1 once an error closes the connection).
    static func decode(_ stream: UnsafeRawBufferPointer, limits: ProtocolLimits, pieceSize: Int) throws(FuzzFailure) -> ([Event], Int) {
        var decoder = RequestDecoder(limits: limits)
        var events: [Event] = []
        var consumed = 0
        var available = 0
        // Each call must consume bytes or ask for more; bound the calls so a decoder that does
        // neither fails the run instead of spinning.
        var calls = 0
        let maximumCalls = 4 * stream.count + 16
        while available < stream.count {
            available = min(stream.count, available + max(pieceSize, 1))
            while consumed < available {
                calls += 1
                guard calls <= maximumCalls else {
                    throw FuzzFailure(.resp, "every call consumes bytes or waits", "more than \(maximumCalls) calls")
                }
                let window = UnsafeRawBufferPointer(rebasing: stream[consumed..<available])
                do {
                    guard let request = try decoder.decode(window) else { break }
                    guard request.consumedBytes > 0, request.consumedBytes <= window.count else {
                        throw FuzzFailure(.resp, "0 < consumedBytes <= bytes given", "\(request.consumedBytes) of \(window.count)")
                    }
                    consumed += request.consumedBytes
                    if !request.arguments.isEmpty {
                        events.append(.request(request.arguments, end: consumed))
                    }
                } catch let error as ProtocolError {
                    if error.closesConnection {
                        // Where the stream stops no longer matters: the connection closes. (Fed
                        // whole, blank lines before the bad request are not counted as consumed.)
                        events.append(.error(error.code.description, end: nil))
                        return (events, -1)
                    }
                    guard error.consumedBytes > 0, error.consumedBytes <= window.count else {
                        throw FuzzFailure(.resp, "an error that keeps the connection consumes bytes", "\(error.consumedBytes) of \(window.count)")
                    }
                    consumed += error.consumedBytes
                    events.append(.error(error.code.description, end: consumed))
                } catch let failure as FuzzFailure {
                    throw failure
                } catch {
                    throw FuzzFailure(.resp, "decode throws only ProtocolError", "\(error)")
                }
            }
        }
        return (events, consumed)
    }
}
