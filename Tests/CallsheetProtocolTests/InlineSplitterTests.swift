import CallsheetProtocol
import Testing

/// Each expectation was taken from redis 7.0.15, by sending `EVAL "return ARGV" 0 <line>`
/// (or `ECHO <line>`) inline over a socket and reading back the arguments it saw.
struct InlineSplitterTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let line: String
        /// nil when redis answers "Protocol error: unbalanced quotes in request".
        let arguments: [[UInt8]]?
        var testDescription: String { line.debugDescription }

        init(_ line: String, _ arguments: [String]?) {
            self.line = line
            self.arguments = arguments?.map { Array($0.utf8) }
        }

        init(_ line: String, bytes: [[UInt8]]) {
            self.line = line
            self.arguments = bytes
        }
    }

    static let cases: [Case] = [
        // Blanks
        Case("a b  c  ", ["a", "b", "c"]),
        Case("ECHO\t\t  x   ", ["ECHO", "x"]),
        Case("", []),
        Case(" \t ", []),
        Case("\u{0B}ECHO x", ["ECHO", "x"]),              // VT is skipped between arguments…
        Case("a\u{0B}b", ["a\u{0B}b"]),                    // …but does not end one
        Case("a\u{0C}b", ["a\u{0C}b"]),
        Case("ECHO a\rb", ["ECHO", "a", "b"]),             // a CR inside the line ends an argument
        Case("x\\y", ["x\\y"]),                            // backslash is literal outside quotes
        Case("\\\"", nil),                                 // …so \" opens a quote that never closes
        // Double quotes
        Case("\"ab\"", ["ab"]),
        Case("\"a b\" c", ["a b", "c"]),
        Case("\"\"", [""]),
        Case("\"a\\x41\"", ["aA"]),
        Case("\"\\x4A\\x4a\"", ["JJ"]),
        Case("\"a\\x4\"", ["ax4"]),                        // \x needs two hex digits, else it is x
        Case("\"a\\x4g\"", ["ax4g"]),
        Case("\"a\\xZZ\"", ["axZZ"]),
        Case("\"\\n\\r\\t\\b\\a\\\\\\\"\\q\"", ["\n\r\t\u{08}\u{07}\\\"q"]),
        Case("\"\\'\"", ["'"]),
        Case("\"\\\"\\\"\"", ["\"\""]),
        Case("\"a'b\"", ["a'b"]),
        Case("\"\\xfF\"", bytes: [[0xFF]]),
        Case("\"\\x00\"", bytes: [[0x00]]),
        // Single quotes
        Case("'a\\'b'", ["a'b"]),
        Case("'a\\nb'", ["a\\nb"]),
        Case("'a\\\\b'", ["a\\\\b"]),
        Case("'\\\"'", ["\\\""]),
        Case("'a\"b'", ["a\"b"]),
        Case("''", [""]),
        // Quotes inside an argument, and what may follow a closing quote
        Case("ab\"cd ef\"", ["abcd ef"]),
        Case("a'b c'", ["ab c"]),
        Case("a\"b\"", ["ab"]),
        Case("a\"\\x41\"", ["aA"]),
        Case("\"ab\"\tPING", ["ab", "PING"]),
        Case("\"a\"\t'b'", ["a", "b"]),
        Case("\"x\"\u{0B}PING", ["x", "PING"]),
        Case("\"a\"\u{0C}b", ["a", "b"]),
        // Unbalanced
        Case("\"ab\"cd", nil),
        Case("'ab'cd", nil),
        Case("\"a\"\"b\"", nil),
        Case("'a''b'", nil),
        Case("'it''s'", nil),
        Case("\"ab", nil),
        Case("'ab", nil),
        Case("\"", nil),
        Case("'", nil),
        Case("\"a\\", nil),
        Case("\"a\\\"", nil),
        Case("'a\\'", nil),
    ]

    @Test("splits like redis' sdssplitargs", arguments: cases)
    func splitsLikeRedis(_ testCase: Case) {
        do {
            let arguments = try InlineSplitter.splitBytes(testCase.line)
            #expect(arguments == testCase.arguments)
        } catch {
            #expect(testCase.arguments == nil, "unexpected \(error)")
            #expect(error.code == .unbalancedQuotes)
            #expect(!error.closesConnection)
        }
    }

    @Test("the request decoder reads an inline line the same way", arguments: cases)
    func decoderAgrees(_ testCase: Case) {
        let events = verifiedRequestEvents(bytes(testCase.line + "\r\nPING\r\n"))
        var expected: [RequestEvent] = []
        switch testCase.arguments {
        case nil: expected.append(.error(.unbalancedQuotes, closes: false))
        case let arguments? where !arguments.isEmpty: expected.append(.request(strings(arguments)))
        default: break
        }
        expected.append(.request(["PING"]))
        #expect(events == expected)
    }

    @Test func stringsForTheREPL() throws {
        #expect(try InlineSplitter.split(#"CONTACT.ADD name "Ada Lovelace" phone '+44 20 7946 0000'"#)
            == ["CONTACT.ADD", "name", "Ada Lovelace", "phone", "+44 20 7946 0000"])
        #expect(try InlineSplitter.split("TAG.RENAME \"caf\\xc3\\xa9\" café") == ["TAG.RENAME", "café", "café"])
        #expect(try InlineSplitter.split("ECHO \"\\xff\"") == ["ECHO", "\u{FFFD}"])
        #expect(throws: ProtocolError.self) { try InlineSplitter.split("CONTACT.GET \"42") }
    }

    @Test func aNULByteIsAnOrdinaryByte() throws {
        // Redis would stop reading the line at the NUL; Callsheet keeps it.
        #expect(try InlineSplitter.splitBytes("a\u{0}b c") == [[97, 0, 98], [99]])
    }
}
