/// The cold part of a call log: which calls live in segments on disk, and what changed about
/// them since they were written (docs/STORAGE.md, "Cold call segments").
///
/// Calls with ids up to ``through`` are cold. A segment is never changed in place: a merge that
/// moves a cold call, or an erasure of its contact, is recorded here (``moved``,
/// ``erasedContacts``) and applied on every read, until the segment is rewritten
/// (``CallLog/replaceColdSegment(_:)``), which folds those changes into the new file.
public struct ColdCalls: Sendable {
    /// A cold call whose contact is no longer the one it is stored under.
    public struct Moved: Sendable, Hashable {
        /// The contact whose block holds it.
        public var stored: UInt32
        /// Its contact now; 0 when erased.
        public var owner: UInt32
    }

    /// Every call with an id up to this is cold.
    public internal(set) var through: CallID = 0
    /// By id range, oldest first; the ranges are adjacent and end at ``through``.
    public internal(set) var segments: [ColdSegment] = []
    /// Cold calls moved (merge, unmerge) or erased one by one since their segment was written.
    public internal(set) var moved: [CallID: Moved] = [:]
    /// Contact → ids in ``moved`` that are its calls now.
    var arrivals: [UInt32: Set<CallID>] = [:]
    /// Contact → the cold range (``through``) when its calls were erased: every call stored under
    /// it with an id up to that is erased (its blocks still hold them until rewritten). Calls made
    /// cold later are not: a contact id may have new calls after an erasure (a purge of a removed
    /// contact's calls, then a restore).
    public internal(set) var erasedContacts: [UInt32: CallID] = [:]
    /// Reads blocks; nil in a state that has no data directory (then there are no segments).
    public var reader: (any ColdBlockReader)?

    public init() {}

    /// How many calls are cold.
    public var count: Int { segments.reduce(0) { $0 + $1.callCount } }
    /// Bytes of the segment files.
    public var diskBytes: UInt64 { segments.reduce(0) { $0 + $1.bytes } }
    /// Bytes the catalogue keeps resident (segments' extents, moved and erased calls).
    public var memoryFootprint: Int {
        segments.reduce(segments.capacity * 8) { $0 + $1.memoryFootprint } + moved.capacity * 24 + erasedContacts.capacity * 16
            + arrivals.reduce(arrivals.capacity * 16) { $0 + $1.value.capacity * 8 }
    }

    /// The segment holding call `id`.
    /// - Complexity: O(log segments).
    func segment(holding id: CallID) -> ColdSegment? {
        var low = 0, high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].lastCall < id { low = middle + 1 } else { high = middle }
        }
        return low < segments.count && segments[low].covers(id) ? segments[low] : nil
    }

    /// True when `contact` may have cold calls (stored under it, or moved to it).
    /// - Complexity: O(segments × log contacts a segment).
    func mayHold(_ contact: UInt32) -> Bool {
        if arrivals[contact] != nil { return true }
        return segments.contains { $0.extent(of: contact) != nil }
    }

    /// The contact a cold call belongs to now, given the contact it is stored under.
    public func owner(of id: CallID, stored: UInt32) -> UInt32 {
        if let entry = moved[id] { return entry.owner }
        return isErased(stored: stored, id: id) ? 0 : stored
    }

    /// True when the call `id` stored under `stored` was erased with its contact.
    func isErased(stored: UInt32, id: CallID) -> Bool {
        stored != 0 && (erasedContacts[stored].map { id <= $0 } ?? false)
    }

    /// True when `contact`'s block in `segment` holds calls erased since the segment was written
    /// (a segment lies wholly below or above an erasure's range).
    public func erasesBlock(of contact: UInt32, in segment: ColdSegment) -> Bool {
        contact != 0 && (erasedContacts[contact].map { segment.lastCall <= $0 } ?? false)
    }

    mutating func setOwner(_ id: CallID, stored: UInt32, owner: UInt32) {
        if let previous = moved[id], previous.owner != 0 {
            arrivals[previous.owner]?.remove(id)
            if arrivals[previous.owner]?.isEmpty == true { arrivals[previous.owner] = nil }
        }
        moved[id] = Moved(stored: stored, owner: owner)
        if owner != 0 { arrivals[owner, default: []].insert(id) }
    }

    /// A call as its contact sees it now: moved to `owner`, or erased (no contact, no texts).
    public static func present(_ call: CallRecord, owner: UInt32) -> CallRecord {
        var call = call
        if owner == 0 {
            call.contactID = 0
            call.notes = nil
            call.recordingURL = nil
            call.erased = true
        } else {
            call.contactID = ContactID(owner)
        }
        return call
    }

    /// Reads and decodes a block.
    public func read(_ extent: ColdExtent, of segment: ColdSegment) throws(CallsheetError) -> [CallRecord] {
        guard let reader else { throw CallsheetError(.unavailable, "cold call segment \(segment.id) cannot be read: no data directory") }
        return try ColdBlock.decode(try reader.block(extent, of: segment))
    }

    /// `segment`'s id index, nil when its file has none.
    public func idIndex(of segment: ColdSegment) throws(CallsheetError) -> ColdIdIndex? {
        guard let reader else { throw CallsheetError(.unavailable, "cold call segment \(segment.id) cannot be read: no data directory") }
        return try reader.idIndex(of: segment)
    }

    /// Chunk `number` of `segment`'s id index, its calls as stored (ids ascending).
    func indexChunk(_ number: Int, of index: ColdIdIndex, in segment: ColdSegment) throws(CallsheetError) -> [ColdIdIndex.Entry] {
        guard number < index.chunks.count else { throw CallsheetError(.unavailable, "cold call segment \(segment.id): its id index has no chunk \(number)") }
        let first = segment.firstCall + CallID(number * index.callsPerChunk)
        let chunk = index.chunks[number]
        return try ColdIdIndex.decodeChunk(try read(bytesOf: chunk, of: segment), first: first, count: Int(chunk.count))
    }

    /// Chunk `number` of `segment`'s id index as a rewrite of the segment writes it: each call
    /// stored under the contact it belongs to now (0, without texts, when erased).
    public func rewrittenIndexChunk(_ number: Int, of index: ColdIdIndex, in segment: ColdSegment) throws(CallsheetError) -> [UInt8] {
        let entries = try indexChunk(number, of: index, in: segment).map { entry in
            let owner = owner(of: entry.call.id, stored: entry.stored)
            return ColdIdIndex.Entry(call: Self.present(entry.call, owner: owner), hasTexts: entry.hasTexts && owner != 0)
        }
        return ColdIdIndex.encodeChunk(entries: entries)
    }

    /// Call `id` as it is now, texts included, read from the block of `stored` (the contact
    /// an index entry says holds it).
    func call(_ id: CallID, stored: UInt32, in segment: ColdSegment) throws(CallsheetError) -> CallRecord {
        guard let extent = segment.extent(of: stored), let call = try read(extent, of: segment).first(where: { $0.id == id }) else {
            throw CallsheetError(.unavailable, "cold call segment \(segment.id): call \(id) is not in the block its id index names")
        }
        return Self.present(call, owner: owner(of: id, stored: stored))
    }

    private func read(bytesOf extent: ColdExtent, of segment: ColdSegment) throws(CallsheetError) -> [UInt8] {
        guard let reader else { throw CallsheetError(.unavailable, "cold call segment \(segment.id) cannot be read: no data directory") }
        return try reader.block(extent, of: segment)
    }

    /// The cold calls of `contact` now, newest first (time, then id).
    /// - Complexity: one block read per segment that stores the contact's calls or calls moved to it.
    func calls(of contact: UInt32) throws(CallsheetError) -> [CallRecord] {
        var found: [CallRecord] = []
        for segment in segments {
            guard let extent = segment.extent(of: contact) else { continue }
            // Moved calls (even back to this contact) come with the arrivals below, once.
            for call in try read(extent, of: segment) where moved[call.id] == nil && !isErased(stored: contact, id: call.id) {
                found.append(call)
            }
        }
        if let ids = arrivals[contact] {
            // Group the moved calls by the block that holds them.
            var blocks: [UInt64: Set<CallID>] = [:]
            for id in ids {
                guard let entry = moved[id], let holder = segment(holding: id) else { continue }
                blocks[UInt64(holder.id) << 32 | UInt64(entry.stored), default: []].insert(id)
            }
            for (key, wanted) in blocks {
                guard let holder = segments.first(where: { $0.id == UInt32(key >> 32) }), let extent = holder.extent(of: UInt32(truncatingIfNeeded: key)) else { continue }
                for call in try read(extent, of: holder) where wanted.contains(call.id) { found.append(Self.present(call, owner: contact)) }
            }
        }
        found.sort { ($0.at, $0.id) > ($1.at, $1.id) }
        return found
    }

    /// Every call of `segment` with an id in `window`, as it is now.
    func calls(in segment: ColdSegment, window: ClosedRange<CallID>) throws(CallsheetError) -> [CallRecord] {
        var found: [CallRecord] = []
        for extent in segment.extents {
            for call in try read(extent, of: segment) where window.contains(call.id) {
                found.append(Self.present(call, owner: owner(of: call.id, stored: extent.contact)))
            }
        }
        return found
    }

    /// The contacts with cold calls stored under them or moved to them.
    var contacts: Set<UInt32> {
        var all = Set(arrivals.keys)
        for segment in segments { for extent in segment.extents where extent.contact != 0 && !erasesBlock(of: extent.contact, in: segment) { all.insert(extent.contact) } }
        return all
    }

    /// True when a segment's file holds data a rewrite would change: calls moved or erased since.
    public func needsRewrite(_ segment: ColdSegment) -> Bool {
        if segment.extents.contains(where: { erasesBlock(of: $0.contact, in: segment) }) { return true }
        return moved.keys.contains { segment.covers($0) }
    }
}

extension ColdCalls: Equatable {
    public static func == (left: ColdCalls, right: ColdCalls) -> Bool {
        left.through == right.through && left.segments == right.segments && left.moved == right.moved && left.erasedContacts == right.erasedContacts
    }
}
