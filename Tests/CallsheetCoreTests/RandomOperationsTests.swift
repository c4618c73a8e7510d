import CallsheetCore
import Testing

/// Many seeded random commands against one organization, through the planning API the store
/// uses. Every outcome is predicted by a small model kept here — which contacts exist, in which
/// department, with which phone, tags and archive flag, and who may see them (admins: all;
/// managers and agents: their department), written without the product's `Caller.canSee` — and
/// checked: a command the model says succeeds must succeed and change what the model changes; one
/// it says fails must fail with the predicted code. After each, every index agrees with a
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

    struct Model {
        struct Entry: Equatable {
            var dept: DepartmentID
            var name: String
            var phone: String
            var tags: [String]
            var archived: Bool
            var calls: Int
        }
        var contacts: [ContactID: Entry] = [:]
        var nextID: ContactID = 1

        /// The model's own scope rule.
        static func sees(_ caller: Caller, _ dept: DepartmentID) -> Bool { caller.role == .admin || caller.departmentID == dept }

        func visible(_ id: ContactID, to caller: Caller) -> Entry? {
            guard let entry = contacts[id], Self.sees(caller, entry.dept) else { return nil }
            return entry
        }

        func holder(of phone: String) -> ContactID? { contacts.first { $0.value.phone == phone }?.key }
    }

    /// Runs `body`; checks it fails with `expected`, or succeeds when `expected` is nil.
    static func outcome<T>(_ expected: CallsheetError.Code?, _ what: String, _ body: () throws -> T) -> T? {
        do {
            let result = try body()
            #expect(expected == nil, "\(what) succeeded; the model expected \(expected.map { "\($0)" } ?? "")")
            return expected == nil ? result : nil
        } catch let error as CallsheetError {
            #expect(error.code == expected, "\(what) failed with \(error.code) \(error.message); the model expected \(expected.map { "\($0)" } ?? "success")")
            return nil
        } catch {
            Issue.record("\(what): \(error)")
            return nil
        }
    }

    @Test(arguments: [1, 2, 3])
    func indexesStayExact(seed: UInt64) throws {
        var fixture = Fixture()
        var model = Model()
        var random = SplitMix(state: seed)
        let names = ["José García", "Zoë Müller", "Ann Smith", "Øberg Lund", "Kumar Patel", "Anne-Marie O'Brien"]
        let tags = ["VIP", "DNC", "Q4", "New"]
        let callers = [fixture.admin, fixture.salesManager, fixture.supportManager, fixture.salesAgent]
        var succeeded = 0
        for step in 0..<600 {
            let caller = callers[random.next(callers.count)]
            let manager = caller.role >= .manager
            let ids = Array(model.contacts.keys.sorted()) + [ContactID(900 + random.next(5))]
            let id = ids[random.next(ids.count)]
            let phone = "+1650253\(String(1000 + random.next(60)))"
            let what = "seed \(seed) step \(step) \(caller.name)"
            switch random.next(9) {
            case 0, 1:
                let name = names[random.next(names.count)]
                let tagged = [tags[random.next(tags.count)], tags[random.next(tags.count)]]
                let dept = DepartmentID(1 + random.next(3))
                let json = #"{"name":"\#(name)","phone":"\#(phone)","tags":["\#(tagged[0])","\#(tagged[1])"],"department_id":\#(dept)}"#
                let expected: CallsheetError.Code? = !manager ? .forbidden : model.holder(of: phone) != nil ? .duplicatePhone
                    : !Model.sees(caller, dept) ? .forbidden : nil
                if let contact = Self.outcome(expected, "\(what) add", { try fixture.add(json, by: caller) }) {
                    #expect(contact.id == model.nextID && contact.departmentID == dept && contact.phone == phone)
                    model.contacts[contact.id] = .init(dept: dept, name: name, phone: phone, tags: uniqueInOrder(tagged), archived: false, calls: 0)
                    model.nextID += 1
                    succeeded += 1
                }
            case 2:
                let renaming = random.next(2) == 0
                let name = names[random.next(names.count)]
                let json = renaming ? #"{"name":"\#(name)"}"# : #"{"phone":"\#(phone)"}"#
                let holder = model.holder(of: phone)
                let expected: CallsheetError.Code? = !manager ? .forbidden : model.visible(id, to: caller) == nil ? .notFound
                    : !renaming && holder != nil && holder != id ? .duplicatePhone : nil
                if Self.outcome(expected, "\(what) update \(id)", { try fixture.update(id, json, by: caller) }) != nil {
                    if renaming { model.contacts[id]?.name = name } else { model.contacts[id]?.phone = phone }
                    succeeded += 1
                }
            case 3:
                let permanent = random.next(2) == 0
                let entry = model.visible(id, to: caller)
                let expected: CallsheetError.Code? = !manager ? .forbidden : entry == nil ? .notFound : !permanent && entry?.archived == true ? .conflict : nil
                if let change = Self.outcome(expected, "\(what) delete \(id)", { try fixture.state.planDelete(id, permanent: permanent, by: caller, context: fixture.context) }) {
                    fixture.state.apply(change)
                    if permanent { model.contacts[id] = nil } else { model.contacts[id]?.archived = true }
                    succeeded += 1
                }
            case 4:
                let entry = model.visible(id, to: caller)
                let expected: CallsheetError.Code? = !manager ? .forbidden : entry == nil ? .notFound : entry?.archived == false ? .conflict : nil
                if let contact = Self.outcome(expected, "\(what) restore \(id)", { try fixture.state.planRestore(id, by: caller, context: fixture.context) }) {
                    fixture.state.apply(.putContact(contact))
                    model.contacts[id]?.archived = false
                    succeeded += 1
                }
            case 5:
                // Logging a call is the one write an agent has.
                let expected: CallsheetError.Code? = model.visible(id, to: caller) == nil ? .notFound : nil
                if let contact = Self.outcome(expected, "\(what) log call \(id)", { try fixture.state.planLogCall(id, outcome: "answered", at: nil, by: caller, context: fixture.context) }) {
                    fixture.state.apply(.putContact(contact))
                    model.contacts[id]?.calls += 1
                    #expect(contact.totalCalls == model.contacts[id]?.calls)
                    succeeded += 1
                }
            case 6:
                // TAG.DELETE FORCE: only the caller's carriers lose the tag.
                let tag = tags[random.next(tags.count)]
                let carriers = model.contacts.filter { Model.sees(caller, $0.value.dept) && $0.value.tags.contains(tag) }.map(\.key)
                let expected: CallsheetError.Code? = !manager ? .forbidden : carriers.isEmpty ? .notFound : nil
                if let changes = Self.outcome(expected, "\(what) tag delete \(tag)", { try fixture.state.planDeleteTag(tag, force: true, by: caller, context: fixture.context) }) {
                    #expect(changes.count == carriers.count)
                    fixture.state.apply(changes)
                    for id in carriers { model.contacts[id]?.tags.removeAll { $0 == tag } }
                    succeeded += 1
                }
            case 7:
                // CONTACT.BULKDELETE by ids: those out of scope are refused like missing ones.
                let picked = Set((0..<3).map { _ in ids[random.next(ids.count)] })
                let seen = picked.filter { model.visible($0, to: caller) != nil }
                let expected: CallsheetError.Code? = manager ? nil : .forbidden
                if let report = Self.outcome(expected, "\(what) bulk delete \(picked.sorted())", { try fixture.state.planBulkDelete(.ids(Array(picked)), permanent: false, by: caller, context: fixture.context) }) {
                    #expect(report.matched == seen.count && Set(report.refused.map(\.0)) == picked.subtracting(seen), "\(what)")
                    #expect(report.changes.count == seen.filter { model.contacts[$0]?.archived == false }.count, "\(what)")
                    fixture.state.apply(report.changes)
                    for id in seen { model.contacts[id]?.archived = true }
                    succeeded += 1
                }
            default:
                let query = ["jos", "mul", "ann", "smi", "253", "ob", "a", "tec", "zz"][random.next(9)]
                let found = Set(fixture.state.search(query, limit: 1000, for: caller).map(\.id))
                let expected = Set(model.contacts.filter { id, entry in
                    guard Model.sees(caller, entry.dept), !entry.archived else { return false }
                    if query.allSatisfy(\.isNumber) { return entry.phone.filter(\.isNumber).contains(query) }
                    return TextFoldingProbe.fold(entry.name).contains(query)
                }.map(\.key))
                if query.count >= 3 { #expect(found == expected, "\(what) query \(query)") } else { #expect(found.isSubset(of: expected), "\(what) query \(query)") }
            }
            // The state holds exactly the model's contacts.
            for (id, entry) in model.contacts {
                let contact = fixture.state.contacts[id]
                #expect(contact?.departmentID == entry.dept && contact?.name == entry.name && contact?.phone == entry.phone
                        && contact?.tags == entry.tags && (contact?.archivedAt != nil) == entry.archived && contact?.totalCalls == entry.calls,
                        "\(what): contact \(id) is \(String(describing: contact)); the model has \(entry)")
            }
            #expect(fixture.state.contacts.count == model.contacts.count, "\(what)")
            if step % 100 == 99 {
                // Through a snapshot's encoding and back, every other time with the text index image.
                let image = step % 200 == 99
                var writer = BinaryWriter()
                fixture.state.encode(into: &writer, indexImage: image)
                var reader = BinaryReader(writer.bytes)
                let loaded = try OrganizationState.decode(&reader, indexImage: image)
                #expect(loaded.contacts == fixture.state.contacts, "\(what): save and load")
                fixture.state = loaded
            }
            let problems = fixture.state._checkInvariants()
            #expect(problems.isEmpty, "\(what): \(problems)")
            if !problems.isEmpty { return }
        }
        #expect(succeeded > 150, "seed \(seed): only \(succeeded) changes succeeded")
    }
}

/// Tags in first-seen order without repeats, as a contact keeps them.
func uniqueInOrder(_ tags: [String]) -> [String] {
    var seen: Set<String> = []
    return tags.filter { seen.insert($0).inserted }
}

import TextIndex
enum TextFoldingProbe {
    static func fold(_ text: String) -> String { TextFolding.fold(text) }
}
