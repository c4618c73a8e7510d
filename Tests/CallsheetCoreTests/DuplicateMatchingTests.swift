import CallsheetCore
import Testing

/// The duplicate rules one by one, with the seed's examples ("Threshold 85%: John Doe matches
/// Jon Doe", "Threshold 100%: exact match only"), nicknames, initials and token order.
@Suite struct DuplicateMatchingTests {
    static func profile(_ id: ContactID, _ name: String, phone: String = "", email: String? = nil, company: String? = nil, settings: DuplicateSettings = .init()) -> DuplicateProfile {
        DuplicateProfile(id: id, name: name, phone: phone, email: email, company: company, settings: settings)
    }

    static func score(_ a: String, _ b: String) -> Int {
        NameSimilarity.compare(NameProfile(a), NameProfile(b)).score
    }

    @Test("The seed's example: at 85%, John Doe matches Jon Doe; at 100%, only equal names match")
    func seedThreshold() {
        var settings = DuplicateSettings()
        settings.threshold = 85
        let match = DuplicateMatcher.compare(Self.profile(1, "John Doe"), Self.profile(2, "Jon Doe"), settings: settings)
        #expect(match?.score == 88)
        #expect(match?.evidence.first?.rule == .name)
        #expect(match?.evidence.first?.detail == "levenshtein 1")
        settings.threshold = 100
        #expect(DuplicateMatcher.compare(Self.profile(1, "John Doe"), Self.profile(2, "Jon Doe"), settings: settings) == nil)
        #expect(DuplicateMatcher.compare(Self.profile(1, "John Doe"), Self.profile(2, "JOHN  doe"), settings: settings)?.score == 100)
        settings.threshold = 90
        #expect(DuplicateMatcher.compare(Self.profile(1, "John Doe"), Self.profile(2, "Jon Doe"), settings: settings) == nil)
    }

    @Test("Accents, case, token order, initials, middle names and nicknames")
    func nameForms() {
        #expect(Self.score("José García", "jose garcia") == 100)
        #expect(Self.score("Doe, John", "John Doe") == 100)
        #expect(NameSimilarity.compare(NameProfile("Doe, John"), NameProfile("John Doe")).how == "token order")
        #expect(Self.score("J. Doe", "John Doe") == 92)
        #expect(Self.score("Doe J", "John Doe") == 92)
        #expect(Self.score("John Michael Doe", "John Doe") == 95)
        for (nickname, name) in [("Bob Smith", "Robert Smith"), ("Bill Jones", "William Jones"), ("Kate Brown", "Katherine Brown"), ("Liz Taylor", "Elizabeth Taylor")] {
            let similarity = NameSimilarity.compare(NameProfile(nickname), NameProfile(name))
            #expect(similarity.score == 96, "\(nickname) ~ \(name)")
            #expect(similarity.how == "nickname")
        }
        #expect(Self.score("Bob Smith", "Robert Smyth") >= 85)
        // Different people stay apart.
        #expect(Self.score("John Doe", "Mary Smith") < 50)
        #expect(Self.score("Anna Lee", "Hanna Leeds") < 85)
        #expect(Self.score("", "John") == 0)
    }

    @Test("Emails compare case-insensitively; Gmail without dots and +tags when the setting says so")
    func emails() {
        var settings = DuplicateSettings()
        let a = Self.profile(1, "A", email: "John.Doe+news@GoogleMail.com", settings: settings)
        let b = Self.profile(2, "B", email: "johndoe@gmail.com", settings: settings)
        let match = DuplicateMatcher.compare(a, b, settings: settings)
        #expect(match?.evidence.map(\.rule) == [.email])
        #expect(match?.score == 100)
        settings.gmailNormalization = false
        let c = Self.profile(1, "A", email: "John.Doe+news@GoogleMail.com", settings: settings)
        let d = Self.profile(2, "B", email: "johndoe@gmail.com", settings: settings)
        #expect(DuplicateMatcher.compare(c, d, settings: settings) == nil)
        let e = Self.profile(3, "A", email: "ANN@Example.COM", settings: settings), f = Self.profile(4, "B", email: "ann@example.com", settings: settings)
        #expect(DuplicateMatcher.compare(e, f, settings: settings)?.score == 100)
        // Dots matter outside Gmail.
        let g = Self.profile(5, "A", email: "a.b@example.com"), h = Self.profile(6, "B", email: "ab@example.com")
        #expect(DuplicateMatcher.compare(g, h, settings: DuplicateSettings()) == nil)
    }

    @Test("Name and company: legal suffixes ignored; different emails or companies mark a name match down")
    func companies() {
        #expect(DuplicateProfile.normalizedCompany("The Acme Corp.") == "acme")
        #expect(DuplicateProfile.normalizedCompany("ACME, Inc") == "acme")
        #expect(DuplicateProfile.normalizedCompany("Müller GmbH") == "muller")
        #expect(DuplicateProfile.normalizedCompany("Inc.") == nil)
        let settings = DuplicateSettings()
        let a = Self.profile(1, "Jon Doe", company: "Acme Corp"), b = Self.profile(2, "John Doe", company: "ACME Inc.")
        let match = DuplicateMatcher.compare(a, b, settings: settings)
        #expect(match?.evidence.first?.rule == .nameCompany)
        #expect(match?.score == 93)
        // Two John Smiths at two companies with two addresses are two people.
        let c = Self.profile(3, "John Smith", email: "john@acme.com", company: "Acme"), d = Self.profile(4, "John Smith", email: "jsmith@globex.com", company: "Globex")
        #expect(DuplicateMatcher.compare(c, d, settings: settings) == nil)
        // Turning the name rules off leaves only exact rules.
        var exact = settings
        exact.rules = [.email, .phone]
        #expect(DuplicateMatcher.compare(a, b, settings: exact) == nil)
    }

    @Test("The same national number under another country code; E.164 split by the country code table")
    func nationalPhone() {
        let settings = DuplicateSettings()
        let a = Self.profile(1, "A", phone: "+442079460000"), b = Self.profile(2, "B", phone: "+12079460000")
        #expect(a.nationalNumber == "2079460000" && b.nationalNumber == "2079460000")
        let match = DuplicateMatcher.compare(a, b, settings: settings)
        #expect(match?.evidence.map(\.rule) == [.nationalPhone])
        #expect(Self.profile(3, "C", phone: "+4930123456").nationalNumber == "30123456")
        #expect(Self.profile(4, "D", phone: "+919876543210").nationalNumber == "9876543210")
        #expect(Self.profile(5, "E", phone: "+353861234567").nationalNumber == "861234567")
        var off = settings
        off.rules.remove(.nationalPhone)
        #expect(DuplicateMatcher.compare(a, b, settings: off) == nil)
    }

    @Test("DUP.SETTINGS keys: each validated, with what it expects")
    func settingsKeys() throws {
        var settings = DuplicateSettings()
        settings = try settings.setting("threshold", to: "90")
        settings = try settings.setting("rule.name_company", to: "off")
        settings = try settings.setting("action", to: "BLOCK")
        settings = try settings.setting("conflict_rule", to: "newest")
        #expect(settings.threshold == 90 && !settings.isOn(.nameCompany) && settings.action == .block && settings.conflictRule == .newest)
        #expect(throws: CallsheetError.self) { try settings.setting("threshold", to: "101") }
        #expect(throws: CallsheetError.self) { try settings.setting("rule.zip", to: "on") }
        #expect(throws: CallsheetError.self) { try settings.setting("action", to: "maybe") }
        #expect(throws: CallsheetError.self) { try settings.setting("colour", to: "red") }
    }
}
