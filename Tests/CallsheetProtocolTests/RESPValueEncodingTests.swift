import CallsheetProtocol
import Testing

struct RESPValueEncodingTests {
    @Test func everyKindOfValue() {
        #expect(RESPValue.ok.encoded == bytes("+OK\r\n"))
        #expect(RESPValue.simpleString("PONG").encoded == bytes("+PONG\r\n"))
        #expect(RESPValue.simpleString("").encoded == bytes("+\r\n"))
        #expect(RESPValue.error("NOTFOUND no contact 42").encoded == bytes("-NOTFOUND no contact 42\r\n"))
        #expect(RESPValue.integer(0).encoded == bytes(":0\r\n"))
        #expect(RESPValue.integer(7).encoded == bytes(":7\r\n"))
        #expect(RESPValue.integer(1234567890).encoded == bytes(":1234567890\r\n"))
        #expect(RESPValue.integer(-15).encoded == bytes(":-15\r\n"))
        #expect(RESPValue.integer(.max).encoded == bytes(":9223372036854775807\r\n"))
        #expect(RESPValue.integer(.min).encoded == bytes(":-9223372036854775808\r\n"))
        #expect(RESPValue.bulk("{\"id\":1}").encoded == bytes("$8\r\n{\"id\":1}\r\n"))
        #expect(RESPValue.bulkString([]).encoded == bytes("$0\r\n\r\n"))
        #expect(RESPValue.bulkString([0, 13, 10, 255]).encoded == bytes("$4\r\n") + [0, 13, 10, 255] + bytes("\r\n"))
        #expect(RESPValue.null.encoded == bytes("$-1\r\n"))
        #expect(RESPValue.nullArray.encoded == bytes("*-1\r\n"))
        #expect(RESPValue.array([]).encoded == bytes("*0\r\n"))
        #expect(RESPValue.array([.integer(1), .array([.bulk("a"), .null]), .ok]).encoded
            == bytes("*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+OK\r\n"))
    }

    @Test func simpleStringsAndErrorsNeverCarryLineBreaks() {
        #expect(RESPValue.simpleString("a\r\nb\rc\nd").encoded == bytes("+a  b c d\r\n"))
        #expect(RESPValue.error(code: "BADARG", message: "line 1\nline 2").encoded == bytes("-BADARG line 1 line 2\r\n"))
        // Bulk strings keep them: they are length-prefixed.
        #expect(RESPValue.bulk("a\r\nb").encoded == bytes("$4\r\na\r\nb\r\n"))
    }

    @Test func conveniences() {
        #expect(RESPValue.error(code: "NOAUTH", message: "Authentication required.") == .error("NOAUTH Authentication required."))
        #expect(RESPValue.error(code: "ERR", message: "") == .error("ERR"))
        #expect(RESPValue.bulk("é") == .bulkString([0xC3, 0xA9]))
        #expect(RESPValue.command(["CONTACT.GET", "42"]).encoded == bytes("*2\r\n$11\r\nCONTACT.GET\r\n$2\r\n42\r\n"))
        #expect(RESPValue.bulk("x").string == "x")
        #expect(RESPValue.simpleString("OK").bytes == bytes("OK"))
        #expect(RESPValue.integer(1).string == nil)
    }

    @Test func writeAppendsToWhatIsThere() {
        var buffer = bytes("+FIRST\r\n")
        RESPValue.integer(2).write(into: &buffer)
        RESPValue.bulk("three").write(into: &buffer)
        #expect(buffer == bytes("+FIRST\r\n:2\r\n$5\r\nthree\r\n"))
    }

    @Test func aCommandEncodedByAClientDecodesToItsArguments() throws {
        var decoder = RequestDecoder()
        let encoded = RESPValue.command(["CONTACT.SEARCH", "ada lovelace", ""]).encoded
        let decoded = try #require(try decoder.decode(encoded))
        #expect(decoded.arguments == [bytes("CONTACT.SEARCH"), bytes("ada lovelace"), []])
        #expect(decoded.consumedBytes == encoded.count)
    }
}
