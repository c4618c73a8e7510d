// Call history and do-not-call benchmark (issue 14), in-process. Not a test; run by hand:
//   swift build -c release --product callsheet-call-bench
//   .build/release/callsheet-call-bench [CONTACTS] [CALLS] [DNC NUMBERS]
// 1. Resident bytes a call costs: a call log of CALLS calls (no notes) over CONTACTS contacts,
//    RSS measured before and after, and the log's own accounting.
// 2. CALL.HISTORY of one contact (newest 50, rendered as the reply), p50/p99/max over 100,000
//    random contacts; CALL.LIST pages.
// 3. DNC.CHECK with DNC NUMBERS listed numbers and 1,000 prefixes: p50/p99/max over 1,000,000
//    checks (as the server answers it: parse, match, render).
// 2b. Cold storage: the oldest half of the calls moved into a segment file; resident bytes hot
//    and cold, CALL.HISTORY again (every contact then has cold calls), a CALL.LIST page of cold calls.
import CallsheetCore
import CallsheetStore
import Foundation

/// glibc's `malloc_trim` (not in the Glibc module): hands freed heap pages back, so RSS shows
/// what the cold move released.
@_silgen_name("malloc_trim") func mallocTrim(_ pad: Int) -> Int32

let arguments = CommandLine.arguments
let contactCount = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
let callCount = arguments.count > 2 ? Int(arguments[2]) ?? 20_000_000 : 20_000_000
let dncCount = arguments.count > 3 ? Int(arguments[3]) ?? 1_000_000 : 1_000_000

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func nanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
func percentiles(_ samples: inout [UInt64]) -> String {
    samples.sort()
    func at(_ q: Double) -> Double { Double(samples[min(samples.count - 1, Int(Double(samples.count) * q))]) / 1000 }
    return String(format: "p50 %.2f µs, p99 %.2f µs, max %.1f µs", at(0.5), at(0.99), Double(samples.last ?? 0) / 1000)
}

var random = SplitMix(state: 14)
let outcomes = ["completed", "no-answer", "voicemail", "busy", "wrong-number", "callback"]
let start: Timestamp = 1_700_000_000_000

// 1. The call log.
var state = OrganizationState(organization: Organization(id: 1, name: "Bench", defaultRegion: "US", createdAt: 0))
let before = ProcessMemory.residentBytes()
var clock = nanoseconds()
// The first 5% of contacts ("cold contacts") are called only in the first half of the time span,
// so the cold move below leaves them with cold calls only; the others get calls throughout.
let coldContacts = max(1, contactCount / 20)
for id in 1...callCount {
    let contact = id <= callCount / 2 || contactCount == 1
        ? ContactID.random(in: 1...ContactID(contactCount), using: &random)
        : ContactID.random(in: ContactID(coldContacts + 1)...ContactID(contactCount), using: &random)
    state.apply(.logCall(CallRecord(
        id: CallID(id), contactID: contact, at: start + Timestamp(id) * 60_000, durationSeconds: Int.random(in: 0...900, using: &random),
        outcome: outcomes[Int.random(in: 0..<outcomes.count, using: &random)], agentID: UserID.random(in: 1...200, using: &random),
        kind: .manual)))
}
let appendSeconds = Double(nanoseconds() - clock) / 1e9
let resident = ProcessMemory.residentBytes() - before
print("calls: \(callCount) over \(contactCount) contacts, appended in \(String(format: "%.1f", appendSeconds)) s (\(Int(Double(callCount) / appendSeconds)) calls/s)")
print("  resident: \(resident / 1_048_576) MiB, \(String(format: "%.1f", Double(resident) / Double(callCount))) B per call; the log's own accounting \(String(format: "%.1f", Double(state.calls.memoryFootprint) / Double(callCount))) B per call (row stride 36 B)")

// 2. CALL.HISTORY of one contact, rendered.
let caller = Caller(userID: 1, name: "admin", role: .admin, departmentID: nil)
var samples: [UInt64] = []
samples.reserveCapacity(100_000)
var calls = 0
for _ in 0..<100_000 {
    let contact = ContactID.random(in: 1...ContactID(contactCount), using: &random)
    clock = nanoseconds()
    let page = try state.calls.calls(of: contact, after: nil, since: nil, limit: 50)
    var json = JSONWriter(capacity: 64 + page.calls.count * 200)
    state.writeCalls(page.calls, into: &json)
    samples.append(nanoseconds() - clock)
    calls += page.calls.count
}
print("CALL.HISTORY <id> (newest 50, rendered), 100,000 random contacts, \(calls / 100_000) calls each on average: \(percentiles(&samples))")
samples = []
for _ in 0..<200 {
    clock = nanoseconds()
    _ = try state.callList(OrganizationState.CallFilter(), cursor: nil, limit: 50, for: caller)
    samples.append(nanoseconds() - clock)
}
print("CALL.LIST (first page of 50, admin): \(percentiles(&samples))")

// 2b. Cold storage: the oldest half of the calls moved into a segment file (as a sweep with
// cold_call_days does), then resident bytes and CALL.HISTORY again. Every contact has about half
// of its calls cold, so every history reads one block (page cache warm: the file was just written).
// The move goes in batches of at most `ShardDirectory.coldMoveLimit` calls, each its own segment
// and its own apply, as a sweep does; the longest apply is how long the shard is held at once.
let coldDirectory = NSTemporaryDirectory() + "callsheet-call-bench-\(getpid())/cold/1"
let coldCutoff = start + Timestamp(callCount / 2 + 1) * 60_000
try FileManager.default.createDirectory(atPath: coldDirectory, withIntermediateDirectories: true)
let rowsBefore = state.calls.memoryFootprint
state.attachColdReader(ColdSegmentFiles(directory: coldDirectory))
let residentBeforeMove = ProcessMemory.residentBytes()
var writeSeconds = 0.0, freezeSeconds = 0.0, longestApply = 0.0
var segmentBytes: UInt64 = 0, extentCount = 0
while let batch = state.calls.coldFreezeRange(before: coldCutoff, limit: ShardDirectory.coldMoveLimit) {
    clock = nanoseconds()
    let segment = try ColdSegmentFiles.write(state.calls, range: batch, directory: coldDirectory, id: UInt32(state.calls.cold.segments.count + 1))
    writeSeconds += Double(nanoseconds() - clock) / 1e9
    clock = nanoseconds()
    _ = state.apply(.freezeCalls(segment))
    let applied = Double(nanoseconds() - clock) / 1e9
    freezeSeconds += applied
    longestApply = max(longestApply, applied)
    segmentBytes += segment.bytes
    extentCount += segment.extents.count
}
_ = mallocTrim(0)
let residentAfterMove = ProcessMemory.residentBytes()
let coldRange = 1...state.calls.cold.through
let hotCalls = callCount - coldRange.count
print("cold: \(coldRange.count) calls moved (ids \(coldRange.lowerBound)–\(coldRange.upperBound)) in \(state.calls.cold.segments.count) segments of at most \(ShardDirectory.coldMoveLimit), written (encode, zstd, id index, fsync) in \(String(format: "%.1f", writeSeconds)) s, \(segmentBytes / 1_048_576) MiB on disk (\(String(format: "%.1f", Double(segmentBytes) / Double(coldRange.count))) B per call), applied in \(String(format: "%.2f", freezeSeconds)) s in all, the longest apply \(String(format: "%.3f", longestApply)) s")
print("  the log's own accounting: \(String(format: "%.1f", Double(rowsBefore) / Double(callCount))) B per call before; after, \(String(format: "%.1f", Double(state.calls.memoryFootprint - state.calls.cold.memoryFootprint) / Double(hotCalls))) B per hot call and \(String(format: "%.2f", Double(state.calls.cold.memoryFootprint) / Double(coldRange.count))) B per cold call (catalogue: \(extentCount) extents, \(state.calls.cold.memoryFootprint / 1024) KiB)")
print("  resident (RSS after malloc_trim): \((residentBeforeMove - residentAfterMove) / 1_048_576) MiB released by the move")
/// CALL.HISTORY of `count` random contacts of `range`, newest `limit`, rendered.
@MainActor func history(_ label: String, contacts range: ClosedRange<ContactID>, limit: Int, count: Int = 100_000) throws {
    var samples: [UInt64] = []
    samples.reserveCapacity(count)
    var calls = 0
    for _ in 0..<count {
        let contact = ContactID.random(in: range, using: &random)
        let clock = nanoseconds()
        let page = try state.calls.calls(of: contact, after: nil, since: nil, limit: limit)
        var json = JSONWriter(capacity: 64 + page.calls.count * 200)
        state.writeCalls(page.calls, into: &json)
        samples.append(nanoseconds() - clock)
        calls += page.calls.count
    }
    print("CALL.HISTORY <id> LIMIT \(limit), \(label), \(count) random contacts, \(calls / count) calls each: \(percentiles(&samples))")
}
try history("hot contacts (hot and cold calls; the newest 10 are hot: no block read)", contacts: ContactID(coldContacts + 1)...ContactID(contactCount), limit: 10)
try history("hot contacts (hot and cold calls merged: one block read)", contacts: ContactID(coldContacts + 1)...ContactID(contactCount), limit: 50)
try history("cold contacts (every call cold: one block read)", contacts: 1...ContactID(coldContacts), limit: 50)
/// `CALL.LIST` pages of 50 from random cursors inside the cold range: each reads the id index
/// chunks its page spans (and the blocks of calls with texts: none here).
@MainActor func coldList(_ label: String, _ filter: OrganizationState.CallFilter, pages: Int = 2_000) throws {
    var samples: [UInt64] = []
    var calls = 0
    for _ in 0..<pages {
        let cursor = CallID.random(in: 2...CallID(coldRange.upperBound), using: &random)
        let clock = nanoseconds()
        let page = try state.callList(filter, cursor: cursor, limit: 50, for: caller)
        samples.append(nanoseconds() - clock)
        calls += page.count
    }
    print("CALL.LIST \(label), a page of 50 from a random cursor in the cold range, \(pages) pages (\(calls / pages) bytes each): \(percentiles(&samples))")
}
try coldList("(no filter)", OrganizationState.CallFilter())
var byAgent = OrganizationState.CallFilter()
byAgent.agent = 7
try coldList("AGENT 7 (1 call in 200 matches)", byAgent, pages: 500)
var byOutcome = OrganizationState.CallFilter()
byOutcome.outcomes = ["voicemail"]
byOutcome.since = start + Timestamp(callCount / 4) * 60_000
// Half the cursors lie before SINCE: those pages walk to the visit limit (2,000,000 calls).
try coldList("OUTCOME voicemail SINCE (a quarter in)", byOutcome, pages: 100)
try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "callsheet-call-bench-\(getpid())")

// 3. DNC.CHECK.
var entries: [DoNotCallEntry] = []
entries.reserveCapacity(dncCount)
for n in 0..<dncCount { entries.append(DoNotCallEntry(target: .phone("+1\(2_000_000_000 + n * 7)"), source: "registry", addedAt: start, addedBy: 1)) }
for n in 0..<1_000 { entries.append(DoNotCallEntry(target: .prefix("+1900\(n)"), addedAt: start, addedBy: 1)) }
state.apply(.changeDoNotCall(put: entries, remove: []))
entries = []
print("do-not-call: \(dncCount) numbers and 1,000 prefixes, the numbers' table \(String(format: "%.1f", Double(state.doNotCall.memoryFootprint) / Double(dncCount))) B per number")
let context = PlanningContext(now: start + 1)
samples = []
samples.reserveCapacity(1_000_000)
var listed = 0
for n in 0..<1_000_000 {
    let phone = "+1\(2_000_000_000 + Int.random(in: 0..<(dncCount * 14), using: &random))"
    clock = nanoseconds()
    let reply = try state.doNotCallCheckJSON(phone, for: caller, context: context)
    samples.append(nanoseconds() - clock)
    if reply.count > 80, n % 2 == 0 { listed += 1 }
}
print("DNC.CHECK <E.164> (match and render), 1,000,000 checks, about half listed: \(percentiles(&samples))")
samples = []
for _ in 0..<1_000_000 {
    let phone = "+1\(2_000_000_000 + Int.random(in: 0..<(dncCount * 14), using: &random))"
    clock = nanoseconds()
    _ = state.doNotCall.match(phone: phone, contact: nil, at: context.now)
    samples.append(nanoseconds() - clock)
}
print("  the list's match alone: \(percentiles(&samples))")

// 4. A snapshot of the call log: encode and decode the organization (no contacts, every call).
clock = nanoseconds()
var writer = BinaryWriter()
state.encode(into: &writer)
let encodeSeconds = Double(nanoseconds() - clock) / 1e9
let bytes = writer.bytes
writer = BinaryWriter()
clock = nanoseconds()
var reader = BinaryReader(bytes)
let decoded = try OrganizationState.decode(&reader)
let decodeSeconds = Double(nanoseconds() - clock) / 1e9
print("snapshot content of the call log: \(bytes.count / 1_048_576) MiB (\(String(format: "%.1f", Double(bytes.count) / Double(callCount))) B per call before zstd), encoded in \(String(format: "%.1f", encodeSeconds)) s, decoded in \(String(format: "%.1f", decodeSeconds)) s (\(decoded.calls.count) calls)")
