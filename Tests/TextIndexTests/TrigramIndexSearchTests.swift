import Testing
import TextIndex

@Suite("TrigramIndex search")
struct TrigramIndexSearchTests {
    /// name, email, company, phone digits — folded as the store folds them.
    static func contact(_ name: String, _ email: String, _ company: String, _ phone: String) -> [String] {
        [TextFolding.fold(name), TextFolding.fold(email), TextFolding.fold(company), TextFolding.digits(phone)]
    }

    static func sample() -> TrigramIndex {
        var index = TrigramIndex()
        index.insert(0, fields: contact("José García", "jose.garcia@gmail.com", "Acme Tech", "+1 650 253 0000"))
        index.insert(1, fields: contact("Ann", "ann@example.org", "Annex Ltd", "+44 20 7946 0018"))
        index.insert(2, fields: contact("Joanna Smith", "jsmith@techcorp.io", "TechCorp", "+1 415 555 0101"))
        index.insert(3, fields: contact("Hans Müller", "mueller@web.de", "Müller Annealing", "+49 30 1234567"))
        index.insert(4, fields: contact("Åsa Øberg", "asa@oberg.se", "Ann Consulting", "+46 8 123 456"))
        index.insert(5, fields: contact("Leanne Annan", "leanne@annan.com", "", "+1 212 555 0199"))
        return index
    }

    @Test("a digit run repeating a trigram finds exactly the numbers that hold it, among many that hold its trigrams")
    func repeatedTrigrams() {
        var index = TrigramIndex()
        // Numbers holding every trigram of 650253999999 (`999` four times over) but not the run.
        for doc in 0..<300 {
            index.insert(UInt32(doc), fields: ["", "", "", "1650253" + String(9_000 + doc % 1_000).suffix(4) + String(doc)])
        }
        index.insert(300, fields: ["", "", "", "4465025399999912"])
        index.insert(301, fields: ["", "", "", "650253999999"])
        #expect(index.search(fieldQueries: [nil, nil, nil, "650253999999"], limit: 10).map(\.doc) == [301, 300])
        #expect(index.search(fieldQueries: [nil, nil, nil, "6502539999999"], limit: 10).isEmpty)
    }

    @Test("accents and case are folded on both sides")
    func folded() {
        let index = Self.sample()
        #expect(index.search(TextFolding.fold("jose"), limit: 10).map(\.doc) == [0])
        #expect(index.search(TextFolding.fold("MÜLLER"), limit: 10).map(\.doc) == [3])
        #expect(index.search(TextFolding.fold("oberg"), limit: 10).map(\.doc) == [4])
        #expect(index.search(TextFolding.fold("GARCÍA"), limit: 10).map(\.doc) == [0])
    }

    @Test("ranking: exact field, field prefix, word prefix, substring; name before company")
    func ranking() {
        let index = Self.sample()
        let matches = index.search("ann", limit: 50)
        // ann (exact name), Ann Consulting (company prefix), Leanne Annan (name word),
        // Müller Annealing (company word), Joanna Smith (name substring)
        #expect(matches.map(\.doc) == [1, 4, 5, 3, 2])
        #expect(matches.map(\.kind) == [.exactField, .fieldPrefix, .wordPrefix, .wordPrefix, .substring])
        #expect(matches.map(\.field) == [0, 2, 0, 2, 0])
        #expect(matches == matches.sorted())
    }

    @Test("one- and two-character queries match at field and word starts only")
    func shortQueries() {
        let index = Self.sample()
        #expect(index.search("jo", limit: 10).map(\.doc) == [0, 2])
        #expect(index.search("s", limit: 10).map(\.doc) == [2, 4])  // smith, asa@oberg.se
        #expect(index.search("an", limit: 10).map(\.doc) == [1, 4, 5, 3])
        #expect(index.search("z", limit: 10).isEmpty)
        #expect(index.search("", limit: 10).isEmpty)
        #expect(index.search("ns", limit: 10).isEmpty)  // inside "hans" only
    }

    @Test("phone digits match any infix; queries without hits return nothing")
    func phoneDigits() {
        let index = Self.sample()
        #expect(index.search("2530000", limit: 10).map(\.doc) == [0])
        #expect(index.search("555", limit: 10).map(\.doc) == [2, 5])
        #expect(index.search("zzqx", limit: 10).isEmpty)
    }

    @Test("per-field queries search the phone field with digits only")
    func fieldQueries() {
        let index = Self.sample()
        let text = TextFolding.fold("(650) 253")
        let matches = index.search(fieldQueries: [text, text, text, TextFolding.digits("(650) 253")], limit: 10)
        #expect(matches.map(\.doc) == [0])
        #expect(matches.first?.field == 3)
    }

    @Test("limit caps the results to the best ranked; zero finds nothing")
    func limit() {
        let index = Self.sample()
        let all = index.search("ann", limit: 50)
        for limit in 1...5 {
            #expect(index.search("ann", limit: limit) == Array(all.prefix(limit)))
        }
        #expect(index.search("ann", limit: 0).isEmpty)
    }

    @Test("pages continue after the last match, across writes")
    func pagination() {
        var index = TrigramIndex()
        for slot in UInt32(0)..<500 {
            let name = slot.isMultiple(of: 3) ? "ann \(slot)" : "joann \(slot)"
            index.insert(slot, fields: [name, "", "", ""])
        }
        let all = index.search("ann", limit: 1_000)
        #expect(all.count == 500)
        var pages: [TrigramIndex.Match] = []
        var after: TrigramIndex.Match?
        while true {
            let page = index.search("ann", limit: 37, after: after)
            if page.isEmpty { break }
            pages += page
            after = page.last
        }
        #expect(pages == all)
        let firstPage = index.search("ann", limit: 10)
        index.remove(firstPage[3].doc)
        index.insert(9_999, fields: ["ann early", "", "", ""])
        let next = index.search("ann", limit: 5, after: firstPage.last)
        #expect(next.first.map { firstPage.last! < $0 } == true)
        #expect(next.contains { $0.doc == 9_999 } == false)  // sorts before the cursor
    }

    @Test("a common query stops after limit matches instead of visiting every candidate")
    func stopsEarly() {
        var index = TrigramIndex()
        for slot in UInt32(0)..<20_000 {
            index.insert(slot, fields: ["joanna s\(slot)", "anna\(slot)@mail.com", "", ""])
        }
        var visited = 0
        let matches = index.search("ann", limit: 5) { _ in
            visited += 1
            return true
        }
        #expect(matches.count == 5)
        #expect(visited < 100)
    }

    @Test("the filter removes documents before ranking")
    func filter() {
        let index = Self.sample()
        #expect(index.search("ann", limit: 50) { $0 != 1 }.map(\.doc) == [4, 5, 3, 2])
        #expect(index.search("ann", limit: 2) { $0.isMultiple(of: 2) }.map(\.doc) == [4, 2])
    }

    @Test("updates move a document between lists and reinserts replace")
    func updates() throws {
        var index = Self.sample()
        index.update(1, fields: Self.contact("Zed", "zed@example.org", "", ""))
        #expect(index.search("ann", limit: 50).map(\.doc) == [4, 5, 3, 2])
        #expect(index.search("zed", limit: 5).map(\.doc) == [1])
        index.insert(1, fields: Self.contact("Ann", "", "", ""))
        #expect(index.search("zed", limit: 5).isEmpty)
        index.remove(0)
        index.remove(0)
        #expect(index.search("jose", limit: 5).isEmpty)
        #expect(index.count == 5)
        #expect(index.memoryFootprint > 0)
        try index._checkInvariants()
    }
}
