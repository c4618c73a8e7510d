import ContactGenerator
import Foundation
import Testing

@Suite("JSON for CONTACT.ADD")
struct JSONOutputTests {
    @Test("every generated contact is a JSON object Foundation parses back to the same fields")
    func generatedObjectsParse() throws {
        for contact in ContactGenerator.contacts(count: 5_000, seed: 5) {
            let text = ContactJSON.object(contact)
            #expect(!text.contains("\n"), "one line, so it fits an inline command")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
            #expect(object["name"] as? String == contact.name)
            #expect(object["phone"] as? String == contact.phone)
            #expect(object["email"] as? String == contact.email)
            #expect(object["company"] as? String == contact.company)
            #expect(object["tags"] as? [String] == contact.tags)
            #expect(object["notes"] as? String == contact.notes)
            var expectedKeys: Set<String> = ["name", "phone", "tags"]
            if contact.email != nil { expectedKeys.insert("email") }
            if contact.company != nil { expectedKeys.insert("company") }
            if contact.notes != nil { expectedKeys.insert("notes") }
            #expect(Set(object.keys) == expectedKeys)
        }
    }

    @Test("control characters, quotes and backslashes are escaped; accents stay UTF-8")
    func escaping() throws {
        let notes = "tab\there \"quoted\" back\\slash\r\nbell\u{07} nul\u{00} end"
        let contact = GeneratedContact(
            name: "Nguyễn Thảo", phone: "+1 (650) 253-0000", region: "US", e164: "+16502530000",
            email: "thao@example.com", company: nil, tags: [], notes: notes
        )
        let text = ContactJSON.object(contact)
        #expect(text == #"{"name":"Nguyễn Thảo","phone":"+1 (650) 253-0000","email":"thao@example.com","tags":[],"notes":"tab\there \"quoted\" back\\slash\r\nbell\u0007 nul\u0000 end"}"#)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["notes"] as? String == notes)
        #expect(object["tags"] as? [String] == [])
        #expect(ContactJSON.string("\u{1F}") == #""\u001f""#)
    }
}
