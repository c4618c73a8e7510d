import Testing
@testable import CallsheetCore

/// The checks of contact text fields.
@Suite struct ContactTextTests {
    /// Control characters are told by value (a property lookup per scalar was a tenth of a notes
    /// update's time); the two must agree on every scalar Unicode has.
    @Test func controlCharactersByValueAgreeWithUnicodesCategory() {
        var disagreements: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if ContactText.isControl(scalar) != (scalar.properties.generalCategory == .control) { disagreements.append(value) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10).map { String($0, radix: 16) })")
    }

    @Test func notesRefuseC1ControlsAndKeepLineBreaks() throws {
        #expect(throws: CallsheetError.self) { try ContactText.optional(.string("call \u{85}back"), field: "notes", limit: ContactText.notesLimit) }
        #expect(throws: CallsheetError.self) { try ContactText.optional(.string("x\u{7F}"), field: "notes", limit: ContactText.notesLimit) }
        #expect(try ContactText.optional(.string("line\nbreak\tand\u{A0}space"), field: "notes", limit: ContactText.notesLimit) == "line\nbreak\tand\u{A0}space")
        #expect(throws: CallsheetError.self) { try ContactText.optional(.string("Acme\u{9F}"), field: "company", limit: ContactText.notesLimit) }
        #expect(throws: CallsheetError.self) { try ContactText.optional(.string("Acme\u{2028}Ltd"), field: "company", limit: ContactText.notesLimit) }
    }
}

/// A do-not-call prefix matched by arithmetic on a record's digits agrees with matching the text.
@Suite struct PhonePrefixTests {
    @Test func digitPrefixesAgreeWithTextPrefixes() {
        var state: UInt64 = 11
        func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 11
        }
        let prefixes = ["+", "+1", "+16", "+1650", "+165025", "+44", "+0", "+01", "+1650253000012345678", "1650", "+1 650", "+9"]
            + (0..<40).map { _ in "+" + String(next() % 100_000) }
        let matchers = prefixes.map(PhonePrefix.init)
        var disagreements: [String] = []
        for _ in 0..<5_000 {
            let length = Int(next() % 18) + 1
            var number = next() % 9 + 1
            for _ in 1..<length { number = number * 10 + next() % 10 }
            let text = "+" + String(number)
            for matcher in matchers where matcher.matches(.digits(number)) != text.hasPrefix(matcher.text) {
                disagreements.append("\(text) \(matcher.text)")
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
        #expect(PhonePrefix("+1650").matches(.text("+1650 ext")))
        #expect(!PhonePrefix("+1650").matches(.text("1650")))
    }
}
