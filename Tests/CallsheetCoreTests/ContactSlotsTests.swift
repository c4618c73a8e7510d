import CallsheetCore
import Testing

/// The contact table by id: ascending iteration, exact counts, and bounded memory whatever ids
/// damaged or hostile input carries (a fuzzer found an id of about 2^31 that made the slots
/// of every id below it take memory; Fuzz/Regressions/codec/contact-id-far-beyond-the-others).
@Suite struct ContactSlotsTests {
    static func contact(_ id: ContactID) -> Contact {
        Contact(id: id, organizationID: 1, departmentID: 1, createdByUserID: 1, name: "P \(id)", phone: "+1650\(id % 10_000_000)",
                createdAt: 1, updatedAt: 1)
    }

    @Test func farIDsCostADirectoryEntryNotTheirPredecessorsSlots() {
        var slots = ContactSlots()
        let ids: [ContactID] = [1, 5, 3_000, (1 << 28) - 1, 1 << 28, (1 << 31) + 7, 1 << 40, (1 << 53) - 1]
        for id in ids.shuffled() { slots[id] = Self.contact(id) }
        #expect(slots.count == ids.count)
        #expect(Array(slots.keys) == ids, "ascending, dense ids and sparse ones alike")
        #expect(slots.memoryFootprint < 8 << 20, "\(slots.memoryFootprint) bytes")
        for id in ids { #expect(slots[id]?.id == id) }
        #expect(slots[2] == nil && slots[(1 << 28) - 2] == nil && slots[1 << 41] == nil)
        #expect(slots.removeValue(forKey: 5)?.id == 5 && slots.removeValue(forKey: 5) == nil)
        #expect(slots.removeValue(forKey: 1 << 40)?.id == 1 << 40)
        #expect(slots.count == ids.count - 2)
        var other = ContactSlots()
        for id in ids where id != 5 && id != 1 << 40 { other.updateValue(Self.contact(id), forKey: id) }
        #expect(slots == other)
    }

    /// A full chunk holds exactly a chunk's worth of slots; a small organization only what it uses.
    @Test func chunksHoldWhatTheyUse() {
        var small = ContactSlots()
        for id in 1...ContactID(10) { small[id] = Self.contact(id) }
        #expect(small.memoryFootprint < 16 * MemoryLayout<Contact?>.stride + 200)
        var large = ContactSlots()
        for id in 0..<ContactID(ContactSlots.chunkCapacity * 4) { large[id] = Self.contact(id) }
        // Within the allocator's rounding of each chunk, far from the 2× of unchecked doubling.
        #expect(large.memoryFootprint <= ContactSlots.chunkCapacity * 4 * MemoryLayout<Contact?>.stride * 21 / 20)
    }
}
