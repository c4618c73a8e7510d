import CallsheetCore
import Testing

@Suite struct JSONTests {
    @Test func parsesEveryKind() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2.5, 3e2, true, false, null, "x\"\u00e9\ud83d\ude00\n"], "b": {}} "#)
        #expect(value["a"] == .array([.integer(1), .double(-2.5), .double(300), .bool(true), .bool(false), .null, .string("x\"é😀\n")]))
        #expect(value["b"] == .object([]))
    }

    @Test(arguments: [
        ("", "expected a value but the text ended at byte 0"),
        ("{", "expected a quoted member name at byte 1"),
        (#"{"a" 1}"#, "expected ':' after member name \"a\" at byte 5"),
        (#"{"a":1,}"#, "expected a quoted member name at byte 7"),
        ("[1 2]", "expected ',' or ']' at byte 3"),
        (#""abc"#, "unterminated string at byte 4"),
        ("01", "unexpected text after the JSON value at byte 1"),
        (#"{"a":1,"a":2}"#, "duplicate member \"a\" at byte 12"),
        (#""\ud800""#, "unpaired surrogate in \\u escape at byte 7"),
        ("tru", "expected a JSON value (an object {…}, an array […], a \"string\", a number, true, false or null) at byte 0"),
        ("1 x", "unexpected text after the JSON value at byte 2"),
    ])
    func rejectsWithOffset(text: String, message: String) {
        let failure = error { try JSONValue.parse(text) }
        #expect(failure?.code == .invalidJSON)
        #expect(failure?.message == message)
    }

    @Test func rejectsDeepNesting() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(error { try JSONValue.parse(text) }?.message.contains("nested deeper") == true)
    }

    @Test func writerRoundTripsAndEscapes() throws {
        let value = JSONValue.object([("k\"", .string("tab\there\u{01}é")), ("n", .array([.integer(-5), .double(1.5), .null, .bool(true)]))])
        #expect(value.serialized == #"{"k\"":"tab\there\u0001é","n":[-5,1.5,null,true]}"#)
        #expect(try JSONValue.parse(value.serialized) == value)
    }

    @Test func writerTimestampsMatchTheFormatter() {
        var random = RandomOperationsTests.SplitMix(state: 9)
        for _ in 0..<2_000 {
            let milliseconds = Int64(random.next(1 << 30)) * 1_000 + Int64(random.next(1000)) - (1 << 29) * 1_000
            var writer = JSONWriter()
            writer.timestamp(milliseconds)
            #expect(writer.string == "\"\(TimestampFormat.iso8601(milliseconds))\"")
        }
    }

    @Test func timestampsRoundTrip() {
        for milliseconds: Int64 in [0, 1_764_000_000_123, 951_782_400_000, -86_400_000, 253_402_300_799_999] {
            let text = TimestampFormat.iso8601(milliseconds)
            #expect(TimestampFormat.parse(text) == milliseconds, "\(text)")
        }
        #expect(TimestampFormat.iso8601(1_764_000_000_123) == "2025-11-24T16:00:00.123Z")
        #expect(TimestampFormat.isCalendarDate("2024-02-29"))
        #expect(!TimestampFormat.isCalendarDate("2023-02-29"))
        #expect(!TimestampFormat.isCalendarDate("2025-13-01"))
        #expect(!TimestampFormat.isCalendarDate("2025-1-01"))
        #expect(TimestampFormat.parse("2025-11-24T16:00:00Z") == 1_764_000_000_000)
        #expect(TimestampFormat.parse("2025-11-24T25:00:00Z") == nil)
    }
}
