// Duplicate detection benchmark (issue 13): N generated contacts with a known share of
// corrupted copies (ContactGenerator's LabelledDuplicates), loaded into one organization
// in-process, then DUP.SCAN's grouping timed and scored against the ground truth: precision and
// recall over pairs of contacts put in one group. With an output directory, also writes the rows
// (person, name, phone, email, company) as CSV for scripts/bench/dup_peer.py.
// Run by hand: scripts/bench/duplicates.sh [N] [SHARE]. Not a test.
import CallsheetCore
import ContactGenerator
import Foundation

let arguments = CommandLine.arguments
let count = arguments.count > 1 ? Int(arguments[1]) ?? 100_000 : 100_000
let share = arguments.count > 2 ? Double(arguments[2]) ?? 0.1 : 0.1
let export = arguments.count > 3 && !arguments[3].hasPrefix("--") ? arguments[3] : nil

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
/// CPU seconds of every thread of the process so far: what a scan costs whatever else the
/// machine runs (the wall time on a busy shared machine says more about the neighbours).
func processCPU() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
/// CPU seconds of the calling thread (one probe of the candidate search).
func threadCPU() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

let generateStart = now()
var generator = LabelledDuplicates(seed: 2026, duplicateShare: share)
var state = OrganizationState(organization: Organization(id: 1, name: "Bench", defaultRegion: "US", createdAt: 0))
state.apply(.putDepartment(Department(id: 1, name: "Sales")))
var person: [ContactID: Int] = [:]
var corruptions: [String: Int] = [:]
var phones = Set<String>()
var changes: [Change] = []
var csv = "person,name,phone,email,company\n"
func quoted(_ text: String?) -> String {
    guard let text else { return "" }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
for _ in 0..<count {
    let row = generator.next()
    guard phones.insert(row.contact.e164).inserted else { continue }
    let id = ContactID(changes.count + 1)
    person[id] = row.person
    for corruption in row.corruptions { corruptions[corruption, default: 0] += 1 }
    let c = row.contact
    changes.append(.putContact(Contact(
        id: id, organizationID: 1, departmentID: 1, createdByUserID: 1, name: c.name, phone: c.e164, email: c.email,
        company: c.company, createdAt: 1_764_000_000_000, updatedAt: 1_764_000_000_000)))
    if export != nil { csv += "\(row.person),\(quoted(c.name)),\(c.e164),\(quoted(c.email)),\(quoted(c.company))\n" }
}
state.apply(changes)
changes = []
if let export {
    try csv.write(toFile: export + "/contacts.csv", atomically: true, encoding: .utf8)
    print("wrote \(export)/contacts.csv")
}
csv = ""
print("contacts: \(state.contacts.count) (people copied: \(String(format: "%.0f", share * 100))%), generated and loaded in \(String(format: "%.1f", now() - generateStart)) s")
print("corruptions: " + corruptions.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))

// What the write checks' keys cost to build from scratch (as a snapshot load does), one thread.
if arguments.contains("--keys") {
    /// Resident bytes of the process (Linux), to see what a second copy of the keys holds.
    func resident() -> Int {
        let fields = ((try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "").split(separator: " ")
        return fields.count > 1 ? (Int(fields[1]) ?? 0) * 4096 : 0
    }
    let before = resident()
    let start = now(), cpuStart = threadCPU()
    let rebuilt = DuplicateKeyIndex.built(from: state.contacts)
    let cpu = threadCPU() - cpuStart, seconds = now() - start
    print(String(format: "duplicate keys rebuilt: %.2f s (%.2f CPU-s, %.2f µs a contact), %.0f resident bytes a contact, equal to the maintained: %@",
                 seconds, cpu, cpu * 1e6 / Double(max(1, state.contacts.count)),
                 Double(resident() - before) / Double(max(1, state.contacts.count)), rebuilt == state.duplicateKeys ? "yes" : "NO"))
}

// Truth: every pair of contacts of one person.
var byPerson: [Int: Int] = [:]
for (_, p) in person { byPerson[p, default: 0] += 1 }
let truePairs = byPerson.values.reduce(0) { $0 + $1 * ($1 - 1) / 2 }

let admin = Caller(userID: 1, name: "bench", role: .admin, departmentID: nil)
// `--no-scan` and `--writes-only` narrow a run to the candidate search (for `perf record`).
for _ in 0..<(arguments.contains("--no-scan") ? 0 : arguments.contains("--twice") ? 2 : 1) {
    let start = now(), cpuStart = processCPU()
    let result = state.scanDuplicates(for: admin)
    let seconds = now() - start, cpu = processCPU() - cpuStart
    var predicted = 0, correct = 0
    for group in result.groups {
        let members = group.members
        predicted += members.count * (members.count - 1) / 2
        for i in members.indices {
            for j in (i + 1)..<members.count where person[members[i]] == person[members[j]] { correct += 1 }
        }
    }
    if ProcessInfo.processInfo.environment["SHOW_FALSE"] != nil {
        var shown = 0
        for group in result.groups where shown < 25 {
            guard Set(group.members.map { person[$0] }).count > 1 else { continue }
            shown += 1
            for link in group.links {
                let a = state.contacts[link.a]!, b = state.contacts[link.match.id]!
                print("  FALSE? \(person[a.id]!)=\(person[b.id]!) \(a.name) | \(a.email ?? "-") | \(a.company ?? "-")  ~  \(b.name) | \(b.email ?? "-") | \(b.company ?? "-")  -> \(link.match.evidence.map { "\($0.rule.rawValue) \($0.score) \($0.detail)" })")
            }
        }
    }
    let precision = predicted == 0 ? 1 : Double(correct) / Double(predicted)
    let recall = truePairs == 0 ? 1 : Double(correct) / Double(truePairs)
    let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
    print(String(format: "DUP.SCAN threshold %d: %.2f s (%.2f CPU-s), %d comparisons, %d groups; pairs: %d true, %d predicted, %d correct; precision %.4f recall %.4f F1 %.4f",
                 result.threshold, seconds, cpu, result.comparisons, result.groups.count, truePairs, predicted, correct, precision, recall, f1))
}

// DUP.CHECK (and the check every CONTACT.ADD makes with the default action `warn`): candidates of
// new people and of corrupted copies of existing ones, through the indexes.
var checkGenerator = LabelledDuplicates(seed: 77, duplicateShare: 0.5)
var probes: [DuplicateProfile] = []
while probes.count < 2_000 {
    let row = checkGenerator.next()
    probes.append(DuplicateProfile(id: 0, name: row.contact.name, phone: row.contact.e164, email: row.contact.email, company: row.contact.company, settings: state.duplicateSettings))
}
for thorough in arguments.contains("--writes-only") ? [false] : [true, false] {
    var latencies: [Double] = []
    var cpuTimes: [Double] = []
    var found = 0
    for probe in probes {
        let start = now(), cpuStart = threadCPU()
        found += state.duplicateCandidates(of: probe, for: admin, limit: 3, thorough: thorough).isEmpty ? 0 : 1
        latencies.append(now() - start)
        cpuTimes.append(threadCPU() - cpuStart)
    }
    latencies.sort()
    cpuTimes.sort()
    print(String(format: "%@ of %d contacts: median %.0f µs, p99 %.0f µs, max %.0f µs (thread CPU: median %.0f µs, p99 %.0f µs); %d had candidates",
                 thorough ? "DUP.CHECK (thorough)" : "write check", probes.count, latencies[latencies.count / 2] * 1e6,
                 latencies[latencies.count * 99 / 100] * 1e6, latencies.last! * 1e6, cpuTimes[cpuTimes.count / 2] * 1e6,
                 cpuTimes[cpuTimes.count * 99 / 100] * 1e6, found))
}
if ProcessInfo.processInfo.environment["PHRASES"] != nil {
    for (label, texts) in [("name phrase", probes.map { $0.name.tokens.joined(separator: " ") }), ("email local", probes.compactMap { $0.writtenEmail?.split(separator: "@").first.map(String.init) })] {
        var times: [Double] = []
        for text in texts {
            let start = now()
            _ = state.textIndex.phraseSearch(text, limit: 200) { _ in true }
            times.append(now() - start)
        }
        times.sort()
        print(String(format: "  %@: median %.0f µs, p99 %.0f µs", label, times[times.count / 2] * 1e6, times[times.count * 99 / 100] * 1e6))
    }
}
