// Search benchmark (issue 5): loads N generated contacts into one organization in-process,
// measures the quick-search and filter queries of the issue (p50/p99 at LIMIT 50), memory per
// contact, and writes the same contacts as CSV (for SQLite) and a data directory (for the server).
// Run by hand: scripts/bench/search.sh [N]. Not a test.
import CallsheetCore
import CallsheetStore
import ContactGenerator
import Foundation
import Logging

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1]) ?? 1_000_000 : 1_000_000
let getPathOnly = arguments.contains("--get-path")
let output = arguments.count > 2 ? arguments[2] : "/tmp/callsheet-search-bench"
try? FileManager.default.removeItem(atPath: output)
try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
func resident() -> Int { ProcessMemory.residentBytes() }

// 1. Generate contacts (no repeated phones) and the CSV SQLite will load.
var generator = ContactGenerator(seed: 42, duplicatePhoneRate: 0)
let generated = generator.contacts(count: count)
var csv = "id,name,phone,email,company,tags\n"
csv.reserveCapacity(count * 120)
func quote(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

// 2. Load through the planner (validation, phone normalization, every index), as commands do.
let baseline = resident()
var state = OrganizationState(organization: Organization(id: 1, name: "Bench", defaultRegion: "US", createdAt: 0))
state.apply([.putDepartment(Department(id: 1, name: "General")), .putDepartment(Department(id: 2, name: "Sales"))])
let admin = Caller(userID: 1, name: "admin", role: .admin, departmentID: nil)
var context = PlanningContext(now: 1_764_000_000_000)
let loadStart = now()
var rejected = 0
for (index, contact) in generated.enumerated() {
    var members: [(String, JSONValue)] = [
        ("name", .string(contact.name)), ("phone", .string(contact.e164)),
        ("tags", .array(contact.tags.map { .string($0) })), ("department_id", .integer(Int64(1 + index % 2))),
    ]
    if let email = contact.email { members.append(("email", .string(email))) }
    if let company = contact.company { members.append(("company", .string(company))) }
    do {
        let planned = try state.planAdd(.object(members), by: admin, context: context)
        state.apply(.putContact(planned))
        csv += "\(planned.id),\(quote(planned.name)),\(planned.phone),\(quote(planned.email ?? "")),\(quote(planned.company ?? "")),\(quote(planned.tags.joined(separator: ",")))\n"
    } catch {
        rejected += 1
    }
    context.now += 1000
}
let loadSeconds = now() - loadStart
let afterLoad = resident()
try csv.write(toFile: output + "/contacts.csv", atomically: true, encoding: .utf8)
csv = ""

print("contacts: \(state.contacts.count) (rejected \(rejected)), load through the planner: \(String(format: "%.1f", loadSeconds)) s (\(Int(Double(state.contacts.count) / loadSeconds)) contacts/s)")
print("resident bytes per contact (whole store with indexes): \((afterLoad - baseline) / max(state.contacts.count, 1))")
print("text index estimate per contact: \(state.textIndex.memoryFootprint / max(state.contacts.count, 1)) B")

// 3a. The lookup reply path: rendering a contact as JSON, and the whole executor path of
// CONTACT.GET / CONTACT.BYPHONE on an in-memory store (no socket), per call.
do {
    let ids = Array(state.orderedIDs)
    var bytes = 0
    let renderStart = now()
    for round in 0..<200_000 {
        if let contact = state.contacts[ids[round % ids.count]] { bytes += state.contactJSON(contact, for: .admin).count }
    }
    let render = (now() - renderStart) / 200_000 * 1e9
    let memory = ShardDirectory.inMemory()
    let executor = CommandExecutor(directory: memory)
    var session = Session(isLocalOwner: true)
    _ = await executor.execute(["ORG.CREATE", "Get", "ADMIN", "getter"], session: &session)
    for contact in generated.prefix(10_000) {
        _ = await executor.execute(["CONTACT.ADD", #"{"name":"\#(contact.name)","phone":"\#(contact.e164)","tags":["VIP"]}"#], session: &session)
    }
    // As a server connection does: from a task on the cooperative pool, not the main thread.
    let owner = session
    let phones = generated.prefix(10_000).map(\.e164)
    let (get, byPhone) = await Task.detached {
        var session = owner
        let getStart = now()
        for round in 0..<200_000 {
            _ = await executor.execute(["CONTACT.GET", String(1 + round % 10_000)], session: &session)
        }
        let get = (now() - getStart) / 200_000 * 1e9
        let phoneStart = now()
        for round in 0..<200_000 {
            _ = await executor.execute(["CONTACT.BYPHONE", phones[round % phones.count]], session: &session)
        }
        return (get, (now() - phoneStart) / 200_000 * 1e9)
    }.value
    print("contact JSON render: \(Int(render)) ns; executor CONTACT.GET: \(Int(get)) ns; CONTACT.BYPHONE (E.164): \(Int(byPhone)) ns (\(bytes / 200_000) B per contact)")
}
if getPathOnly { exit(0) }

// 3. Queries, in-process, p50 / p99 over repeated runs.
let queries: [[String]] = [
    ["ohn"], ["smit"], ["mül"], ["josé"], ["garc"], ["ann"], ["schm"], ["kumar"], ["tech"], ["gmail"],
    ["zzqx"], ["lee"], ["mar"], ["o'b"], ["ng"], ["nguyen"], ["anne-marie"], ["2530"], ["415"], ["capital"],
    // Digit runs that match nothing (issue 16): longer than any stored number, and a plausible one.
    ["650253999999"], ["4155550199"], ["+44 20 7946 0958"],
    ["*", "TAGS", "ANY", "VIP,DNC,Prospect"],
    ["smit", "TAGS", "NONE", "DNC"],
    ["*", "TAGS", "ANY", "VIP", "TAGS", "NONE", "DNC", "SORT", "name"],
]
var report: [String] = []
for words in queries {
    let query = try ContactQuery.parse(words + ["LIMIT", "50"])
    var samples: [Double] = []
    var hits = 0
    let rounds = words.contains("SORT") ? 20 : 300
    for _ in 0..<rounds {
        let start = now()
        let page = try state.search(query, for: admin)
        samples.append(now() - start)
        hits = page.contacts.count
    }
    samples.sort()
    let p50 = samples[samples.count / 2] * 1e6
    let p99 = samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))] * 1e6
    var total = 0
    if !words.contains("SORT") {
        var counted = query
        counted.withTotal = true
        total = try state.search(counted, for: admin).total ?? 0
    }
    report.append("\(words.joined(separator: " "))\t\(hits)\t\(total)\t\(String(format: "%.1f", p50))\t\(String(format: "%.1f", p99))")
}
print("query\thits\ttotal matches\tp50 µs\tp99 µs")
for line in report { print(line) }
try report.joined(separator: "\n").write(toFile: output + "/inprocess.tsv", atomically: true, encoding: .utf8)

// 4. A data directory holding the same organization, for the TCP run: snapshot it.
var configuration = StoreConfiguration(directory: output + "/data")
configuration.fsyncPolicy = .no
let directory = try ShardDirectory.open(configuration, logger: Logger(label: "bench"))
let (_, secret) = try await directory.createOrganization(name: "Bench", region: "US", admin: "bench")
if let shard = await directory.shard(1) {
    // Carry the loaded contacts over in one change set per 50,000 (journaled, then snapshotted).
    let all = state.orderedIDs.compactMap { state.contacts[$0] }
    var offset = 0
    while offset < all.count {
        let chunk = all[offset..<min(offset + 50_000, all.count)].map { contact -> Change in
            var copy = contact
            copy.organizationID = 1
            copy.departmentID = 1
            return .putContact(copy)
        }
        _ = try await shard.write { _ in (changes: chunk, result: 0) }
        offset += 50_000
    }
}
let snapshot = try await directory.snapshot()
await directory.close()
try secret.write(toFile: output + "/secret", atomically: true, encoding: .utf8)
print("data directory: \(output)/data (\(snapshot["bytes"]?.serialized ?? "?") snapshot bytes); admin 'bench', secret in \(output)/secret")
