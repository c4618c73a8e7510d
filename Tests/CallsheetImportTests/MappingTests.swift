import CallsheetCore
import CallsheetStore
import Testing

struct MappingTests {
    @Test func synonymsAndFirstPlusLast() {
        let mapping = ColumnMapping.suggest(header: ["First Name", "Last Name", "Mobile", "E-mail", "Organization", "Labels", "Comments", "Fax"], fields: [])
        #expect(mapping.targets == [.firstName, .lastName, .phone, .email, .company, .tags, .notes, .ignore])
    }

    @Test(arguments: [("Cell", ColumnTarget.phone), ("Phone Number", .phone), ("Tel", .phone), ("Telephone", .phone),
                      ("E-Mail", .email), ("Email Address", .email), ("Company", .company), ("Organisation", .company),
                      ("Full Name", .name), ("Surname", .lastName), ("Given Name", .firstName), ("Tags", .tags), ("Whatever", .ignore)])
    func synonym(_ header: String, _ target: ColumnTarget) {
        #expect(ColumnMapping.suggest(header: [header], fields: []).targets == [target])
    }

    @Test func fullNameWinsOverFirstAndLast() {
        let mapping = ColumnMapping.suggest(header: ["First", "Last", "Full Name", "Phone"], fields: [])
        #expect(mapping.targets == [.ignore, .ignore, .name, .phone])
    }

    @Test func secondPhoneColumnIsIgnored() {
        let mapping = ColumnMapping.suggest(header: ["Name", "Phone", "Mobile"], fields: [])
        #expect(mapping.targets == [.name, .phone, .ignore])
    }

    @Test func customFieldsMatchByNameOrLabel() {
        let field = FieldDefinition(name: "customer_id", label: "Customer ID", type: .text, order: 0)
        let mapping = ColumnMapping.suggest(header: ["Name", "Phone", "Customer ID"], fields: [field])
        #expect(mapping.targets == [.name, .phone, .custom("customer_id")])
    }

    @Test func overridesByNameAndIndexMoveSingularTargets() throws {
        let suggested = ColumnMapping.suggest(header: ["Name", "Phone", "Work"], fields: [])
        let mapping = try suggested.applying("work=phone; #2=notes")
        #expect(mapping.targets == [.name, .notes, .phone])
        let custom = try suggested.applying("Work=custom:region")
        #expect(custom.targets[2] == .custom("region"))
    }

    @Test func badOverridesAreExplained() {
        let suggested = ColumnMapping.suggest(header: ["Name", "Phone"], fields: [])
        #expect(throws: CallsheetError.self) { try suggested.applying("Nope=phone") }
        #expect(throws: CallsheetError.self) { try suggested.applying("Name") }
        #expect(throws: CallsheetError.self) { try ColumnMapping.suggest(header: ["Name"], fields: []).requireEssentials() }
    }

    @Test func parsesImportArguments() throws {
        let spec = try #require(CommandCatalog.spec(named: "import.commit"))
        var reader = ArgumentReader(spec: spec, arguments: ["FILE", "x.csv", "MAP", "Cell=phone", "DUPLICATES", "update", "STRICT", "TAG", "Imported-{month}"])
        #expect(try reader.importSource() == .file("x.csv"))
        let options = try reader.importOptions(try reader.options(["MAP", "DUPLICATES", "TAG"], flags: ["STRICT"]))
        #expect(options.duplicates == .update && options.strictness == .strict && options.autoTag == .some("Imported-{month}") && options.mapping == "Cell=phone")
        #expect(CommandCatalog.declaration(named: "IMPORT.COMMIT")?.isWrite == true)
        var sheet = ArgumentReader(spec: spec, arguments: ["https://docs.google.com/spreadsheets/d/abc/edit"])
        #expect(try sheet.importSource() == .sheet("https://docs.google.com/spreadsheets/d/abc/edit"))
        var upload = ArgumentReader(spec: spec, arguments: ["BASE64", "TmFtZQ=="])
        #expect(try upload.importSource() == .bytes(Array("Name".utf8)))
        #expect(try reader.importOptions([:]) == ImportOptions())
        #expect(throws: CallsheetError.self) { try reader.importOptions(["DUPLICATES": "merge"]) }
        #expect(CommandCatalog.spec(named: "IMPORT.START") != nil)
    }

    @Test(arguments: [
        ("https://docs.google.com/spreadsheets/d/1AbC_d-9/edit#gid=42", "http://h/spreadsheets/d/1AbC_d-9/export?format=csv&gid=42"),
        ("https://docs.google.com/spreadsheets/d/1AbC/edit?usp=sharing", "http://h/spreadsheets/d/1AbC/export?format=csv&gid=0"),
        ("https://docs.google.com/spreadsheets/d/e/2PACX-1v/pub?output=csv", "http://h/spreadsheets/d/e/2PACX-1v/pub?output=csv"),
    ])
    func sheetExportURL(_ share: String, _ export: String) throws {
        #expect(try GoogleSheetURL(share).exportURL(base: "http://h") == export)
    }

    @Test func notASheetURL() {
        #expect(throws: CallsheetError.self) { try GoogleSheetURL("https://example.com/file.csv") }
    }
}
