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
        /// Segments written with an id index (file version 2).
        var indexes: [UInt32: ColdIdIndex] = [:]
        /// Block reads so far (a class: the reader is copied into the log).
        let reads = Counter()

        final class Counter: @unchecked Sendable { var value = 0 }

        func block(_ extent: ColdExtent, of segment: ColdSegment) throws(CallsheetError) -> [UInt8] {
            guard let bytes = blocks[UInt64(segment.id) << 32 | UInt64(extent.offset)] else { throw CallsheetError(.unavailable, "no block") }
            reads.value += 1
            return bytes
        }

        func idIndex(of segment: ColdSegment) throws(CallsheetError) -> ColdIdIndex? { indexes[segment.id] }
    }

    /// Moves the calls `coldFreezeRange` offers into a new in-memory segment.
    static func freeze(_ log: inout CallLog, _ blocks: inout MemoryBlocks, before cutoff: Timestamp, limit: Int, indexChunk: Int? = nil) -> Int {
        guard let range = log.coldFreezeRange(before: cutoff, limit: limit) else { return 0 }
        let segment = Self.segment(of: log, range, into: &blocks, indexChunk: indexChunk)
        log.cold.reader = blocks
        let applied = log.freeze(segment)
        #expect(applied)
        return range.count
    }

    /// The segment of `range`, its blocks kept in `blocks`.
    /// With `indexChunk`, an id index of chunks of that many ids follows the blocks.
    static func segment(of log: CallLog, _ range: ClosedRange<CallID>, into blocks: inout MemoryBlocks, indexChunk: Int? = nil) -> ColdSegment {
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
        if let indexChunk {
            var chunks: [ColdExtent] = []
            for first in stride(from: range.lowerBound, through: range.upperBound, by: indexChunk) {
                let ids = first...min(range.upperBound, first + CallID(indexChunk) - 1)
                let bytes = ColdIdIndex.encodeChunk(ids.map { log.record(at: Int($0 - 1)) })
                blocks.blocks[UInt64(id) << 32 | UInt64(offset)] = bytes
                chunks.append(ColdExtent(contact: 0, count: UInt32(ids.count), offset: offset, length: UInt32(bytes.count)))
                offset += UInt32(bytes.count)
            }
            blocks.indexes[id] = ColdIdIndex(callsPerChunk: indexChunk, chunks: chunks)
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

    @Test("a page of the id-ordered scan inside an indexed segment reads one index chunk and the blocks of its calls with texts, not every block")
    func indexedScanReadsWhatThePageNeeds() throws {
        var log = CallLog()
        for id in 1...5_000 {
            log.append(CallRecord(
                id: CallID(id), contactID: ContactID(id % 50 + 1), at: Timestamp(id), durationSeconds: 1, outcome: id % 3 == 0 ? "busy" : "completed",
                agentID: UserID(id % 4 + 1), kind: .manual, notes: id % 10 == 0 ? "note \(id)" : nil))
        }
        let before = log
        for indexed in [false, true] {
            var cold = before
            var blocks = MemoryBlocks()
            _ = Self.freeze(&cold, &blocks, before: 4_001, limit: 4_000, indexChunk: indexed ? ColdIdIndex.callsPerChunk : nil)
            #expect(cold.cold.through == 4_000)
            blocks.reads.value = 0
            var page: [CallRecord] = []
            let (stopped, exhausted) = try cold.scan(before: 3_901, matching: { $0.outcome == "busy" }) { call in
                guard page.count < 10 else { return false }
                page.append(call)
                return true
            }
            let busy: [CallID] = Array(stride(from: CallID(3_900), through: 3_873, by: -3))
            #expect(page.map(\.id) == busy)
            #expect(page.map(Optional.some) == page.map { before[$0.id] }, "texts included")
            #expect(!exhausted && stopped == page.last.map { $0.id - 3 })
            if indexed {
                // One chunk, plus the blocks of the accepted calls with notes (ids divisible by 10):
                // the page's and the one that ended it.
                let withNotes = (page.map(\.id) + [stopped ?? 0]).filter { $0 % 10 == 0 }.count
                #expect(withNotes == 2 && blocks.reads.value == 1 + withNotes, "\(blocks.reads.value) reads")
            } else {
                #expect(blocks.reads.value >= 50, "every block of the segment: \(blocks.reads.value) reads")
            }
        }
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
                // Segments with and without an id index (small chunks: several a segment), mixed.
                let indexChunk = [nil, 7, ColdIdIndex.callsPerChunk][Int.random(in: 0..<3, using: &random)]
                frozen += Self.freeze(&log, &blocks, before: Timestamp(step * 2 - 200), limit: Int.random(in: 1...300, using: &random), indexChunk: indexChunk)
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
                // A filter (CALL.LIST's AGENT, or a contact) sees calls without texts; accepted ones come whole.
                let agent = UserID(step % 5 + 1), owner = ContactID(step % 40 + 1)
                for (label, matching) in [("agent", { (call: CallRecord) in call.agentID == agent }), ("contact", { $0.contactID == owner })] {
                    var filtered: [CallRecord] = []
                    before = nil
                    for _ in 0...(model.count + 2) {
                        let (stopped, exhausted) = try log.scan(before: before, visitLimit: 61, matching: matching) { call in
                            filtered.append(call)
                            return filtered.count % 5 != 0
                        }
                        if exhausted { break }
                        before = stopped
                    }
                    #expect(filtered == model.reversed().filter(matching), "seed \(seed) step \(step): the scan filtered by \(label)")
                }
            }
        }
        #expect(frozen > 300, "seed \(seed): only \(frozen) calls went cold; the test proves little")
    }
}
