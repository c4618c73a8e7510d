import CallsheetProtocol
import Testing

struct RequestDecoderTests {
    @Test func multibulkRequest() {
        #expect(verifiedRequestEvents("*2\r\n$11\r\nCONTACT.GET\r\n$6\r\n123456\r\n")
            == [.request(["CONTACT.GET", "123456"])])
    }

    @Test func inlineRequestWithCRLFOrBareLF() {
        #expect(verifiedRequestEvents("CONTACT.GET 42\r\nCONTACT.GET 43\nPING\r\n")
            == [.request(["CONTACT.GET", "42"]), .request(["CONTACT.GET", "43"]), .request(["PING"])])
    }

    @Test func bulkStringsAreBinarySafe() throws {
        let input: [UInt8] = bytes("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$6\r\n") + [0, 13, 10, 255, 42, 13] + bytes("\r\n")
        var decoder = RequestDecoder()
        let decoded = try #require(try decoder.decode(input))
        #expect(decoded.arguments == [bytes("SET"), [], [0, 13, 10, 255, 42, 13]])
        #expect(decoded.consumedBytes == input.count)
    }

    @Test func pipelinedMixOfInlineAndMultibulk() {
        let input = "PING\r\n*1\r\n$4\r\nPING\r\nCONTACT.GET 1\r\n*3\r\n$3\r\nTAG\r\n$1\r\na\r\n$3\r\nb c\r\n"
            + "AUTH ada \"s3 cret\"\n*2\r\n$4\r\nECHO\r\n$2\r\n*2\r\n"
        #expect(verifiedRequestEvents(input) == [
            .request(["PING"]), .request(["PING"]), .request(["CONTACT.GET", "1"]),
            .request(["TAG", "a", "b c"]), .request(["AUTH", "ada", "s3 cret"]), .request(["ECHO", "*2"]),
        ])
    }

    @Test func blankLinesAndEmptyArraysAreConsumedWithoutARequest() {
        #expect(verifiedRequestEvents("\r\n\r\n\n  \t\r\nPING\r\n*0\r\n*-1\r\n*-5\r\nPING\r\n\r\n")
            == [.request(["PING"]), .request(["PING"])])
    }

    @Test func blankLinesAloneAreHandedBackAsEmpty() throws {
        var decoder = RequestDecoder()
        let decoded = try #require(try decoder.decode(bytes("\r\n\n*0\r\n")))
        #expect(decoded == DecodedRequest(arguments: [], consumedBytes: 7))
    }

    @Test func blankLinesBeforeAPartialRequestAreDroppedAndTheRequestResumes() throws {
        var decoder = RequestDecoder()
        let first = try #require(try decoder.decode(bytes("\r\n*2\r\n$4\r\nECHO\r\n$3\r\nab")))
        #expect(first == DecodedRequest(arguments: [], consumedBytes: 2))
        // The caller dropped the blank line; the partial request now starts the buffer.
        let second = try #require(try decoder.decode(bytes("*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n")))
        #expect(second.arguments == [bytes("ECHO"), bytes("abc")])
        #expect(second.consumedBytes == 23)
    }

    @Test func incompleteRequestsAskForMoreAndConsumeNothing() throws {
        var decoder = RequestDecoder()
        let request = bytes("*2\r\n$11\r\nCONTACT.GET\r\n$6\r\n123456\r\n")
        for end in 0..<request.count {
            #expect(try decoder.decode(Array(request[..<end])) == nil, "after \(end) bytes")
        }
        #expect(try decoder.decode(request)?.arguments == [bytes("CONTACT.GET"), bytes("123456")])
        // A fresh request after a complete one.
        #expect(try decoder.decode(bytes("PING")) == nil)
        #expect(try decoder.decode(bytes("PING\r\n")) == DecodedRequest(arguments: [bytes("PING")], consumedBytes: 6))
    }

    @Test func aCallerThatDropsUnconsumedBytesStartsOver() throws {
        var decoder = RequestDecoder()
        #expect(try decoder.decode(bytes("*1\r\n$4\r\nPI")) == nil)
        #expect(try decoder.decode(bytes("PING\r\n"))?.arguments == [bytes("PING")])
    }

    /// Regression guard for quadratic rescanning: 32 MiB in 256-byte pieces is 131,072 calls;
    /// reading the pending bulk string again on each call would touch 2 TB. The same for an
    /// inline line still waiting for its LF: 32 MiB in 32-byte pieces, 16 TB if rescanned
    /// (`memchr` is fast enough that less would finish inside the time limit).
    @Test(.timeLimit(.minutes(1)))
    func largeBulkStringInSmallPiecesIsReadOnce() throws {
        let size = 32 * 1024 * 1024
        let input = bytes("*2\r\n$3\r\nPUT\r\n$\(size)\r\n") + [UInt8](repeating: UInt8(ascii: "x"), count: size) + bytes("\r\n")
        let decoded = try decodeInPieces(input, pieceSize: 256, limits: ProtocolLimits())
        #expect(decoded.arguments.count == 2)
        #expect(decoded.arguments[1].count == size)
        #expect(decoded.consumedBytes == input.count)
    }

    @Test(.timeLimit(.minutes(1)))
    func longInlineLineInSmallPiecesIsScannedOnce() throws {
        let size = 32 * 1024 * 1024
        let input = bytes("SEARCH ") + [UInt8](repeating: UInt8(ascii: "y"), count: size) + bytes("\r\n")
        let limits = ProtocolLimits(maxInlineLength: 64 * 1024 * 1024)
        let decoded = try decodeInPieces(input, pieceSize: 32, limits: limits)
        #expect(decoded.arguments.map(\.count) == [6, size])
    }

    /// Appends `input` piece by piece to one growing buffer until the single request in it decodes.
    private func decodeInPieces(_ input: [UInt8], pieceSize: Int, limits: ProtocolLimits) throws -> DecodedRequest {
        var decoder = RequestDecoder(limits: limits)
        var pending: [UInt8] = []
        pending.reserveCapacity(input.count)
        var offset = 0
        while offset < input.count {
            let end = min(offset + pieceSize, input.count)
            pending.append(contentsOf: input[offset..<end])
            offset = end
            if let decoded = try decoder.decode(pending) {
                #expect(offset == input.count)
                return decoded
            }
        }
        Issue.record("the request never completed")
        return DecodedRequest(arguments: [], consumedBytes: 0)
    }

    @Test func limitsCanBeTightenedBetweenRequests() throws {
        var decoder = RequestDecoder()
        decoder.limits.maxArrayCount = 2
        #expect(try decoder.decode(bytes("*2\r\n$1\r\na\r\n$1\r\nb\r\n"))?.arguments.count == 2)
        #expect(throws: ProtocolError.self) { try decoder.decode(bytes("*3\r\n")) }
        decoder.limits = ProtocolLimits()
        #expect(try decoder.decode(bytes("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n"))?.arguments.count == 3)
    }
}
