import CallsheetCore
import Testing

@Suite struct TagTests {
    @Test func foldsCaseAndSpace() {
        #expect(TagKey("VIP") == TagKey("vip"))
        #expect(TagKey(" VIP ") == TagKey("vip"))
        #expect(TagKey("Q4   Campaign") == TagKey("q4 campaign"))
        #expect(TagKey("   ") == nil)
        #expect(TagKey.splitList("VIP, Q4-Campaign; High-Priority,,") == ["VIP", "Q4-Campaign", "High-Priority"])
    }

    /// The ASCII fast path of `displayForm` gives what splitting on white space gives.
    @Test func displayFormFastPathAgreesWithSplitting() {
        let samples = ["VIP", "Q4 Campaign", "Q4  Campaign", " VIP", "VIP ", "a\tb", "a\r\nb", "\r\n", "", " ", "x",
                       "ünï code", "a\u{00A0}b", "a\u{2003}b", "~!@#$%^&*()", "a\u{7F}b", "a\u{1F}b", "a b c"]
        for sample in samples {
            #expect(TagKey.displayForm(sample) == sample.split(whereSeparator: { $0.isWhitespace }).joined(separator: " "), "\(sample.debugDescription)")
        }
        #expect(throws: CallsheetError.self) { try TagKey.validate("a\u{7F}b") }
        #expect(throws: CallsheetError.self) { try TagKey.validate("a;b") }
        #expect(throws: CallsheetError.self) { try TagKey.validate("a\u{85}b") }
    }

    @Test func firstSpellingIsTheDisplayForm() throws {
        var fixture = Fixture()
        let first = try fixture.add(#"{"name":"Ann","phone":"+16502530000","tags":["VIP"," q4 "]}"#)
        #expect(first.tags == ["VIP", "q4"])
        let second = try fixture.add(#"{"name":"Bo","phone":"+16502530001","tags":"vip, Q4, vip , new"}"#)
        #expect(second.tags == ["VIP", "q4", "new"])
        #expect(fixture.state.tagIndex[TagKey("Vip")!] == [first.id, second.id])
        // When the last carrier goes, the spelling goes with it.
        fixture.state.apply(.removeContact(first.id))
        fixture.state.apply(.removeContact(second.id))
        let third = try fixture.add(#"{"name":"Cy","phone":"+16502530002","tags":["vIp"]}"#)
        #expect(third.tags == ["vIp"])
        #expect(fixture.state._checkInvariants().isEmpty)
    }

    @Test func tooLongTagIsRefused() {
        var fixture = Fixture()
        let tag = String(repeating: "x", count: 65)
        #expect(error { try fixture.add(#"{"name":"Ann","phone":"+16502530000","tags":["\#(tag)"]}"#) }?.code == .invalidField)
    }
}
