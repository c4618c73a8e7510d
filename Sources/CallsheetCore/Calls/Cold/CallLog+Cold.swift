/// The call log's cold side: moving old calls into segments, and reading, moving and erasing
/// calls that live there (docs/STORAGE.md, "Cold call segments").
extension CallLog {
    /// The ids a `CALL.LIST` reads of a cold segment at a time: the calls of one window are
    /// decoded, ordered by id and visited before the next window is read.
    public static let coldScanWindow: CallID = 1_000_000

    /// The calls a cold move may take: the longest run of the oldest hot calls (by id, the order
    /// they were logged) whose times are all before `cutoff`, at most `limit` of them. A call
    /// logged late with an old time waits until the calls logged before it are cold too.
    /// - Complexity: O(calls taken).
    public func coldFreezeRange(before cutoff: Timestamp, limit: Int) -> ClosedRange<CallID>? {
        let first = cold.through + 1
        var last = cold.through
        while last < CallID(rows.count), last - cold.through < CallID(limit), rows[Int(last)].time < cutoff { last += 1 }
        return last >= first ? first...last : nil
    }

    /// The calls of `range` grouped as a segment stores them: `body` gets each contact (ascending;
    /// 0 for erased calls) with its calls newest first (time, then id).
    /// - Complexity: O(calls in range) plus sorting each contact's calls.
    public func coldBlocks(_ range: ClosedRange<CallID>, _ body: (UInt32, [CallRecord]) throws -> Void) rethrows {
        var counts: [UInt32: Int] = [:]
        for id in range { counts[rows[Int(id - 1)].contact, default: 0] += 1 }
        let contacts = counts.keys.sorted()
        var starts: [UInt32: Int] = [:]
        starts.reserveCapacity(contacts.count)
        var offset = 0
        for contact in contacts {
            starts[contact] = offset
            offset += counts[contact] ?? 0
        }
        var fill = starts
        var positions = [UInt32](repeating: 0, count: range.count)
        for id in range {
            let contact = rows[Int(id - 1)].contact
            let at = fill[contact] ?? 0
            positions[at] = UInt32(id)
            fill[contact] = at + 1
        }
        for contact in contacts {
            let start = starts[contact] ?? 0
            let chain = positions[start..<(start + (counts[contact] ?? 0))].sorted { (rows[Int($0 - 1)].time, $0) > (rows[Int($1 - 1)].time, $1) }
            try body(contact, chain.map { record(at: Int($0 - 1)) })
        }
    }

    /// The id index chunks of `range` (``ColdIdIndex``), in id order: `body` gets each chunk's
    /// call count and encoded content.
    /// - Complexity: O(calls in range).
    public func coldIndexChunks(_ range: ClosedRange<CallID>, callsPerChunk: Int = ColdIdIndex.callsPerChunk, _ body: (Int, [UInt8]) throws -> Void) rethrows {
        var first = range.lowerBound
        while first <= range.upperBound {
            let last = Swift.min(range.upperBound, first + CallID(callsPerChunk) - 1)
            try body(Int(last - first + 1), ColdIdIndex.encodeChunk((first...last).map { record(at: Int($0 - 1)) }))
            first = last + 1
        }
    }

    /// Makes `segment`'s calls cold: their rows' storage and texts are let go, their contacts'
    /// chains keep only hot calls. False (nothing changed) unless the segment continues the cold
    /// calls and covers only logged calls.
    /// - Complexity: O(calls moved + hot calls of their contacts).
    mutating func freeze(_ segment: ColdSegment) -> Bool {
        guard segment.firstCall == cold.through + 1, segment.lastCall >= segment.firstCall, segment.lastCall <= CallID(rows.count) else { return false }
        generation += 1
        // Sorted and deduplicated rather than hashed: one allocation for a million contacts.
        var contacts: [UInt32] = []
        contacts.reserveCapacity(segment.callCount)
        for id in segment.firstCall...segment.lastCall {
            let row = rows[Int(id - 1)]
            if row.contact != 0 { contacts.append(row.contact) }
            if row.text != 0 { texts[Int(row.text - 1)] = Texts() }
        }
        contacts.sort()
        let last = UInt32(segment.lastCall)
        var previous: UInt32 = 0
        for contact in contacts where contact != previous {
            previous = contact
            unlinkCold(of: contact, through: last)
        }
        cold.through = segment.lastCall
        cold.segments.append(segment)
        rows.releaseChunks(below: Int(segment.lastCall))
        // Texts of hot calls may sit anywhere (an undone erasure appends them): keep from the lowest.
        var lowestText = texts.count
        var index = Int(segment.lastCall)
        while index < rows.count {
            let text = rows[index].text
            if text != 0 { lowestText = Swift.min(lowestText, Int(text - 1)) }
            index += 1
        }
        texts.releaseChunks(below: lowestText)
        return true
    }

    /// Drops calls `through` and below from `contact`'s chain, in place: the hot calls keep
    /// their order, and a row is written only where its link changes (a row a snapshot's view
    /// shares is copied only then).
    /// - Complexity: O(the contact's calls).
    private mutating func unlinkCold(of contact: UInt32, through last: UInt32) {
        var head: UInt32 = 0, tail: UInt32 = 0
        var next = newest[contact] ?? 0
        while next != 0 {
            let older = rows[Int(next - 1)].older
            if next > last {
                if tail == 0 {
                    head = next
                } else if rows[Int(tail - 1)].older != next {
                    rows[Int(tail - 1)].older = next
                }
                tail = next
            }
            next = older
        }
        guard tail != 0 else {
            newest.removeValue(forKey: contact)
            return
        }
        if rows[Int(tail - 1)].older != 0 { rows[Int(tail - 1)].older = 0 }
        if newest[contact] != head { newest[contact] = head }
    }

    /// Puts `segment` in place of the one of the same id range (a rewrite that folded in moves
    /// and erasures): moved entries of its range and erased contacts no segment stores go.
    /// False (nothing changed) when no segment has that range.
    mutating func replaceColdSegment(_ segment: ColdSegment) -> Bool {
        guard let index = cold.segments.firstIndex(where: { $0.firstCall == segment.firstCall && $0.lastCall == segment.lastCall }) else { return false }
        generation += 1
        cold.segments[index] = segment
        for (id, entry) in cold.moved where segment.covers(id) {
            cold.moved[id] = nil
            if entry.owner != 0 {
                cold.arrivals[entry.owner]?.remove(id)
                if cold.arrivals[entry.owner]?.isEmpty == true { cold.arrivals[entry.owner] = nil }
            }
        }
        for (contact, through) in cold.erasedContacts where !cold.segments.contains(where: { $0.lastCall <= through && $0.extent(of: contact) != nil }) {
            cold.erasedContacts[contact] = nil
        }
        return true
    }

    /// The page of a contact with cold calls when its hot calls alone decide it: every call the
    /// page holds (and the one after it, for `more`) is hot and no older than the newest cold call
    /// that could be the contact's, so no block is read. Nil when the page reaches the cold calls
    /// (or calls moved to the contact, whose times are not in memory).
    func hotPage(of contact: ContactID, after: CallID?, since: Timestamp?, limit: Int) -> (calls: [CallRecord], more: Bool)? {
        let key = UInt32(contact)
        guard cold.arrivals[key] == nil else { return nil }
        var coldNewest = Timestamp.min
        for segment in cold.segments where segment.extent(of: key) != nil { coldNewest = Swift.max(coldNewest, segment.newestAt) }
        var next = newest[key] ?? 0
        if let after {
            guard after > cold.through, after <= CallID(rows.count), rows[Int(after - 1)].contact == key else { return nil }
            next = rows[Int(after - 1)].older
        }
        var page: [CallRecord] = []
        // A hot call at the newest cold call's time is still newer: hot ids are above every cold id.
        while next != 0, rows[Int(next - 1)].time >= coldNewest {
            let row = rows[Int(next - 1)]
            if let since, row.time < since { return (page, false) }
            if page.count == limit { return (page, true) }
            page.append(record(at: Int(next - 1)))
            next = row.older
        }
        return nil
    }

    /// `contact`'s calls hot and cold merged, newest first, paged as ``calls(of:after:since:limit:)``.
    func mergedCalls(of contact: ContactID, after: CallID?, since: Timestamp?, limit: Int) throws(CallsheetError) -> (calls: [CallRecord], more: Bool) {
        var all = try cold.calls(of: UInt32(contact))
        var next = newest[UInt32(contact)] ?? 0
        while next != 0 {
            all.append(record(at: Int(next - 1)))
            next = rows[Int(next - 1)].older
        }
        all.sort { ($0.at, $0.id) > ($1.at, $1.id) }
        var start = 0
        if let after {
            guard let index = all.firstIndex(where: { $0.id == after }) else { return ([], false) }
            start = index + 1
        }
        var page: [CallRecord] = []
        for call in all[start...] {
            if let since, call.at < since { break }
            if page.count == limit { return (page, true) }
            page.append(call)
        }
        return (page, false)
    }

    /// The cold part of ``scan(before:visitLimit:matching:_:)``: ids `through` and below, newest first.
    func scanCold(
        through: CallID, visited: Int, visitLimit: Int, matching: (CallRecord) -> Bool, _ body: (CallRecord) -> Bool
    ) throws(CallsheetError) -> (lastVisited: CallID?, exhausted: Bool) {
        var visited = visited
        var upper = through
        for segment in cold.segments.reversed() where segment.firstCall <= upper {
            let top = Swift.min(upper, segment.lastCall)
            let stop = if let index = try cold.idIndex(of: segment) {
                try scanIndexed(segment, index, top: top, visited: &visited, visitLimit: visitLimit, matching: matching, body)
            } else {
                try scanWindows(segment, top: top, visited: &visited, visitLimit: visitLimit, matching: matching, body)
            }
            if let stop { return (stop, false) }
            upper = segment.firstCall - 1
        }
        return (nil, true)
    }

    /// Ids `top` down to the segment's first through its id index: one chunk decoded at a time,
    /// a block read only for an accepted call with texts. Returns where the scan stopped, nil
    /// when it went through the segment.
    private func scanIndexed(
        _ segment: ColdSegment, _ index: ColdIdIndex, top: CallID, visited: inout Int, visitLimit: Int,
        matching: (CallRecord) -> Bool, _ body: (CallRecord) -> Bool
    ) throws(CallsheetError) -> CallID? {
        var top = top
        while true {
            let (number, first) = index.chunk(holding: top, of: segment)
            let entries = try cold.indexChunk(number, of: index, in: segment)
            var id = top
            while true {
                guard visited < visitLimit else { return id + 1 }
                visited += 1
                let entry = entries[Int(id - first)]
                let owner = cold.owner(of: id, stored: entry.stored)
                var call = ColdCalls.present(entry.call, owner: owner)
                if matching(call) {
                    // Erased calls have no texts to show.
                    if entry.hasTexts, owner != 0 { call = try cold.call(id, stored: entry.stored, in: segment) }
                    if !body(call) { return id }
                }
                if id == first { break }
                id -= 1
            }
            if first == segment.firstCall { return nil }
            top = first - 1
        }
    }

    /// Ids `top` down to the segment's first without an id index (file version 1): a window of
    /// ``coldScanWindow`` ids at a time, every block of the segment read for each.
    private func scanWindows(
        _ segment: ColdSegment, top: CallID, visited: inout Int, visitLimit: Int,
        matching: (CallRecord) -> Bool, _ body: (CallRecord) -> Bool
    ) throws(CallsheetError) -> CallID? {
        var top = top
        while true {
            let bottom = Swift.max(segment.firstCall, top >= Self.coldScanWindow ? top - Self.coldScanWindow + 1 : 1)
            var window = try cold.calls(in: segment, window: bottom...top)
            window.sort { $0.id > $1.id }
            for call in window {
                guard visited < visitLimit else { return call.id + 1 }
                visited += 1
                if matching(call), !body(call) { return call.id }
            }
            if bottom == segment.firstCall { return nil }
            top = bottom - 1
        }
    }

    /// Cold calls `ids` of `from` become `to`'s (a merge or unmerge); no block is read.
    mutating func moveCold(_ ids: [CallID], from: ContactID, to: ContactID) {
        for id in ids {
            let stored = cold.moved[id]?.stored ?? UInt32(truncatingIfNeeded: from)
            if stored == UInt32(to), !cold.isErased(stored: stored, id: id) {
                // Back where it is stored: nothing to remember.
                cold.setOwner(id, stored: stored, owner: 0)
                cold.moved[id] = nil
            } else {
                cold.setOwner(id, stored: stored, owner: UInt32(to))
            }
        }
    }

    /// Erases `contact`'s cold calls without reading them: calls stored under it are erased as a
    /// whole, calls moved to it one by one. Returns stubs for ``restoreCold(_:)`` (id 0: the
    /// calls stored under the contact, its `at` the previous erasure's range or -1; other ids:
    /// calls moved to it). Never journaled.
    mutating func eraseCold(of contact: ContactID) -> [CallRecord] {
        guard !cold.segments.isEmpty else { return [] }
        let key = UInt32(contact)
        func stub(_ id: CallID, at: Timestamp = 0) -> CallRecord {
            CallRecord(id: id, contactID: contact, at: at, durationSeconds: 0, outcome: "", agentID: 0, kind: .manual)
        }
        var stubs: [CallRecord] = []
        if cold.segments.contains(where: { $0.extent(of: key) != nil }), cold.erasedContacts[key] != cold.through {
            stubs.append(stub(0, at: cold.erasedContacts[key].map { Timestamp($0) } ?? -1))
            cold.erasedContacts[key] = cold.through
        }
        for id in (cold.arrivals[key] ?? []).sorted() {
            guard let entry = cold.moved[id] else { continue }
            cold.setOwner(id, stored: entry.stored, owner: 0)
            stubs.append(stub(id))
        }
        return stubs
    }

    /// Undoes ``eraseCold(of:)`` with its stubs.
    mutating func restoreCold(_ stubs: [CallRecord]) {
        for stub in stubs {
            if stub.id == 0 {
                cold.erasedContacts[UInt32(truncatingIfNeeded: stub.contactID)] = stub.at < 0 ? nil : CallID(stub.at)
            } else if let entry = cold.moved[stub.id] {
                cold.setOwner(stub.id, stored: entry.stored, owner: UInt32(truncatingIfNeeded: stub.contactID))
            }
        }
    }
}

/// The call log as it was before a cold move or a segment rewrite: their undo when the journal
/// fails (never journaled). Compared by its cold range only.
public struct CallLogUndo: Sendable, Hashable {
    let log: CallLog

    public static func == (left: CallLogUndo, right: CallLogUndo) -> Bool {
        left.log.cold.through == right.log.cold.through && left.log.count == right.log.count && left.log.cold.segments == right.log.cold.segments
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(log.cold.through)
        hasher.combine(log.count)
    }
}

extension OrganizationState {
    /// Gives the call log read access to its organization's cold segments (the store does, for
    /// a state with a data directory).
    public mutating func attachColdReader(_ reader: any ColdBlockReader) {
        calls.cold.reader = reader
    }
}
