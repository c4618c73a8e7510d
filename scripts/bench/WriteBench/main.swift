// Write benchmark (issue 12): builds one organization of N generated contacts in-process, then
// times writes to random existing contacts through the shard's write path (plan against the
// state, reply JSON, apply with undo list, journal record encoded; no journal I/O).
// Run by hand: scripts/bench/writes.sh [N] [OPS]. Not a test.
import CallsheetCore
import CallsheetStore
import ContactGenerator
import Foundation

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
let operations = arguments.count > 2 ? Int(arguments[2]) ?? 20_000 : 20_000
/// The benchmark's fixed settings.
enum Bench {
    static let departments = 2
    static let created: Timestamp = 1_764_000_000_000
}
let departments = Bench.departments
let created = Bench.created

@Sendable func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// SplitMix64: the ids each kind of write picks, the same in every run.
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

// 1. One organization of N contacts with unique phones, loaded as a snapshot load does.
let baseline = ProcessMemory.residentBytes()
var generator = ContactGenerator(seed: 42, duplicatePhoneRate: 0)
var state = OrganizationState(organization: Organization(id: 1, name: "Bench", defaultRegion: "US", createdAt: 0))
state.apply((1...departments).map { .putDepartment(Department(id: DepartmentID($0), name: "Department \($0)")) })
let loadStart = now()
var phones: Set<String> = []
var changes: [Change] = []
changes.reserveCapacity(count)
for generated in generator.contacts(count: count) where phones.insert(generated.e164).inserted {
    let id = ContactID(changes.count + 1)
    changes.append(.putContact(Contact(
        id: id, organizationID: 1, departmentID: DepartmentID(1 + Int(id) % departments), createdByUserID: 1,
        name: generated.name, phone: generated.e164, email: generated.email, company: generated.company,
        tags: generated.tags, notes: generated.notes, createdAt: created, updatedAt: created)))
}
phones = []
state.apply(changes)
changes = []
let contactCount = state.contacts.count
print("contacts: \(contactCount) in \(departments) departments, loaded in \(String(format: "%.1f", now() - loadStart)) s, \((ProcessMemory.residentBytes() - baseline) / max(contactCount, 1)) B resident per contact")
print("  of which: contact slots \(state.contacts.memoryFootprint / max(contactCount, 1)) B (the Contact values, not their strings' heap), text index \(state.textIndex.memoryFootprint / max(contactCount, 1)) B; MemoryLayout<Contact>.stride \(MemoryLayout<Contact>.stride) B")

// 2. Writes to random existing contacts, one kind at a time, as the server runs them.
let shard = OrganizationShard(state: state, journal: nil)
state = OrganizationState(organization: state.organization)
enum Kind: String, CaseIterable, Sendable {
    case logCall = "CONTACT.LOGCALL <id> <outcome>"
    case updateNotes = "CONTACT.UPDATE <id> {\"notes\":…}"
    case updateTags = "CONTACT.UPDATE <id> {\"tags\":[…]} (one tag added or removed)"
    case moveDepartment = "CONTACT.UPDATE <id> {\"department_id\":…}"

    /// The kinds to run: all, or those `KINDS` names (`logCall,updateNotes,updateTags,moveDepartment`),
    /// so that a profile can hold one kind alone.
    static var selected: [Kind] {
        guard let names = ProcessInfo.processInfo.environment["KINDS"] else { return allCases }
        let wanted = Set(names.split(separator: ",").map(String.init))
        return allCases.filter { wanted.contains("\($0)") }
    }
}

/// Runs `operations` writes of one kind on random existing contacts; returns seconds and mean record bytes.
func runWrites(_ kind: Kind, on shard: OrganizationShard, contacts contactCount: Int, operations: Int) async throws -> (seconds: Double, recordBytes: Int) {
    let admin = Caller(userID: 1, name: "admin", role: .admin, departmentID: nil)
    let outcomes = ["completed", "no-answer", "voicemail", "busy"]
    let vocabulary = ContactGenerator.tagVocabulary
    let departments = Bench.departments
    var random = SplitMix(state: 7)
    var clock = Bench.created + 1_000_000
    var recordBytes = 0
    let start = now()
    for round in 0..<operations {
        let id = ContactID.random(in: 1...ContactID(contactCount), using: &random)
        let pick = Int.random(in: 0..<1_000, using: &random)
        clock += 1
        let context = PlanningContext(now: clock)
        let written = try await shard.write { state throws(CallsheetError) -> (changes: [Change], result: [Change]) in
            let contact: Contact
            switch kind {
            case .logCall:
                // As the server journals it: the call (its history) and the call fields alone.
                let (changes, _, called, _) = try state.planCall(id, .object([("outcome", .string(outcomes[pick % outcomes.count]))]), by: admin, context: context)
                _ = state.contactJSON(called, for: .admin)
                return (changes, changes)
            case .updateNotes:
                contact = try state.planUpdate(id, .object([("notes", .string("called back, round \(round)"))]), by: admin, context: context)
            case .updateTags:
                var tags = state.contacts[id]?.tags ?? []
                let tag = vocabulary[pick % vocabulary.count]
                if let index = tags.firstIndex(of: tag) { tags.remove(at: index) } else { tags.append(tag) }
                contact = try state.planUpdate(id, .object([("tags", .array(tags.map { .string($0) }))]), by: admin, context: context)
            case .moveDepartment:
                let department = Int64(1 + (Int(state.contacts[id]?.departmentID ?? 1) % departments))
                contact = try state.planUpdate(id, .object([("department_id", .integer(department))]), by: admin, context: context)
            }
            _ = state.contactJSON(contact, for: .admin)
            // As the shard journals it: the fields that changed (change tag 13).
            return ([.putContact(contact)], Change.patches([.putContact(contact)], against: state))
        }
        recordBytes += RecordCodec.encode(ChangeSet(organizationID: 1, changes: written)).count
    }
    return (now() - start, recordBytes / max(operations, 1))
}

print("write\twrites\twrites/s\tµs per write\tjournal record bytes (mean)")
for kind in Kind.selected {
    let (seconds, recordBytes) = try await runWrites(kind, on: shard, contacts: contactCount, operations: operations)
    print("\(kind.rawValue)\t\(operations)\t\(Int(Double(operations) / seconds))\t\(String(format: "%.1f", seconds / Double(operations) * 1e6))\t\(recordBytes)")
}
// 3. The first write after a copy of the organization: what `SNAPSHOT` takes before it encodes
// the copy off the actor. Copy-on-write makes that write pay for what it has to copy.
print("\nfirst write after a snapshot's copy of the organization, 5 trials a kind")
print("write\tmean µs\tmax µs")
for kind in Kind.selected {
    var worst = 0.0
    var total = 0.0
    for _ in 0..<5 {
        let view = try await shard.read { $0 }
        let (seconds, _) = try await runWrites(kind, on: shard, contacts: contactCount, operations: 1)
        withExtendedLifetime(view) {}
        worst = max(worst, seconds)
        total += seconds
    }
    print("\(kind.rawValue)\t\(String(format: "%.0f", total / 5 * 1e6))\t\(String(format: "%.0f", worst * 1e6))")
}
let problems = arguments.contains("--check") ? await shard._checkInvariants() : []
if !problems.isEmpty { print("INVARIANTS BROKEN: \(problems.prefix(5))"); exit(1) }
