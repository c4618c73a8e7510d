import CallsheetProtocol
import Testing

struct ReplyDecoderTests {
    static let values: [RESPValue] = [
        .ok,
        .simpleString(""),
        .error("NOTFOUND no contact with id 42"),
        .integer(0), .integer(-1), .integer(.max), .integer(.min),
        .bulk("{\"id\":42,\"name\":\"Ada\"}"),
        .bulkString([]),
        .bulkString([0, 13, 10, 13, 255]),
        .null,
        .nullArray,
        .array([]),
        .array([.bulk("a"), .null, .integer(3)]),
        .array([.array([]), .array([.array([.ok, .error("ERR x")]), .nullArray]), .bulk("tail")]),
    ]

    @Test("every value survives encode and decode, fed one byte at a time", arguments: values)
    func roundTrip(_ value: RESPValue) throws {
        let encoded = value.encoded
        for chunkSize in [1, 2, 5, encoded.count] {
            #expect(try decodeReplies(encoded, chunkSize: chunkSize) == [value])
        }
    }

    @Test func pipelinedRepliesInOneStream() throws {
        var stream: [UInt8] = []
        for value in Self.values {
            value.write(into: &stream)
        }
        for chunkSize in [1, 3, 64, stream.count] {
            #expect(try decodeReplies(stream, chunkSize: chunkSize) == Self.values)
        }
    }

    @Test func incompleteReplyConsumesNothing() throws {
        var decoder = ReplyDecoder()
        let reply = RESPValue.array([.bulk("hello"), .integer(5), .simpleString("fine")]).encoded
        for end in 0..<reply.count {
            #expect(try decoder.decode(Array(reply[..<end])) == nil, "after \(end) bytes")
        }
        let decoded = try #require(try decoder.decode(reply + bytes("+NEXT\r\n")))
        #expect(decoded.consumedBytes == reply.count)
        #expect(decoded.value == .array([.bulk("hello"), .integer(5), .simpleString("fine")]))
    }

    @Test func readsWhatRedisSends() throws {
        // Bytes as redis 7 sent them to `ECHO`, `EVAL "return ARGV"` and a failing command.
        let stream = bytes("$2\r\naA\r\n*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n-ERR wrong number of arguments for 'echo' command\r\n")
        #expect(try decodeReplies(stream, chunkSize: 1) == [
            .bulk("aA"), .array([.bulk("a"), .bulk("b"), .bulk("c")]),
            .error("ERR wrong number of arguments for 'echo' command"),
        ])
    }

    struct Malformed: CustomTestStringConvertible, Sendable {
        let input: String
        let code: ProtocolError.Code
        var testDescription: String { input.debugDescription }
    }

    static let malformed: [Malformed] = [
        Malformed(input: "?what\r\n", code: .unknownReplyType),
        Malformed(input: "*1\r\n!x\r\n", code: .unknownReplyType),
        Malformed(input: ":12a\r\n", code: .invalidInteger),
        Malformed(input: ":\r\n", code: .invalidInteger),
        Malformed(input: ":99999999999999999999\r\n", code: .invalidInteger),
        Malformed(input: "$-2\r\n", code: .invalidBulkLength),
        Malformed(input: "$abc\r\n", code: .invalidBulkLength),
        Malformed(input: "$3\r\nabcd\r\n", code: .missingCRLF),
        Malformed(input: "+OK\rx", code: .missingCRLF),
        Malformed(input: "*-2\r\n", code: .invalidMultibulkLength),
        Malformed(input: "*x\r\n", code: .invalidMultibulkLength),
        Malformed(input: "*2000000\r\n", code: .arrayTooLong),
        Malformed(input: "$999999999999\r\n", code: .bulkTooLong),
    ]

    @Test("malformed replies are refused", arguments: malformed)
    func malformedReply(_ testCase: Malformed) {
        for chunkSize in [1, testCase.input.utf8.count] {
            let error = #expect(throws: ProtocolError.self) {
                try decodeReplies(bytes(testCase.input), chunkSize: chunkSize)
            }
            #expect(error?.code == testCase.code)
            #expect(error?.closesConnection == true)
        }
    }

    @Test func limits() throws {
        let limits = ProtocolLimits(maxInlineLength: 8, maxBulkLength: 3, maxArrayCount: 2, maxNestingDepth: 2)
        #expect(try decodeReplies(bytes("+12345678\r\n*2\r\n*1\r\n$3\r\nabc\r\n:1\r\n"), chunkSize: 1, limits: limits)
            == [.simpleString("12345678"), .array([.array([.bulk("abc")]), .integer(1)])])
        #expect(throws: ProtocolError.self) { try decodeReplies(bytes("+123456789\r\n"), chunkSize: 1, limits: limits) }
        #expect(throws: ProtocolError.self) { try decodeReplies(bytes("+123456789"), chunkSize: 1, limits: limits) }
        #expect(throws: ProtocolError.self) { try decodeReplies(bytes("$4\r\nabcd\r\n"), chunkSize: 1, limits: limits) }
        #expect(throws: ProtocolError.self) { try decodeReplies(bytes("*3\r\n"), chunkSize: 1, limits: limits) }
        let tooDeep = #expect(throws: ProtocolError.self) {
            try decodeReplies(bytes("*1\r\n*1\r\n*1\r\n:1\r\n"), chunkSize: 1, limits: limits)
        }
        #expect(tooDeep?.code == .nestingTooDeep)
    }

    @Test func deepNestingFromAHostileServerIsRefusedNotACrash() {
        let hostile = bytes(String(repeating: "*1\r\n", count: 100_000))
        let error = #expect(throws: ProtocolError.self) { try decodeReplies(hostile, chunkSize: 4096) }
        #expect(error?.code == .nestingTooDeep)
    }
}
