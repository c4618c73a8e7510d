import CallsheetCore
import Testing

/// Many seeded random commands against one organization; after each, every index agrees with a
/// brute-force recomputation (`_checkInvariants`) and quick search agrees with a scan.
@Suite struct RandomOperationsTests {
    struct SplitMix {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    @Test(arguments: [1, 2, 3])
    func indexesStayExact(seed: UInt64) throws {
        var fixture = Fixture()
        var random = SplitMix(state: seed)
        let names = ["José García", "Zoë Müller", "Ann Smith", "Øberg Lund", "Kumar Patel", "Anne-Marie O'Brien"]
        let companies = ["Acme", "Técnica", "Globex", "", "Initech"]
        let tags = ["VIP", "vip", "DNC", "Q4", " q4 ", "New"]
        let callers = [fixture.admin, fixture.salesManager, fixture.supportManager]
        for step in 0..<400 {
            let caller = callers[random.next(callers.count)]
            let ids = fixture.state.orderedIDs.ids
            let phone = "+1650253\(String(1000 + random.next(60)))"
            switch random.next(6) {
            case 0, 1:
                let json = #"{"name":"\#(names[random.next(names.count)])","phone":"\#(phone)","company":"\#(companies[random.next(companies.count)])","tags":["\#(tags[random.next(tags.count)])","\#(tags[random.next(tags.count)])"]}"#
                _ = try? fixture.add(json, by: caller)
            case 2 where !ids.isEmpty:
                let json = random.next(2) == 0 ? #"{"phone":"\#(phone)"}"# : #"{"name":"\#(names[random.next(names.count)])","tags":["\#(tags[random.next(tags.count)])"]}"#
                _ = try? fixture.update(ids[random.next(ids.count)], json, by: caller)
            case 3 where !ids.isEmpty:
                if let change = try? fixture.state.planDelete(ids[random.next(ids.count)], permanent: random.next(2) == 0, by: caller, context: fixture.context) {
                    fixture.state.apply(change)
                }
            case 4 where !ids.isEmpty:
                if let contact = try? fixture.state.planRestore(ids[random.next(ids.count)], by: caller, context: fixture.context) {
                    fixture.state.apply(.putContact(contact))
                }
            default:
                let query = ["jos", "mul", "ann", "smi", "253", "ob", "a", "tec", "zz"][random.next(9)]
                let found = Set(fixture.state.search(query, limit: 1000, for: caller).map(\.id))
                let expected = Set(fixture.state.contacts.values.filter { contact in
                    guard caller.canSee(contact), contact.archivedAt == nil else { return false }
                    let texts = [contact.name, contact.email ?? "", contact.company ?? ""].map(TextFoldingProbe.fold)
                    let digits = contact.phone.filter(\.isNumber)
                    if query.allSatisfy(\.isNumber) { return digits.contains(query) }
                    return texts.contains { $0.contains(query) }
                }.map(\.id))
                if query.count >= 3 { #expect(found == expected, "step \(step) query \(query)") } else { #expect(found.isSubset(of: expected), "step \(step) query \(query)") }
            }
            let problems = fixture.state._checkInvariants()
            #expect(problems.isEmpty, "step \(step): \(problems)")
            if !problems.isEmpty { return }
        }
    }
}

import TextIndex
enum TextFoldingProbe {
    static func fold(_ text: String) -> String { TextFolding.fold(text) }
}
