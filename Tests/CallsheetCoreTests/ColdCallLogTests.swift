@testable import CallsheetCore
import TestSupport
import Testing

/// The call log with cold segments (blocks kept in memory here) against a brute-force model:
/// appends, undos, moves, erasures, restores and cold moves in random order, and every read —
/// history, pages, SINCE, counts, the id-ordered scan — agrees with the model.
@Suite struct ColdCallLogTests {
    /// Blocks by segment and offset, as a segment file would hold them.
    struct MemoryBlocks: ColdBlockReader {
        var blocks: [UInt64: [UInt8]] = [:]

        func block(_ extent: ColdExtent, of segment: ColdSegment) throws(CallsheetError) -> [UInt8] {
            guard let bytes = blocks[UInt64(segment.id) << 32 | UInt64(extent.offset)] else { throw CallsheetError(.unavailable, "no block") }
            return bytes
        }
    }

    /// Moves the calls `coldFreezeRange` offers into a new in-memory segment.
    static func freeze(_ log: inout CallLog, _ blocks: inout MemoryBlocks, before cutoff: Timestamp, limit: Int) -> Int {
        guard let range = log.coldFreezeRange(before: cutoff, limit: limit) else { return 0 }
        let segment = Self.segment(of: log, range, into: &blocks)
        log.cold.reader = blocks
        let applied = log.freeze(segment)
        #expect(applied)
        return range.count
    }

    /// The segment of `range`, its blocks kept in `blocks`.
    static func segment(of log: CallLog, _ range: ClosedRange<CallID>, into blocks: inout MemoryBlocks) -> ColdSegment {
        let id = UInt32(log.cold.segments.count + 1)
        var extents: [ColdExtent] = []
        var offset: UInt32 = 8
        var newest = Timestamp.min
        log.coldBlocks(range) { contact, records in
            let bytes = ColdBlock.encode(records)
            blocks.blocks[UInt64(id) << 32 | UInt64(offset)] = bytes
            extents.append(ColdExtent(contact: contact, count: UInt32(records.count), offset: offset, length: UInt32(bytes.count)))
            offset += UInt32(bytes.count)
            newest = max(newest, records.map(\.at).max() ?? newest)
        }
        return ColdSegment(id: id, firstCall: range.lowerBound, lastCall: range.upperBound, newestAt: newest, bytes: UInt64(offset), checksum: 0, extents: extents)
    }

    @Test("a cold move's undo (the journal failed) puts the call log back whole; its change round-trips through the codec")
    func undoOfAColdMove() throws {
        var state = OrganizationState(organization: Organization(id: 1, name: "T", defaultRegion: "US", createdAt: 0))
        for id in 1...3_000 {
            _ = state.apply(.logCall(CallRecord(
                id: CallID(id), contactID: ContactID(id % 7 + 1), at: Timestamp(id), durationSeconds: 1, outcome: "completed", agentID: 1, kind: .manual, notes: "n\(id)")))
        }
        let before = state.calls
        var blocks = MemoryBlocks()
        let segment = Self.segment(of: state.calls, 1...2_500, into: &blocks)
        state.attachColdReader(blocks)
        let change = Change.freezeCalls(segment)
        #expect(try RecordCodec.decodeChangeSet(RecordCodec.encode(ChangeSet(organizationID: 1, changes: [change]))).changes == [change])
        let undo = state.apply(change)
        #expect(state.calls.cold.through == 2_500 && state.calls.memoryFootprint < before.memoryFootprint / 2)
        #expect(try state.calls.calls(of: 3) == before.calls(of: 3))
        _ = state.apply(undo)
        #expect(state.calls == before && state.calls.cold.segments.isEmpty)
        #expect(try state.calls.calls(of: 3) == before.calls(of: 3))
    }

    @Test("hot and cold calls agree with a brute-force model through appends, undos, moves, erasures, restores and cold moves", arguments: [UInt64(1), 2, 3, 4])
    func modelEquivalence(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var log = CallLog()
        var blocks = MemoryBlocks()
        var model: [CallRecord] = []
        var frozen = 0
        for step in 0..<2_000 {
            let contact = ContactID(Int.random(in: 1...40, using: &random))
            switch Int.random(in: 0..<22, using: &random) {
            case 0..<14:
                // Mostly increasing times, so that runs of old calls form; some logged late.
                let base = step * 2
                let at = Timestamp(Int.random(in: 0..<8, using: &random) == 0 ? Int.random(in: 0...max(1, base), using: &random) : base + Int.random(in: 0...20, using: &random))
                let call = CallRecord(
                    id: log.nextID, contactID: contact, at: at, durationSeconds: Int.random(in: 0...600, using: &random),
                    outcome: "o\(Int.random(in: 0...3, using: &random))", agentID: UserID(Int.random(in: 1...5, using: &random)), kind: .manual,
                    notes: Bool.random(using: &random) ? "note \(step)" : nil, recordingURL: Bool.random(using: &random) ? "https://r/\(step)" : nil)
                guard log.insertionDepth(of: call) != nil else { continue }
                log.append(call)
                model.append(call)
            case 14..<15:
                guard let last = model.last, last.id > log.cold.through else { continue }
                log.removeLast(last.id)
                model.removeLast()
            case 15..<17:
                let to = ContactID(Int.random(in: 1...40, using: &random))
                let ids = CallLogTests.history(model, of: contact).map(\.id)
                log.move(ids, from: contact, to: to)
                for index in model.indices where ids.contains(model[index].id) { model[index].contactID = to }
            case 17..<19:
                let erased = log.erase(of: contact)
                if Bool.random(using: &random) {
                    log.restore(erased)
                } else {
                    for index in model.indices where model[index].contactID == contact && !model[index].erased {
                        model[index].contactID = 0
                        model[index].notes = nil
                        model[index].recordingURL = nil
                        model[index].erased = true
                    }
                }
            default:
                frozen += Self.freeze(&log, &blocks, before: Timestamp(step * 2 - 200), limit: Int.random(in: 1...300, using: &random))
            }
            if step % 200 == 199 {
                #expect(log.count == model.count)
                for record in model where record.id > log.cold.through { #expect(log[record.id] == record, "seed \(seed) step \(step) call \(record.id)") }
                for contact in 1...40 {
                    let expected = CallLogTests.history(model, of: ContactID(contact))
                    #expect(try log.calls(of: ContactID(contact)) == expected, "seed \(seed) step \(step) contact \(contact)")
                    #expect(try log.count(of: ContactID(contact)) == expected.count)
                    #expect(log.ids(of: ContactID(contact)) == expected.map(\.id))
                    for limit in [1, 3] {
                        var paged: [CallRecord] = []
                        var cursor: CallID?
                        // Bounded: a cursor that repeats a page must fail the test, not hang it.
                        for _ in 0...(expected.count + 1) {
                            let (page, more) = try log.calls(of: ContactID(contact), after: cursor, since: nil, limit: limit)
                            paged += page
                            guard more, let last = page.last else { break }
                            cursor = last.id
                        }
                        #expect(paged == expected, "seed \(seed) step \(step) contact \(contact) pages of \(limit)")
                    }
                    let since = Timestamp(step)
                    #expect(try log.calls(of: ContactID(contact), after: nil, since: since, limit: .max).calls == expected.filter { $0.at >= since })
                }
                // The id-ordered scan (CALL.LIST) over hot and cold, with a visit limit that cuts it.
                var scanned: [CallRecord] = []
                var before: CallID?
                for _ in 0...(model.count + 2) {
                    let (stopped, exhausted) = try log.scan(before: before, visitLimit: 97) { call in
                        scanned.append(call)
                        return true
                    }
                    if exhausted { break }
                    before = stopped
                }
                #expect(scanned == model.reversed(), "seed \(seed) step \(step): the scan")
            }
        }
        #expect(frozen > 300, "seed \(seed): only \(frozen) calls went cold; the test proves little")
    }
}
