import ChunkedCollections

/// Every call of an organization, in 36 bytes a call plus its notes, with each contact's calls
/// chained newest first.
///
/// Calls are the largest data set of a calling platform (twenty a contact is ordinary), so they
/// are not values with their own heap strings: a call is a fixed-size ``Row`` in a chunked array
/// addressed by its id (`id - 1`), its outcome an index into the organization's interned
/// outcomes, its notes and recording link (rare) in a side array. Each row links to the next
/// older call of its contact, so `CALL.HISTORY` walks one contact's calls without touching
/// anyone else's, and a copy (a snapshot's view) costs O(1) as ``ChunkedArray`` does.
public struct CallLog: Sendable {
    /// One call as stored. Four-byte fields only: its stride is 36 bytes.
    @usableFromInline
    struct Row: Sendable, Hashable {
        var contact: UInt32
        var timeLow: UInt32
        var timeHigh: Int32
        var duration: UInt32
        var agent: UInt32
        var campaign: UInt32
        /// 1 + the index of the call's texts in ``texts``; 0 for none.
        var text: UInt32
        /// 1 + the index of the contact's next older call; 0 at the oldest.
        var older: UInt32
        var outcome: UInt16
        var kind: UInt8
        var flags: UInt8

        var time: Timestamp { Timestamp(timeHigh) << 32 | Timestamp(timeLow) }
        var isErased: Bool { flags & Row.erasedFlag != 0 }
        static let erasedFlag: UInt8 = 1
    }

    /// The rarely present texts of a call.
    struct Texts: Sendable, Hashable {
        var notes: String?
        var recordingURL: String?
    }

    /// The kinds by their stored index (`allCases` builds an array each time it is read).
    static let kinds = CallKind.allCases

    var rows = ChunkedArray<Row>()
    var texts = ChunkedArray<Texts>()
    /// Contact → 1 + the index of its newest call.
    var newest = ShardedDictionary<UInt32, UInt32>()
    var outcomes: [String] = []
    var outcomeIndex: [String: UInt16] = [:]
    /// The calls that live in segments on disk (ids up to ``ColdCalls/through``): their rows'
    /// storage is released, their chains cut off the hot ones (docs/STORAGE.md, "Cold call segments").
    public internal(set) var cold = ColdCalls()
    /// Bumped by every change to calls already logged (moves, erasures, cold moves), not by
    /// appends: a cold move planned on a view checks it before it is journaled.
    public internal(set) var generation: UInt64 = 0

    public init() {}

    /// How many calls have been logged (erased ones included).
    public var count: Int { rows.count }
    /// The id the next logged call gets.
    public var nextID: CallID { CallID(rows.count + 1) }
    /// Distinct outcomes an organization may use; a call log stores one in two bytes.
    public static let maximumOutcomes = Int(UInt16.max)
    public var outcomeCount: Int { outcomes.count }

    /// True when `outcome` can be stored: known already, or room for another.
    public func admits(outcome: String) -> Bool {
        outcomeIndex[outcome] != nil || outcomes.count < Self.maximumOutcomes
    }

    /// A hot call by id (a cold one is read with its contact's history: ``calls(of:after:since:limit:)``).
    public subscript(id: CallID) -> CallRecord? {
        guard id > cold.through, id <= CallID(rows.count) else { return nil }
        return record(at: Int(id - 1))
    }

    func record(at index: Int) -> CallRecord {
        let row = rows[index]
        let text = row.text == 0 ? Texts() : texts[Int(row.text - 1)]
        return CallRecord(
            id: CallID(index + 1), contactID: ContactID(row.contact), at: row.time, durationSeconds: Int(row.duration),
            outcome: outcomes[Int(row.outcome)], agentID: UserID(row.agent), kind: Self.kinds[Int(row.kind)],
            campaignID: row.campaign == 0 ? nil : CampaignID(row.campaign), notes: text.notes, recordingURL: text.recordingURL,
            erased: row.isErased)
    }

    /// How far down its contact's chain a call of time `at` goes: the calls newer than it, or nil
    /// beyond ``maximumInsertionDepth``. Planning refuses those, so that logging calls further and
    /// further back in time (each walking the whole chain) cannot take quadratic time.
    public func insertionDepth(of call: CallRecord) -> Int? {
        guard call.contactID <= CallRecord.maximumContactID else { return nil }
        var depth = 0
        var next = newest[UInt32(call.contactID)] ?? 0
        while next != 0, rows[Int(next - 1)].time > call.at {
            depth += 1
            if depth > Self.maximumInsertionDepth { return nil }
            next = rows[Int(next - 1)].older
        }
        return depth
    }

    /// The most calls of a contact a new call may be older than (`CALL.LOG … "at"` in the past).
    public static let maximumInsertionDepth = 1_000

    /// Appends `call` (whose id must be ``nextID``), linking it into its contact's chain by time.
    /// - Complexity: O(1) for a call newer than the contact's others (the usual case), else
    ///   O(calls of the contact newer than it), at most ``maximumInsertionDepth``.
    public mutating func append(_ call: CallRecord) {
        precondition(call.id == nextID, "calls are appended in id order")
        var text: UInt32 = 0
        if call.notes != nil || call.recordingURL != nil {
            texts.append(Texts(notes: call.notes, recordingURL: call.recordingURL))
            text = UInt32(texts.count)
        }
        var row = Row(
            contact: UInt32(call.contactID), timeLow: UInt32(truncatingIfNeeded: call.at), timeHigh: Int32(truncatingIfNeeded: call.at >> 32),
            duration: UInt32(clamping: call.durationSeconds), agent: UInt32(truncatingIfNeeded: call.agentID),
            campaign: UInt32(truncatingIfNeeded: call.campaignID ?? 0), text: text, older: 0, outcome: intern(call.outcome),
            kind: UInt8(CallKind.allCases.firstIndex(of: call.kind) ?? 0), flags: call.erased ? Row.erasedFlag : 0)
        let position = UInt32(rows.count + 1)
        // Find the first call of the chain that is older than this one (time, then id).
        var previous: UInt32 = 0
        var next = newest[row.contact] ?? 0
        while next != 0, rows[Int(next - 1)].time > call.at {
            previous = next
            next = rows[Int(next - 1)].older
        }
        row.older = next
        rows.append(row)
        if previous == 0 { newest[row.contact] = position } else { rows[Int(previous - 1)].older = position }
    }

    /// Removes the newest logged call (the undo of its ``append(_:)``); nothing for another id.
    public mutating func removeLast(_ id: CallID) {
        guard id == CallID(rows.count), id > cold.through, id > 0 else { return }
        generation += 1
        let row = rows[Int(id - 1)]
        unlink(UInt32(id), of: row.contact)
        rows.removeLast()
        if row.text != 0, row.text == UInt32(texts.count) { texts.removeLast() }
    }

    /// Takes `position` out of its contact's chain.
    private mutating func unlink(_ position: UInt32, of contact: UInt32) {
        var previous: UInt32 = 0
        var next = newest[contact] ?? 0
        while next != 0, next != position {
            previous = next
            next = rows[Int(next - 1)].older
        }
        guard next == position else { return }
        let older = rows[Int(position - 1)].older
        if previous != 0 {
            rows[Int(previous - 1)].older = older
        } else if older != 0 {
            newest[contact] = older
        } else {
            newest.removeValue(forKey: contact)
        }
    }

    /// The calls of `contact`, newest first (by time, then id), those with ids below `before`
    /// in chain order skipped… see ``calls(of:after:since:limit:)``.
    public func calls(of contact: ContactID) throws(CallsheetError) -> [CallRecord] {
        try calls(of: contact, after: nil, since: nil, limit: .max).calls
    }

    /// Up to `limit` calls of `contact`, newest first, starting after the call `after` (a
    /// previous page's last id) and stopping at calls older than `since`. `more` is true when
    /// another page follows.
    /// - Complexity: O(calls skipped + limit): a page walks the chain from the newest call. A
    ///   contact with cold calls reads one block per segment that holds them, and merges.
    /// - Throws: `UNAVAILABLE` when a cold segment cannot be read.
    public func calls(of contact: ContactID, after: CallID?, since: Timestamp?, limit: Int) throws(CallsheetError) -> (calls: [CallRecord], more: Bool) {
        guard contact <= CallRecord.maximumContactID else { return ([], false) }
        if !cold.segments.isEmpty, cold.mayHold(UInt32(contact)) {
            if let page = hotPage(of: contact, after: after, since: since, limit: limit) { return page }
            return try mergedCalls(of: contact, after: after, since: since, limit: limit)
        }
        guard var next = newest[UInt32(contact)] else { return ([], false) }
        if let after {
            guard after > cold.through else { return ([], false) }
            // A cursor names a call of this contact; start at the call older than it.
            guard after >= 1, after <= CallID(rows.count), rows[Int(after - 1)].contact == UInt32(contact) else { return ([], false) }
            next = rows[Int(after - 1)].older
        }
        var page: [CallRecord] = []
        while next != 0 {
            let row = rows[Int(next - 1)]
            if let since, row.time < since { break }
            if page.count == limit { return (page, true) }
            page.append(record(at: Int(next - 1)))
            next = row.older
        }
        return (page, false)
    }

    /// The contacts that have calls (removed ones included; erased ones not).
    public var contactsWithCalls: [ContactID] {
        guard !cold.segments.isEmpty else { return newest.keys.map { ContactID($0) } }
        var all = cold.contacts
        for key in newest.keys { all.insert(key) }
        return all.map { ContactID($0) }
    }

    /// How many calls `contact` has (its cold calls read).
    public func count(of contact: ContactID) throws(CallsheetError) -> Int {
        guard contact <= CallRecord.maximumContactID else { return 0 }
        var count = cold.segments.isEmpty ? 0 : try cold.calls(of: UInt32(contact)).count
        var next = newest[UInt32(contact)] ?? 0
        while next != 0 {
            count += 1
            next = rows[Int(next - 1)].older
        }
        return count
    }

    /// The ids of `contact`'s calls, newest first. Cold ones are read; a segment that cannot
    /// be read leaves its calls out (a merge then leaves them with the merged contact).
    public func ids(of contact: ContactID) -> [CallID] {
        guard contact <= CallRecord.maximumContactID else { return [] }
        if !cold.segments.isEmpty, cold.mayHold(UInt32(contact)) {
            return ((try? calls(of: contact)) ?? []).map(\.id)
        }
        var ids: [CallID] = []
        var next = newest[UInt32(contact)] ?? 0
        while next != 0 {
            ids.append(CallID(next))
            next = rows[Int(next - 1)].older
        }
        return ids
    }

    /// Calls newest id first (the order they were logged, reversed), those with ids below
    /// `before` only: `matching` sees each call visited, `body` each call it accepted, until
    /// `body` returns false or `visitLimit` calls were visited.
    /// `matching` must look only at what a cold segment's id index keeps (every field but notes
    /// and recording link): a cold call's texts are read only for the calls it accepts.
    /// - Complexity: O(calls visited); a filter that matches rarely walks far. Cold calls are
    ///   read a chunk of ``ColdIdIndex/callsPerChunk`` ids at a time (a segment without an id
    ///   index: a window of ``coldScanWindow`` ids, every block read).
    /// - Throws: `UNAVAILABLE` when a cold segment cannot be read.
    public func scan(
        before: CallID?, visitLimit: Int = .max, matching: (CallRecord) -> Bool = { _ in true }, _ body: (CallRecord) -> Bool
    ) throws(CallsheetError) -> (lastVisited: CallID?, exhausted: Bool) {
        var index = min(Int((before ?? CallID(rows.count + 1)) - 1), rows.count) - 1
        var visited = 0
        while index >= Int(cold.through) {
            guard visited < visitLimit else { return (CallID(index + 2), false) }
            visited += 1
            let call = record(at: index)
            if matching(call), !body(call) { return (CallID(index + 1), false) }
            index -= 1
        }
        guard index >= 0 else { return (nil, true) }
        return try scanCold(through: CallID(index + 1), visited: visited, visitLimit: visitLimit, matching: matching, body)
    }

    /// Moves calls `ids` to `contact`, re-chaining both contacts' calls by time.
    /// - Complexity: O((calls of both) log (calls of both)).
    /// Cold calls among `ids` are `from`'s (the contact they move away from).
    public mutating func move(_ ids: [CallID], from: ContactID, to contact: ContactID) {
        guard contact <= CallRecord.maximumContactID else { return }
        generation += 1
        moveCold(ids.filter { $0 >= 1 && $0 <= cold.through }, from: from, to: contact)
        let ids = ids.filter { $0 > cold.through }
        var sources: Set<UInt32> = []
        for id in ids where id >= 1 && id <= CallID(rows.count) { sources.insert(rows[Int(id - 1)].contact) }
        sources.insert(UInt32(contact))
        var chains: [UInt32: [UInt32]] = [:]
        for source in sources {
            var next = newest[source] ?? 0
            while next != 0 {
                chains[source, default: []].append(next)
                next = rows[Int(next - 1)].older
            }
        }
        for id in ids where id >= 1 && id <= CallID(rows.count) {
            let position = UInt32(id)
            let from = rows[Int(id - 1)].contact
            guard from != UInt32(contact) else { continue }
            chains[from]?.removeAll { $0 == position }
            chains[UInt32(contact), default: []].append(position)
            rows[Int(id - 1)].contact = UInt32(contact)
        }
        for (owner, chain) in chains { relink(owner, chain) }
    }

    /// Chains `positions` as `contact`'s calls, newest (time, then id) first.
    private mutating func relink(_ contact: UInt32, _ positions: [UInt32]) {
        let sorted = positions.sorted { (rows[Int($0 - 1)].time, $0) > (rows[Int($1 - 1)].time, $1) }
        guard let first = sorted.first else {
            newest.removeValue(forKey: contact)
            return
        }
        newest[contact] = first
        for (offset, position) in sorted.enumerated() {
            rows[Int(position - 1)].older = offset + 1 < sorted.count ? sorted[offset + 1] : 0
        }
    }

    /// Erases `contact`'s calls: they lose their link to the contact, their notes and their
    /// recording link (their time, duration, outcome, agent and campaign stay). Returns the
    /// calls as they were, for ``restore(_:)``.
    public mutating func erase(of contact: ContactID) -> [CallRecord] {
        guard contact <= CallRecord.maximumContactID else { return [] }
        generation += 1
        var previous: [CallRecord] = eraseCold(of: contact)
        var next = newest[UInt32(contact)] ?? 0
        while next != 0 {
            let index = Int(next - 1)
            previous.append(record(at: index))
            if rows[index].text != 0 { texts[Int(rows[index].text - 1)] = Texts() }
            rows[index].text = 0
            rows[index].contact = 0
            rows[index].flags |= Row.erasedFlag
            next = rows[index].older
            rows[index].older = 0
        }
        newest.removeValue(forKey: UInt32(contact))
        return previous
    }

    /// Puts back calls as ``erase(of:)`` returned them (an erasure that was not made durable).
    public mutating func restore(_ calls: [CallRecord]) {
        generation += 1
        restoreCold(calls.filter { $0.id <= cold.through })
        let calls = calls.filter { $0.id > cold.through }
        var owners: Set<UInt32> = []
        var restored: Set<UInt32> = []
        // Only erased calls come back (an undo's; anything else in a damaged record is ignored).
        for call in calls where call.id >= 1 && call.id <= CallID(rows.count) && rows[Int(call.id - 1)].isErased && call.contactID > 0 {
            let index = Int(call.id - 1)
            restored.insert(UInt32(call.id))
            rows[index].contact = UInt32(call.contactID)
            rows[index].flags &= ~Row.erasedFlag
            if call.notes != nil || call.recordingURL != nil {
                texts.append(Texts(notes: call.notes, recordingURL: call.recordingURL))
                rows[index].text = UInt32(texts.count)
            }
            owners.insert(UInt32(call.contactID))
        }
        for owner in owners {
            var chain = calls.filter { UInt32($0.contactID) == owner && restored.contains(UInt32($0.id)) }.map { UInt32($0.id) }
            var next = newest[owner] ?? 0
            while next != 0 {
                chain.append(next)
                next = rows[Int(next - 1)].older
            }
            relink(owner, Array(Set(chain)))
        }
    }

    private mutating func intern(_ outcome: String) -> UInt16 {
        if let index = outcomeIndex[outcome] { return index }
        precondition(outcomes.count < Self.maximumOutcomes, "planning checks admits(outcome:)")
        let index = UInt16(outcomes.count)
        outcomes.append(outcome)
        outcomeIndex[outcome] = index
        return index
    }

    /// Bytes the call log's own storage occupies (rows, texts' slots, chains' heads), what a
    /// call costs resident beyond its notes.
    public var memoryFootprint: Int {
        rows.memoryFootprint + texts.memoryFootprint + newest.capacity * 12 + cold.memoryFootprint
    }
}

extension CallLog: Equatable {
    public static func == (left: CallLog, right: CallLog) -> Bool {
        guard left.count == right.count, left.cold == right.cold else { return false }
        for index in Int(left.cold.through)..<left.count where left.record(at: index) != right.record(at: index) { return false }
        return true
    }
}
