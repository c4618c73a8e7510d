import CallsheetCore
import Testing

/// Seeded random writes to an organization large enough that its department and tag id lists
/// span many `SortedIDs` blocks (thousands of ids, blocks of at most 512), so that updates
/// split, empty and merge blocks. After each round every index agrees with a brute-force
/// recomputation, pages of `CONTACT.SEARCH` walk the lists across block boundaries, and an
/// undo list restores the state exactly.
@Suite struct LargeOrganizationIndexTests {
    static let tags = ["Alpha", "Beta", "Gamma"]

    static func contact(_ id: ContactID, department: DepartmentID, tags: [String]) -> Contact {
        Contact(id: id, organizationID: 7, departmentID: department, createdByUserID: 1, name: "Person \(id)",
                phone: "+1650\(String(format: "%07d", Int(id)))", tags: tags, createdAt: 1, updatedAt: 1)
    }

    /// Every contact in `scope` carrying `tag`, paging through `CONTACT.SEARCH * TAGS ANY tag`
    /// a few contacts at a time.
    static func paged(_ state: OrganizationState, tag: String, as caller: Caller) throws -> [ContactID] {
        var seen: [ContactID] = []
        var cursor: String?
        repeat {
            var words = ["*", "TAGS", "ANY", tag, "LIMIT", "97"]
            if let cursor { words += ["CURSOR", cursor] }
            let page = try state.search(try ContactQuery.parse(words), for: caller)
            seen += page.contacts.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        return seen
    }

    @Test(arguments: [11, 12])
    func randomWritesKeepEveryIndexExact(seed: UInt64) throws {
        var random = SortedIDsTests.SplitMix(state: seed)
        var fixture = Fixture()
        var changes: [Change] = []
        for id in 1...ContactID(4_000) {
            changes.append(.putContact(Self.contact(id, department: 2 + id % 2, tags: Self.tags.filter { _ in random.next(2) == 0 })))
        }
        fixture.state.apply(changes)
        let manager = fixture.salesManager
        for round in 1...4 {
            var undo: [Change] = []
            let before = fixture.state.contacts
            for _ in 0..<1_500 {
                let ids = Array(fixture.state.contacts.keys)
                guard var contact = ids.isEmpty ? nil : fixture.state.contacts[ids[Int(random.next(UInt64(ids.count)))]] else { break }
                let change: Change
                switch random.next(6) {
                case 0: contact.departmentID = contact.departmentID == 2 ? 3 : 2; change = .putContact(contact)
                case 1:
                    let tag = Self.tags[Int(random.next(3))]
                    if contact.tags.contains(tag) { contact.tags.removeAll { $0 == tag } } else { contact.tags.append(tag) }
                    change = .putContact(contact)
                case 2: change = .removeContact(contact.id)
                case 3: change = .putContact(Self.contact(fixture.state.nextContactID, department: 2, tags: [Self.tags[Int(random.next(3))]]))
                case 4:
                    contact.totalCalls += 1
                    contact.lastCalledAt = Int64(round)
                    change = .setCallFields(CallFields(of: contact))
                default: contact.notes = "round \(round)"; change = .putContact(contact)
                }
                // As the shard commits it: a put of an existing contact as a patch.
                undo.append(contentsOf: fixture.state.apply(Change.patches([change], against: fixture.state)))
            }
            #expect(fixture.state._checkInvariants() == [], "seed \(seed) round \(round)")
            for tag in Self.tags {
                let expected = fixture.state.contacts.values.filter { $0.tags.contains(tag) && $0.departmentID == 2 }.map(\.id).sorted()
                #expect(try Self.paged(fixture.state, tag: tag, as: manager) == expected, "seed \(seed) round \(round) tag \(tag)")
            }
            #expect(Array(fixture.state.orderedIDs) == fixture.state.contacts.keys.sorted())
            // What a snapshot saves loads back to the same contacts with every index exact.
            var writer = BinaryWriter()
            fixture.state.encode(into: &writer)
            var reader = BinaryReader(writer.bytes)
            let loaded = try OrganizationState.decode(&reader)
            #expect(loaded.contacts == fixture.state.contacts, "seed \(seed) round \(round): saved and loaded")
            #expect(loaded._checkInvariants() == [], "seed \(seed) round \(round): loaded")
            if round.isMultiple(of: 2) {
                fixture.state.apply(undo.reversed())
                #expect(fixture.state.contacts == before, "seed \(seed) round \(round): undo")
                #expect(fixture.state._checkInvariants() == [], "seed \(seed) round \(round): after undo")
            }
        }
    }

    /// A copy of the organization (what `SNAPSHOT` takes) costs O(1), and a write after it copies
    /// the chunk of contacts and the phone-map shard it touches, not the organization: the copy
    /// keeps its contents and shares every other chunk.
    @Test func aWriteAfterACopyCopiesOneChunk() throws {
        var fixture = Fixture()
        fixture.state.apply((1...ContactID(8_000)).map { .putContact(Self.contact($0, department: 2, tags: ["Alpha"])) })
        let view = fixture.state
        let chunks = 8_001 / 1_024 + 1
        #expect(fixture.state.contacts._sharedChunks(with: view.contacts) == chunks)

        var changed = try #require(fixture.state.contacts[5_000])
        changed.name = "Renamed Person"
        changed.phone = "+16509999999"
        fixture.state.apply(.putContact(changed))
        fixture.state.apply(.setCallFields(CallFields(contactID: 5_001, lastCalledAt: 9, lastCallOutcome: "completed", totalCalls: 1, updatedAt: 9)))

        #expect(fixture.state.contacts._sharedChunks(with: view.contacts) == chunks - 1, "one chunk of contacts copied")
        let shards = view.phoneIndex._occupiedShards
        #expect(fixture.state.phoneIndex._sharedShards(with: view.phoneIndex) >= shards - 2, "the phone map copied the shards of the old and new phone")
        #expect(view.contacts[5_000]?.name == "Person 5000" && view.contacts[5_001]?.totalCalls == 0, "the copy is untouched")
        #expect(view.phoneIndex["+16509999999"] == nil && fixture.state.phoneIndex["+16509999999"] == 5_000)
        #expect(fixture.state._checkInvariants() == [])
        #expect(view._checkInvariants() == [])
    }

    /// A load large enough to build the text index on a second core (snapshot loading, imports)
    /// gives the state that applying the contacts one by one gives.
    @Test func aLargeLoadOnTwoCoresEqualsOneByOne() throws {
        let count = ContactID(OrganizationState.parallelLoad + 1_000)
        let changes: [Change] = (1...count).map { id in
            var contact = Self.contact(id, department: 2 + id % 2, tags: id % 3 == 0 ? ["Alpha"] : ["Beta", "Gamma"])
            contact.company = id % 5 == 0 ? nil : "Company Number \(id % 40) Limited"
            return .putContact(contact)
        }
        var bulk = Fixture()
        bulk.state.apply(changes)
        var single = Fixture()
        for change in changes { single.state.apply(change) }
        #expect(bulk.state.contacts.count == Int(count))
        #expect(bulk.state.contacts == single.state.contacts)
        #expect(bulk.state.phoneIndex == single.state.phoneIndex)
        #expect(bulk.state._checkInvariants() == [])
        let query = try ContactQuery.parse(["number 7 lim", "LIMIT", "50"])
        let expected = try single.state.search(query, for: single.salesManager).contacts.map(\.id)
        #expect(try bulk.state.search(query, for: bulk.salesManager).contacts.map(\.id) == expected)
        // Saved and loaded on two cores, with the text index image (decoding pipelined into the
        // table) and without it (the index rebuilt).
        for image in [true, false] {
            var writer = BinaryWriter()
            bulk.state.encode(into: &writer, indexImage: image)
            var reader = BinaryReader(writer.bytes)
            let loaded = try OrganizationState.decode(&reader, indexImage: image)
            #expect(reader.isAtEnd)
            #expect(loaded.contacts == bulk.state.contacts, "image \(image)")
            #expect(loaded.phoneIndex == bulk.state.phoneIndex, "image \(image)")
            #expect(loaded.tagIndex.mapValues(Array.init) == bulk.state.tagIndex.mapValues(Array.init), "image \(image)")
            #expect(loaded.departmentIndex.mapValues(Array.init) == bulk.state.departmentIndex.mapValues(Array.init), "image \(image)")
            #expect(loaded._checkInvariants() == [], "image \(image)")
            #expect(try loaded.search(query, for: bulk.salesManager).contacts.map(\.id) == expected, "image \(image)")
        }
    }
}
