import CallsheetCore
import Testing

@Suite struct FieldTests {
    func definition(_ type: FieldType, options: [String] = []) -> FieldDefinition {
        FieldDefinition(name: "f", label: "F", type: type, options: options, order: 1)
    }

    @Test func everyTypeValidates() throws {
        #expect(try definition(.text).validate(.string("CRM-1")) == .text("CRM-1"))
        #expect(try definition(.longText).validate(.string(String(repeating: "x", count: 5000))) == .text(String(repeating: "x", count: 5000)))
        #expect(try definition(.integer).validate(.integer(42)) == .integer(42))
        #expect(try definition(.integer).validate(.string(" 42 ")) == .integer(42))
        #expect(try definition(.integer).validate(.double(7.0)) == .integer(7))
        #expect(try definition(.decimal).validate(.double(50000.25)) == .decimal(50000.25))
        #expect(try definition(.decimal).validate(.string("12.5")) == .decimal(12.5))
        #expect(try definition(.date).validate(.string("2025-12-31")) == .date("2025-12-31"))
        #expect(try definition(.dropdown, options: ["Healthcare", "Finance"]).validate(.string("finance")) == .text("Finance"))
        #expect(try definition(.checkbox).validate(.bool(true)) == .checkbox(true))
        #expect(try definition(.checkbox).validate(.string("No")) == .checkbox(false))
    }

    @Test func wrongValuesNameTheFieldAndTheExpectation() {
        let cases: [(FieldDefinition, JSONValue, String)] = [
            (definition(.text), .integer(1), "field 'f' expects text, got a number"),
            (definition(.text), .string(String(repeating: "x", count: 256)), "field 'f' holds at most 255 characters (1 KiB of UTF-8), got 256 characters, 256 bytes"),
            (definition(.integer), .string("12.5"), "field 'f' expects a whole number, got \"12.5\""),
            (definition(.integer), .double(1.5), "field 'f' expects a whole number, got a number"),
            (definition(.decimal), .string("lots"), "field 'f' expects a number, got \"lots\""),
            (definition(.date), .string("2025-02-30"), "field 'f' expects a date written YYYY-MM-DD, got \"2025-02-30\""),
            (definition(.date), .string("31/12/2025"), "field 'f' expects a date written YYYY-MM-DD, got \"31/12/2025\""),
            (definition(.dropdown, options: ["A", "B"]), .string("C"), "field 'f' expects one of: A, B, got \"C\""),
            (definition(.checkbox), .string("maybe"), "field 'f' expects true or false, got \"maybe\""),
            (definition(.checkbox), .array([]), "field 'f' expects true or false, got an array"),
        ]
        for (field, value, message) in cases {
            let failure = error { try field.validate(value) }
            #expect(failure?.code == .invalidField)
            #expect(failure?.message == message)
        }
    }

    @Test func definitionsAreChecked() {
        let fixture = Fixture()
        func create(_ json: String) -> CallsheetError? {
            error { try fixture.state.planCreateField(try JSONValue.parse(json), by: fixture.admin) }
        }
        #expect(create(#"{"name":"Customer ID","type":"text"}"#)?.message.contains("must start with a lower-case letter") == true)
        #expect(create(#"{"name":"x","type":"money"}"#)?.message.contains("unknown field type 'money'") == true)
        #expect(create(#"{"name":"x","type":"dropdown"}"#)?.message.contains("needs 'options'") == true)
        #expect(create(#"{"name":"x","type":"text","options":["a"]}"#)?.message.contains("only applies to dropdown") == true)
        #expect(create(#"{"name":"x","type":"dropdown","options":["a","A"]}"#)?.message.contains("listed twice") == true)
        #expect(create(#"{"name":"x","type":"text","visible_to":["boss"]}"#)?.code == .badRequest)
        #expect(create(#"{"name":"x","type":"text","colour":"red"}"#)?.code == .badRequest)
    }

    @Test func contactValuesFollowDefinitions() throws {
        var fixture = Fixture()
        try fixture.createField(#"{"name":"customer_id","label":"Customer ID","type":"text","required":true}"#)
        try fixture.createField(#"{"name":"industry","type":"dropdown","options":["Healthcare","Finance"]}"#)
        #expect(error { try fixture.add(#"{"name":"A","phone":"+16502530000"}"#) }?.message == "field 'customer_id' (Customer ID) is required")
        #expect(error { try fixture.add(#"{"name":"A","phone":"+16502530000","custom_fields":{"customer_id":"C1","colour":"red"}}"#) }?.message == "unknown custom field 'colour'; defined: customer_id, industry")
        #expect(error { try fixture.add(#"{"name":"A","phone":"+16502530000","custom_fields":{"customer_id":"C1","industry":"Retail"}}"#) }?.code == .invalidField)
        let contact = try fixture.add(#"{"name":"A","phone":"+16502530000","custom_fields":{"customer_id":"C1","industry":"healthcare"}}"#)
        #expect(contact.customFields == ["customer_id": .text("C1"), "industry": .text("Healthcare")])
        #expect(error { try fixture.update(contact.id, #"{"custom_fields":{"customer_id":null}}"#) }?.message == "field 'customer_id' is required and cannot be cleared")
        let updated = try fixture.update(contact.id, #"{"custom_fields":{"industry":null}}"#)
        #expect(updated.customFields == ["customer_id": .text("C1")])
    }

    @Test func lifecycleReorderArchiveDelete() throws {
        var fixture = Fixture()
        try fixture.createField(#"{"name":"a","type":"text"}"#)
        try fixture.createField(#"{"name":"b","type":"integer"}"#)
        try fixture.createField(#"{"name":"c","type":"checkbox"}"#)
        fixture.state.apply(try fixture.state.planReorderFields(["c", "a"], by: fixture.admin))
        #expect(fixture.state.orderedFields.map(\.name) == ["c", "a", "b"])
        let contact = try fixture.add(#"{"name":"A","phone":"+16502530000","custom_fields":{"a":"x","b":3}}"#)
        // Archive: hidden, data kept, unwritable.
        fixture.state.apply(.putField(try fixture.state.planArchiveField("b", archived: true, by: fixture.admin)))
        #expect(!String(decoding: fixture.state.contactJSON(contact, for: .admin), as: UTF8.self).contains("\"b\""))
        #expect(fixture.state.contacts[contact.id]?.customFields["b"] == .integer(3))
        #expect(error { try fixture.update(contact.id, #"{"custom_fields":{"b":4}}"#) }?.code == .invalidField)
        fixture.state.apply(.putField(try fixture.state.planArchiveField("b", archived: false, by: fixture.admin)))
        #expect(String(decoding: fixture.state.contactJSON(contact, for: .admin), as: UTF8.self).contains(#""b":3"#))
        // Update: label and visibility change, type does not.
        let relabelled = try fixture.state.planUpdateField("a", try JSONValue.parse(#"{"label":"Alpha","visible_to":"manager+"}"#), by: fixture.admin)
        #expect(relabelled.label == "Alpha" && relabelled.visibleTo == [.admin, .manager])
        #expect(error { try fixture.state.planUpdateField("a", try JSONValue.parse(#"{"type":"integer"}"#), by: fixture.admin) }?.code == .invalidField)
        // Delete: the definition and every value go in one change set.
        let changes = try fixture.state.planDeleteField("a", by: fixture.admin, context: fixture.context)
        #expect(changes.count == 2)
        fixture.state.apply(changes)
        #expect(fixture.state.fields["a"] == nil)
        #expect(fixture.state.contacts[contact.id]?.customFields["a"] == nil)
    }
}
