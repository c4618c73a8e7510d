import CallsheetProtocol
import Testing

/// Malformed and oversized requests. Messages follow redis 7.0.15, which answered each
/// `invalid …` case below with the same text and then closed the connection.
struct RequestDecoderErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let input: String
        let code: ProtocolError.Code
        let message: String
        var testDescription: String { input.debugDescription }
        init(_ input: String, _ code: ProtocolError.Code, _ message: String) {
            self.input = input
            self.code = code
            self.message = message
        }
    }

    static let malformed: [Case] = [
        Case("*\r\n", .invalidMultibulkLength, "Protocol error: invalid multibulk length"),
        Case("*abc\r\n", .invalidMultibulkLength, "Protocol error: invalid multibulk length"),
        Case("*01\r\n$4\r\nPING\r\n", .invalidMultibulkLength, "Protocol error: invalid multibulk length"),
        Case("*+1\r\n", .invalidMultibulkLength, "Protocol error: invalid multibulk length"),
        Case("*1 \r\n", .invalidMultibulkLength, "Protocol error: invalid multibulk length"),
        Case("*1\rx", .invalidMultibulkLength, "Protocol error: invalid multibulk length"),
        Case("*99999999999999999999\r\n", .invalidMultibulkLength, "Protocol error: invalid multibulk length"),
        Case("*1" + String(repeating: "1", count: 40), .invalidMultibulkLength, "Protocol error: invalid multibulk length"),
        Case("*1\r\n$04\r\nPING\r\n", .invalidBulkLength, "Protocol error: invalid bulk length"),
        Case("*1\r\n$-1\r\n", .invalidBulkLength, "Protocol error: invalid bulk length"),
        Case("*1\r\n$-0\r\n", .invalidBulkLength, "Protocol error: invalid bulk length"),
        Case("*1\r\n$x\r\n", .invalidBulkLength, "Protocol error: invalid bulk length"),
        Case("*1\r\n$\r\n", .invalidBulkLength, "Protocol error: invalid bulk length"),
        Case("*1\r\n$4\rxPING\r\n", .invalidBulkLength, "Protocol error: invalid bulk length"),
        Case("*1\r\n+PING\r\n", .expectedBulk, "Protocol error: expected '$', got '+'"),
        Case("*2\r\n$4\r\nECHO\r\nhello\r\n", .expectedBulk, "Protocol error: expected '$', got 'h'"),
        Case("*1\r\n\u{01}", .expectedBulk, "Protocol error: expected '$', got '\\x01'"),
        Case("*1\r\n$4\r\nPINGxx", .missingCRLF, "Protocol error: expected CRLF after a bulk string of 4 bytes"),
        Case("*1\r\n$4\r\nPING\rx", .missingCRLF, "Protocol error: expected CRLF after a bulk string of 4 bytes"),
        Case("*1\r\n$4\r\nPING\n\r", .missingCRLF, "Protocol error: expected CRLF after a bulk string of 4 bytes"),
        Case("*1\r\n$3000000000\r\n", .bulkTooLong,
             "Protocol error: bulk length 3000000000 is over the limit of 536870912"),
        Case("*3000000000\r\n", .arrayTooLong,
             "Protocol error: multibulk length 3000000000 is over the limit of 1048576"),
    ]

    @Test("malformed input closes the connection", arguments: malformed)
    func malformedInput(_ testCase: Case) {
        // Requests before the bad one are still served.
        let events = verifiedRequestEvents("PING\r\n" + testCase.input + "\r\nPING\r\n")
        #expect(events == [.request(["PING"]), .error(testCase.code, closes: true)])

        var decoder = RequestDecoder()
        let error = #expect(throws: ProtocolError.self) {
            try decoder.decode(bytes(testCase.input + "\r\n"))
        }
        #expect(error?.code == testCase.code)
        #expect(error?.message == testCase.message)
        #expect(error?.closesConnection == true)
    }

    @Test func errorRepliesAreRedisLike() {
        #expect(ProtocolError.Code.invalidBulkLength.description == "invalidBulkLength")
        var decoder = RequestDecoder()
        do {
            _ = try decoder.decode(bytes("*x\r\n"))
            Issue.record("no error")
        } catch {
            #expect(error.reply == .error("ERR Protocol error: invalid multibulk length"))
            #expect(error.reply.encoded == bytes("-ERR Protocol error: invalid multibulk length\r\n"))
        }
    }

    @Test func unbalancedQuotesAreAnsweredAndDecodingGoesOn() throws {
        var decoder = RequestDecoder()
        let input = bytes("\r\nECHO \"abc\r\nPING\r\n")
        do {
            _ = try decoder.decode(input)
            Issue.record("no error")
        } catch {
            #expect(error.code == .unbalancedQuotes)
            #expect(error.message == "Protocol error: unbalanced quotes in request")
            #expect(!error.closesConnection)
            #expect(error.consumedBytes == 13)  // the blank line and the bad line
            let rest = Array(input[error.consumedBytes...])
            #expect(try decoder.decode(rest) == DecodedRequest(arguments: [bytes("PING")], consumedBytes: 6))
        }
    }

    @Test func inlineLineAtTheLimitIsAcceptedOneByteMoreIsNot() {
        let limits = ProtocolLimits(maxInlineLength: 16)
        let atLimit = "ECHO 01234567890"  // 16 bytes
        #expect(verifiedRequestEvents(atLimit + "\r\n", limits: limits) == [.request(["ECHO", "01234567890"])])
        #expect(verifiedRequestEvents(atLimit + "1\r\n", limits: limits) == [.error(.inlineTooLong, closes: true)])
        // Without any line end yet, the error comes as soon as the limit is passed.
        #expect(verifiedRequestEvents(atLimit + "1", limits: limits) == [.error(.inlineTooLong, closes: true)])
        #expect(verifiedRequestEvents(atLimit, limits: limits) == [])
    }

    @Test func defaultInlineLimitIs64KiB() {
        let line = String(repeating: "a", count: 64 * 1024 + 1)
        var decoder = RequestDecoder()
        #expect(throws: ProtocolError.self) { try decoder.decode(bytes(line)) }
        #expect(ProtocolLimits().maxInlineLength == 65536)
        #expect(ProtocolLimits().maxBulkLength == 512 * 1024 * 1024)
        #expect(ProtocolLimits().maxArrayCount == 1_048_576)
    }

    @Test func bulkAndArrayLimits() {
        let limits = ProtocolLimits(maxBulkLength: 4, maxArrayCount: 2)
        #expect(verifiedRequestEvents("*2\r\n$4\r\nabcd\r\n$0\r\n\r\n", limits: limits) == [.request(["abcd", ""])])
        #expect(verifiedRequestEvents("*1\r\n$5\r\nabcde\r\n", limits: limits) == [.error(.bulkTooLong, closes: true)])
        #expect(verifiedRequestEvents("*3\r\n$1\r\na\r\n", limits: limits) == [.error(.arrayTooLong, closes: true)])
    }

    @Test func garbageAfterTheHeaderIsRefusedBeforeItsEnd() {
        // A header longer than any 64-bit number fails without waiting for CRLF.
        #expect(verifiedRequestEvents("*1\r\n$" + String(repeating: "9", count: 25))
            == [.error(.invalidBulkLength, closes: true)])
        // Up to 20 digits the decoder waits.
        #expect(verifiedRequestEvents("*1\r\n$" + String(repeating: "9", count: 20)) == [])
    }
}
