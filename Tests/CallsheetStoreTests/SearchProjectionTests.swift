import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// `CONTACT.SEARCH … RETURN`: results carry the id and the members asked, nothing else, and only
/// custom fields the caller's role may read.
@Suite struct SearchProjectionTests {
    typealias Store = CommandsEndToEndTests.Store

    @Test("RETURN name,phone,company,score: the id and those members; a hidden field is INVALID_FIELD; MATCH refuses RETURN")
    func projection() async throws {
        let store = try await Store()
        #expect(CommandsEndToEndTests.code(await store.run(["FIELD.CREATE", #"{"name":"score","type":"integer"}"#])) == nil)
        #expect(CommandsEndToEndTests.code(await store.run(["FIELD.CREATE", #"{"name":"secret","type":"text","visible_to":["admin"]}"#])) == nil)
        var bob = await store.signIn("bob")
        _ = try await store.add(&bob, #"{"name":"Sal Smith","phone":"+16502531001","company":"Acme","notes":"long notes","tags":["VIP"],"custom_fields":{"score":7}}"#)
        _ = await store.run(["CONTACT.UPDATE", "1", #"{"custom_fields":{"secret":"s3"}}"#])
        let page = try store.json(await store.run(&bob, ["CONTACT.SEARCH", "smith", "RETURN", "name,phone,company,score", "COUNT"]))
        guard case .array(let contacts)? = page["contacts"], case .object(let members)? = contacts.first else { Issue.record("\(page.serialized)"); return }
        #expect(members.map(\.0) == ["id", "name", "phone", "company", "custom_fields"])
        #expect(contacts.first?["custom_fields"] == (try JSONValue.parse(#"{"score":7}"#)) && page["total"] == .integer(1))
        #expect(CommandsEndToEndTests.code(await store.run(&bob, ["CONTACT.SEARCH", "*", "RETURN", "secret"])) == "INVALID_FIELD")
        #expect(CommandsEndToEndTests.code(await store.run(&bob, ["CONTACT.SEARCH", "*", "RETURN", "nosuch"])) == "INVALID_FIELD")
        let admin = try store.json(await store.run(["CONTACT.SEARCH", "*", "RETURN", "secret,tags"]))
        #expect(admin["contacts"] == (try JSONValue.parse(#"[{"id":1,"tags":["VIP"],"custom_fields":{"secret":"s3"}}]"#)))
        #expect(CommandsEndToEndTests.code(await store.run(&bob, ["CONTACT.BULKEDIT", "MATCH", "*", "RETURN", "name", "DO", "ADDTAGS", "X"])) == "WRONG_ARGS")
        await store.close()
    }
}
