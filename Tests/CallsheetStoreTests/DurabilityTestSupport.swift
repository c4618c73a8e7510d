import CallsheetCore
import CallsheetProtocol
import CallsheetStorage
import Foundation
import Logging
import TestSupport
import Testing
@testable import CallsheetStore

let durabilityLogger: Logger = {
    var logger = Logger(label: "callsheet.durability.tests")
    logger.logLevel = .critical
    return logger
}()

/// A configuration for tests: snapshots only when a test asks, fast failure probes.
func testConfiguration(_ directory: String) -> StoreConfiguration {
    var configuration = StoreConfiguration(directory: directory)
    configuration.snapshotEveryRecords = 0
    configuration.snapshotEverySeconds = 0
    configuration.journalProbeInterval = .milliseconds(20)
    // Every snapshot carries its text index image, read back at every reopen.
    configuration.indexImageMinimumContacts = 0
    return configuration
}

/// An open data directory and the owner's session, driven through the one command path.
struct OpenStore {
    let directory: ShardDirectory
    let executor: CommandExecutor
    var session = Session(isLocalOwner: true)

    init(_ configuration: StoreConfiguration) throws {
        directory = try ShardDirectory.open(configuration, logger: durabilityLogger)
        executor = CommandExecutor(directory: directory)
    }

    @discardableResult
    mutating func run(_ arguments: String...) async -> RESPValue { await run(arguments) }

    @discardableResult
    mutating func run(_ arguments: [String]) async -> RESPValue {
        await executor.execute(arguments, session: &session)
    }

    /// Runs a command that must succeed and returns its reply as JSON.
    mutating func json(_ arguments: String...) async throws -> JSONValue {
        let reply = await run(arguments)
        let text = try #require(reply.string, "\(arguments.joined(separator: " ")) → \(reply)")
        return try JSONValue.parse(text)
    }

    /// Stops as `kill -9` after the last acknowledgement would: the journal is closed (what is
    /// acknowledged is already on disk) and nothing else runs — no final snapshot. The directory's
    /// lock is released, as the kernel releases a killed process's `flock`.
    func crash() async throws {
        defer { directory.lock?.release() }
        try await directory.journal?.close()
    }
}

/// Every stored fact of one organization; indexes are checked separately by `_checkInvariants`.
struct OrganizationDump: Equatable, CustomStringConvertible {
    var organization: Organization
    var departments: [DepartmentID: Department]
    var users: [UserID: User]
    var fields: [String: FieldDefinition]
    var contacts: [ContactID: Contact]
    var nextIDs: [UInt64]

    init(_ state: OrganizationState) {
        organization = state.organization
        departments = state.departments
        users = state.users
        fields = state.fields
        contacts = Dictionary(uniqueKeysWithValues: state.contacts.map { ($0.id, $0) })
        nextIDs = [state.nextContactID, state.nextDepartmentID, state.nextUserID]
    }

    var description: String {
        "\(organization.name): \(contacts.count) contacts, \(users.count) users, \(fields.count) fields, \(departments.count) departments, next \(nextIDs)"
    }
}

/// The state of every organization, and every index problem `_checkInvariants` finds.
func dump(_ directory: ShardDirectory) async throws -> (organizations: [OrganizationID: OrganizationDump], problems: [String]) {
    var organizations: [OrganizationID: OrganizationDump] = [:]
    var problems: [String] = []
    for id in await directory.organizationIDs {
        guard let shard = await directory.shard(id) else { continue }
        organizations[id] = try await shard.read { OrganizationDump($0) }
        problems += await shard._checkInvariants().map { "organization \(id): \($0)" }
    }
    return (organizations, problems)
}

/// Expects two dumps to be equal, naming the first differing organization and contact.
func expectSameState(
    _ actual: [OrganizationID: OrganizationDump], _ expected: [OrganizationID: OrganizationDump],
    _ context: String, ignoringCounters: Bool = false, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.keys.sorted() == expected.keys.sorted(), "\(context): organizations", sourceLocation: sourceLocation)
    for (id, want) in expected {
        guard var got = actual[id] else { continue }
        // A refused write keeps the id it was planned with burnt in memory (the journal never saw it).
        if ignoringCounters { got.nextIDs = want.nextIDs }
        if got == want { continue }
        let differing = Set(got.contacts.keys).union(want.contacts.keys).sorted().first { got.contacts[$0] != want.contacts[$0] }
        Issue.record(
            "\(context): organization \(id) differs. got \(got), want \(want); first differing contact \(differing.map(String.init) ?? "none"): got \(String(describing: differing.flatMap { got.contacts[$0] })) want \(String(describing: differing.flatMap { want.contacts[$0] }))",
            sourceLocation: sourceLocation)
    }
}

/// The numbers in "journal: N records replayed through sequence S" of a recovery report.
func replayFigures(_ report: String) -> (records: Int, through: UInt64)? {
    guard let range = report.range(of: #"journal: (\d+) records replayed through sequence (\d+)"#, options: .regularExpression) else { return nil }
    let numbers = report[range].split(whereSeparator: { !$0.isNumber }).compactMap { UInt64($0) }
    guard numbers.count == 2 else { return nil }
    return (Int(numbers[0]), numbers[1])
}

/// The error code of a reply (`-CODE message`), or nil for a success.
func errorCode(_ reply: RESPValue) -> String? {
    guard case .error(let text) = reply else { return nil }
    return String(text.prefix { $0 != " " })
}

/// The deterministic generator the store tests draw from, so a failing seed can be replayed.
typealias SeededRandom = SplitMix64

/// A valid US number (area codes and exchanges libphonenumber accepts), `n` picks it.
func testPhone(_ n: Int) -> String {
    let areas = [212, 312, 415, 617, 646, 718, 202, 305]
    let area = areas[n % areas.count]
    let exchange = 234 + (n / areas.count) % 600
    let line = 1000 + (n * 7919) % 9000
    return "+1 \(area) \(exchange) \(line)"
}

/// Contact JSON for CONTACT.ADD.
func contactJSON(_ n: Int, phone: String? = nil, tags: [String] = []) -> String {
    let tagList = tags.map { "\"\($0)\"" }.joined(separator: ",")
    return #"{"name":"Person \#(n)","phone":"\#(phone ?? testPhone(n))","email":"p\#(n)@example.com","company":"Co \#(n % 7)","tags":[\#(tagList)],"notes":"note \#(n)"}"#
}

/// The journal segment paths of a data directory, oldest first.
func journalSegments(_ directory: String) throws -> [String] {
    try JournalSegmentFile.list(in: directory).map(\.path)
}

/// The snapshot paths of a data directory, newest first.
func snapshotFiles(_ directory: String) throws -> [String] {
    try SnapshotFile.list(in: directory).map(\.path)
}

/// Copies every file of `source` into the (existing, empty) directory `target`.
func copyDirectory(_ source: String, to target: String) throws {
    for name in try TestFiles.names(source) {
        try FileManager.default.copyItem(atPath: source + "/" + name, toPath: target + "/" + name)
    }
}
