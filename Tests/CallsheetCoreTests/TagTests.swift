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
