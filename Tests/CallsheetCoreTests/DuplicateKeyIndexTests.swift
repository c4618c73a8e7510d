import CallsheetCore
import Testing

/// The name keys a write's duplicate check looks up (``DuplicateKeyIndex``): kept equal to keys
/// rebuilt from the contacts through random writes, undos, bulk loads and snapshot loads; the
/// fuzzy forms found by a write in an organization where the names are common; and a scan's
/// progress and cancellation.
@Suite struct DuplicateKeyIndexTests {
    typealias SplitMix = RandomOperationsTests.SplitMix

    static let given = ["John", "Jon", "J.", "Johnny", "Robert", "Bob", "Katherine", "Kate", "Mary", "Maria", "Ann", "Anne"]
    static let family = ["Smith", "Smyth", "Doe", "Müller", "Muller", "O'Brien"]

    static func name(_ random: inout SplitMix) -> String {
        let first = given[random.next(given.count)], last = family[random.next(family.count)]
        switch random.next(5) {
        case 0: return "\(last), \(first)"
        case 1: return "\(first) \(given[random.next(given.count)]) \(last)"
        case 2: return last
        default: return "\(first) \(last)"
        }
    }

    static let emails: [String?] = [nil, nil, "john.doe@gmail.com", "JohnDoe+crm@googlemail.com", "info@acme.example", "Info@ACME.example"]

    static func contact(_ id: ContactID, _ name: String, email: String? = nil, department: DepartmentID = 2) -> Contact {
        Contact(id: id, organizationID: 7, departmentID: department, createdByUserID: 1, name: name, phone: "+1650\(String(2_000_000 + Int(id)))", email: email, company: nil,
                createdAt: 1_764_000_000_000, updatedAt: 1_764_000_000_000)
    }

    @Test("Maintained keys equal keys rebuilt from the contacts after random writes, undos, bulk loads and snapshot loads", arguments: [1, 2, 3])
    func maintainedEqualsRebuilt(seed: UInt64) throws {
        var random = SplitMix(state: seed)
        var fixture = Fixture()
        var undo: [[Change]] = []
        var nextID: ContactID = 1
        for step in 0..<400 {
            let ids = Array(fixture.state.contacts.keys)
            var pick = random.next(10)
            // Writes to existing contacts need one; undo needs something to undo.
            if ids.isEmpty, (4...6).contains(pick) || pick == 8 { pick = 1 }
            if undo.isEmpty, pick == 7 { pick = 1 }
            switch pick {
            case 0:
                // A bulk run of new contacts (the load path an import takes).
                let run = (0..<(64 + random.next(40))).map { _ in
                    defer { nextID += 1 }
                    return Change.putContact(Self.contact(nextID, Self.name(&random), email: Self.emails[random.next(Self.emails.count)]))
                }
                undo.append(fixture.state.apply(run))
            case 1, 2, 3:
                undo.append([fixture.state.apply(.putContact(Self.contact(nextID, Self.name(&random), email: Self.emails[random.next(Self.emails.count)])))])
                nextID += 1
            case 4, 5:
                var changed = try #require(fixture.state.contacts[ids[random.next(ids.count)]])
                if random.next(2) == 0 { changed.name = Self.name(&random) } else { changed.email = Self.emails[random.next(Self.emails.count)] }
                undo.append([fixture.state.apply(.putContact(changed))])
            case 6:
                undo.append([fixture.state.apply(.removeContact(ids[random.next(ids.count)]))])
            case 7:
                fixture.state.apply(undo.removeLast())
            case 8:
                let id = ids[random.next(ids.count)]
                let patch = try fixture.state.planUpdate(id, try JSONValue.parse(#"{"name":"\#(Self.name(&random))"}"#), by: fixture.admin, context: fixture.context)
                undo.append([fixture.state.apply(.putContact(patch))])
            default:
                var writer = BinaryWriter()
                let image = random.next(2) == 0
                fixture.state.encode(into: &writer, indexImage: image)
                var reader = BinaryReader(writer.bytes)
                let loaded = try OrganizationState.decode(&reader, indexImage: image)
                #expect(loaded.duplicateKeys == fixture.state.duplicateKeys, "step \(step): keys after a snapshot load")
                fixture.state = loaded
            }
            if step % 20 == 19 || step == 399 {
                #expect(fixture.state.duplicateKeys == DuplicateKeyIndex.rebuilt(from: fixture.state.contacts), "seed \(seed) step \(step)")
                let problems = fixture.state._checkInvariants()
                #expect(problems.isEmpty, "seed \(seed) step \(step): \(problems)")
                if !problems.isEmpty { return }
            }
        }
        #expect(fixture.state.contacts.count > 200, "enough contacts for common keys: \(fixture.state.contacts.count)")
    }

    @Test("Keys a snapshot load defers are built off the state and adopted with the writes made meanwhile", arguments: [4, 5])
    func deferredKeysCatchUpWithWrites(seed: UInt64) throws {
        var random = SplitMix(state: seed)
        var fixture = Fixture()
        fixture.state.apply((1...600).map { .putContact(Self.contact(ContactID($0), Self.name(&random), email: Self.emails[random.next(Self.emails.count)])) })
        var writer = BinaryWriter()
        fixture.state.encode(into: &writer, indexImage: true)
        var reader = BinaryReader(writer.bytes)
        var state = try OrganizationState.decode(&reader, indexImage: true)
        #expect(!state.duplicateKeys.isBuilt, "a table image load leaves the keys to build")
        let pending = try #require(state.duplicateKeys.pendingBuild)
        // Writes while the keys are built: renames, new contacts, removals, a contact removed and added again.
        var nextID: ContactID = 601
        for _ in 0..<300 {
            let ids = Array(state.contacts.keys)
            switch random.next(4) {
            case 0:
                state.apply(.putContact(Self.contact(nextID, Self.name(&random))))
                nextID += 1
            case 1:
                state.apply(.removeContact(ids[random.next(ids.count)]))
            default:
                var changed = try #require(state.contacts[ids[random.next(ids.count)]])
                changed.name = Self.name(&random)
                state.apply(.putContact(changed))
            }
        }
        let removed = try #require(state.contacts.first { $0.id <= 600 })
        state.apply(.removeContact(removed.id))
        state.apply(.putContact(removed))
        let built = DuplicateKeyIndex.built(from: pending.table)
        state.adoptDuplicateKeys(built, for: pending.marker)
        #expect(state.duplicateKeys.isBuilt)
        #expect(state.duplicateKeys == DuplicateKeyIndex.rebuilt(from: state.contacts))
        #expect(state._checkInvariants().isEmpty)
        // Keys built for another deferral (a state loaded again) are not adopted.
        reader = BinaryReader(writer.bytes)
        var other = try OrganizationState.decode(&reader, indexImage: true)
        other.adoptDuplicateKeys(built, for: pending.marker)
        #expect(!other.duplicateKeys.isBuilt)
    }

    @Test("A bulk run larger than the deferral records is keyed in bulk, the deferred keys built first")
    func largeRunAfterADeferredLoad() throws {
        var random = SplitMix(state: 6)
        var fixture = Fixture()
        fixture.state.apply((1...200).map { .putContact(Self.contact(ContactID($0), Self.name(&random))) })
        var writer = BinaryWriter()
        fixture.state.encode(into: &writer, indexImage: true)
        var reader = BinaryReader(writer.bytes)
        var state = try OrganizationState.decode(&reader, indexImage: true)
        #expect(!state.duplicateKeys.isBuilt)
        var renamed = try #require(state.contacts[7])
        renamed.name = "Renamed Before The Run"
        state.apply(.putContact(renamed))
        let run = (201...ContactID(201 + DuplicateKeyIndex.deferredWriteLimit)).map { Change.putContact(Self.contact($0, "Bulk \($0) Person")) }
        state.apply(run)
        #expect(state.duplicateKeys.isBuilt)
        #expect(state.duplicateKeys == DuplicateKeyIndex.rebuilt(from: state.contacts))
    }

    @Test("A write's check finds typos, initials, nicknames and token order among thousands of contacts sharing the name's tokens")
    func fuzzyWarningsWhereNamesAreCommon() throws {
        var fixture = Fixture()
        var random = SplitMix(state: 99)
        // 3,000 Smiths and Does with every given name: each "token|initial" key holds hundreds.
        var changes: [Change] = []
        for id in 1...3_000 {
            let first = ["James", "Jane", "Joan", "Jack", "Julia", "Jorge", "Mary", "Mark", "Kevin", "Karen"][random.next(10)]
            changes.append(.putContact(Self.contact(ContactID(id), "\(first) \(["Smith", "Doe"][random.next(2)]) \(id)")))
        }
        let target: [(String, ContactID)] = [("Jonathan Smithers", 3_001), ("Katherine Doe-Ray", 3_002), ("Robert Quill", 3_003), ("Maria Gonzalez", 3_004)]
        for (name, id) in target { changes.append(.putContact(Self.contact(id, name))) }
        fixture.state.apply(changes)
        #expect(fixture.state.contacts.count == 3_004)
        for (probe, expected) in [
            ("Jonathon Smithers", 3_001), ("J. Smithers", 3_001), ("Smithers, Jonathan", 3_001),
            ("Kate Doe-Ray", 3_002), ("Bob Quill", 3_003), ("Quill, Robert", 3_003), ("Maria Gonzales", 3_004),
        ] as [(String, ContactID)] {
            let contact = Self.contact(9_000, probe)
            let matches = try fixture.state.likelyDuplicates(of: contact, by: fixture.admin)
            #expect(matches.first?.id == expected, "\(probe): \(matches.map { ($0.id, $0.score) })")
        }
        // The same address, whatever its case or Gmail dots: found by its key.
        fixture.state.apply(.putContact(Self.contact(3_006, "Someone Else", email: "Pat.Quinn@gmail.com")))
        let byEmail = try fixture.state.likelyDuplicates(of: Self.contact(9_002, "P Q", email: "patquinn+work@GMAIL.com"), by: fixture.admin)
        #expect(byEmail.first?.id == 3_006, "\(byEmail.map(\.id))")
        // A typo whose only shared key is common (`smith|j`, held by some 900 contacts) finds
        // the contact through the key's neighbours by name.
        fixture.state.apply(.putContact(Self.contact(3_005, "Janet Smith")))
        let matches = try fixture.state.likelyDuplicates(of: Self.contact(9_001, "Janett Smith"), by: fixture.admin)
        #expect(matches.first?.id == 3_005, "\(matches.map(\.id))")
    }

    @Test("A scan reports its progress, and a cancelled one returns nothing")
    func scanProgress() throws {
        var fixture = Fixture()
        fixture.state.apply((1...3_000).map { Change.putContact(Self.contact(ContactID($0), "Person \($0 % 1_000) Name")) })
        let progress = DuplicateScanProgress()
        let result = try #require(fixture.state.scanDuplicates(for: fixture.admin, threshold: nil, progress: progress))
        #expect(progress.contactsTotal == 3_000 && progress.contactsScanned == 3_000 && progress.phase == .finished)
        #expect(progress.comparisonsDone == result.comparisons && progress.comparisonsPlanned >= result.comparisons)
        let plain = fixture.state.scanDuplicates(for: fixture.admin)
        #expect(plain.groups.map(\.members) == result.groups.map(\.members) && plain.comparisons == result.comparisons)
        let cancelled = DuplicateScanProgress()
        cancelled.cancel()
        #expect(fixture.state.scanDuplicates(for: fixture.admin, threshold: nil, progress: cancelled) == nil)
    }
}
