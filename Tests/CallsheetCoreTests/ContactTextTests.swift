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
