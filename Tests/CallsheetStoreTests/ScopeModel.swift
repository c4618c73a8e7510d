import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Logging
import Testing

/// A small, independent model of what each user of two organizations may see and change, and a
/// driver that sends seeded random commands through ``CommandExecutor`` and checks every reply
/// against the model. The model decides scope with its own rule (admins: their organization;
/// managers and agents: their department) and never calls the product's predicates.
///
/// Reproduce a failure with `CALLSHEET_SCOPE_SEED=<seed>` (printed with every failure);
/// `CALLSHEET_SCOPE_OPS=<n>` sets the operations per seeded case.
final class ScopeModelRun {
    // MARK: The model

    struct MContact: Equatable {
        var id: Int
        var dept: Int
        var name: String
        var phone: String
        var tags: [String]
        var archived: Bool
        var calls: Int
        var score: Int?
        var margin: Int?
    }

    struct MPreset {
        var name: String
        var tag: String
    }

    struct MUser {
        let name: String
        let org: Int
        var role: Role
        var dept: Int?
        var secret: String
        var session: Session
        /// Which creation of this login the session belongs to (a deleted and re-created user is new).
        var incarnation: Int
        /// False once the session's user is deleted or their secret reset: every command must fail.
        var signedIn: Bool
        /// Set by USER.SETROLE: the next command may find the session signed out instead.
        var roleChanged = false
        var presets: [String: MPreset] = [:]
    }

    struct MJob {
        var org: Int
        var user: String
        var incarnation: Int
    }

    var contacts: [[Int: MContact]] = [[:], [:]]
    var nextID = [1, 1]
    var users: [MUser] = []
    /// Sessions of deleted or reset users, kept to check they can do nothing.
    var staleSessions: [(user: Int, session: Session)] = []
    var jobs: [Int: MJob] = [:]
    var incarnations: [String: Int] = [:]
    let orgNames = ["Acme", "Other"]
    /// Departments per organization (1 is "General").
    let departments = [[1, 2, 3], [1, 2]]

    static let tags = ["VIP", "Cold", "Hot", "Lead", "Gold"]
    /// TAG.LIST's order.
    static let tagsByName = tags.sorted { $0.lowercased() < $1.lowercased() }
    static let names = ["Ann Lee", "Bo Chen", "Cy Diaz", "Dee Ford", "Eve Gray", "Flo Hunt"]
    static let presetNames = ["hot", "cold-calls", "vips", "west-leads"]
    static let areas = ["650", "415", "212", "312", "617", "202", "303", "206"]
    static let suffixes = Array(1000..<1012)

    // MARK: The store

    let seed: UInt64
    var random: ScopeRandom
    let path: String
    var directory: ShardDirectory
    var executor: CommandExecutor
    var owners: [Session] = []
    /// Whether admins change users during the run, and whether those users' open sessions carry on.
    enum UserChanges {
        /// Users stay as created.
        case none
        /// Roles change and users are deleted and re-created; their sessions sign in again at once.
        case signInAgain
        /// The same, but sessions stay open: the very next command must follow the new role, and a
        /// deleted or reset user's old session must be refused everything.
        case openSessions
    }

    let userChanges: UserChanges
    var step = 0
    /// The step of the last full audit: a disagreement it finds was caused after it.
    var lastAudit = 0
    var lastCommand: [String] = []
    var failure: String?
    var operations = 0

    init(seed: UInt64, userChanges: UserChanges) throws {
        self.seed = seed
        self.userChanges = userChanges
        random = ScopeRandom(seed: seed)
        path = NSTemporaryDirectory() + "callsheet-scope-model-\(UUID().uuidString)"
        directory = try ShardDirectory.open(Self.configuration(path), logger: ScopeModelRun.quietLogger)
        executor = CommandExecutor(directory: directory)
    }

    static let quietLogger: Logger = {
        var logger = Logger(label: "scope-model")
        logger.logLevel = .critical
        return logger
    }()

    static func configuration(_ path: String) -> StoreConfiguration {
        var configuration = StoreConfiguration(directory: path)
        configuration.fsyncPolicy = .no
        configuration.snapshotEveryRecords = 0
        configuration.snapshotEverySeconds = 0
        return configuration
    }

    func close() async {
        await directory.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    // MARK: Failures

    /// Records the first disagreement (with the seed and step to replay it); later ones are noise.
    func fail(_ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard failure == nil else { return }
        let text = "seed \(seed) (CALLSHEET_SCOPE_SEED=\(seed)), step \(step), command \(lastCommand.map { $0.count > 60 ? String($0.prefix(60)) + "…" : $0 }): \(message)"
        failure = text
        Issue.record(Comment(rawValue: text), sourceLocation: sourceLocation)
    }

    func check(_ condition: Bool, _ message: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        if !condition { fail(message(), sourceLocation: sourceLocation) }
    }

    // MARK: Running commands

    func run(_ user: Int, _ arguments: [String]) async -> RESPValue {
        lastCommand = ["as \(users[user].name)"] + arguments
        operations += 1
        return await executor.execute(arguments, session: &users[user].session)
    }

    func runOwner(_ org: Int, _ arguments: [String]) async -> RESPValue {
        await executor.execute(arguments, session: &owners[org])
    }

    static func text(_ reply: RESPValue) -> String {
        switch reply {
        case .simpleString(let text): "+" + text
        case .error(let text): "-" + text
        case .integer(let number): ":\(number)"
        case .bulkString(let bytes): "$" + String(decoding: bytes, as: UTF8.self)
        case .null: "$-1"
        case .array(let values): "*[" + values.map(text).joined(separator: ", ") + "]"
        case .nullArray: "*-1"
        }
    }

    static func code(_ reply: RESPValue) -> String? {
        guard case .error(let text) = reply else { return nil }
        return String(text.prefix { $0 != " " })
    }

    func json(_ reply: RESPValue) -> JSONValue? {
        guard let text = reply.string, let value = try? JSONValue.parse(text) else {
            fail("expected a JSON reply, got \(Self.text(reply))")
            return nil
        }
        return value
    }

    /// Checks the reply is the error `code`.
    func expectError(_ reply: RESPValue, _ code: String) {
        check(Self.code(reply) == code, "expected \(code), got \(Self.text(reply))")
    }

    /// Out of scope must read exactly as missing: runs `control` (the same command with every
    /// out-of-scope name replaced by one nothing has) and compares the replies byte for byte, the
    /// names swapped back. Only for replies that are errors, which change nothing.
    func expectSameAsMissing(_ reply: RESPValue, user: Int, control: [String], swaps: [(missing: String, real: String)]) async {
        guard failure == nil else { return }
        let saved = lastCommand
        var controlReply = Self.text(await run(user, control))
        lastCommand = saved
        for swap in swaps { controlReply = controlReply.replacingOccurrences(of: swap.missing, with: swap.real) }
        check(Self.text(reply) == controlReply, "an out-of-scope answer differs from a missing one:\n  out of scope: \(Self.text(reply))\n  missing:      \(controlReply)")
    }

    // MARK: Scope, by the model's own rule

    func sees(_ user: Int, org: Int, dept: Int) -> Bool {
        let u = users[user]
        return u.signedIn && u.org == org && (u.role == .admin || u.dept == dept)
    }

    func visible(_ user: Int, _ id: Int) -> MContact? {
        let org = users[user].org
        guard let contact = contacts[org][id], sees(user, org: org, dept: contact.dept) else { return nil }
        return contact
    }

    func inScope(_ user: Int) -> [MContact] {
        let org = users[user].org
        return contacts[org].values.filter { sees(user, org: org, dept: $0.dept) }.sorted { $0.id < $1.id }
    }

    func atLeast(_ user: Int, _ role: Role) -> Bool { users[user].signedIn && users[user].role >= role }

    static func phone(area: String, suffix: Int) -> String { "+1\(area)253\(suffix)" }

    func owner(ofPhone phone: String, org: Int) -> MContact? { contacts[org].values.first { $0.phone == phone } }

    /// The JSON a contact reply must carry for `role`.
    func checkContact(_ value: JSONValue?, _ expected: MContact, role: Role, org: Int) {
        guard let value else { return fail("no contact JSON for \(expected.id)") }
        var fields: [(String, JSONValue)] = []
        if let score = expected.score { fields.append(("score", .integer(Int64(score)))) }
        if role >= .manager, let margin = expected.margin { fields.append(("margin", .integer(Int64(margin)))) }
        let archived = value["archived_at"].map { $0 != .null }
        let seen: [String: JSONValue?] = [
            "id": value["id"], "organization_id": value["organization_id"], "department_id": value["department_id"], "name": value["name"],
            "phone": value["phone"], "tags": value["tags"], "total_calls": value["total_calls"], "custom_fields": value["custom_fields"],
        ]
        let wanted: [String: JSONValue?] = [
            "id": .integer(Int64(expected.id)), "organization_id": .integer(Int64(org + 1)), "department_id": .integer(Int64(expected.dept)),
            "name": .string(expected.name), "phone": .string(expected.phone), "tags": .array(expected.tags.map { .string($0) }),
            "total_calls": .integer(Int64(expected.calls)), "custom_fields": .object(fields),
        ]
        check(seen == wanted && archived == expected.archived,
              "contact \(expected.id) reads \(value.serialized), the model has \(expected) (archived \(expected.archived))")
    }

    /// Every contact of a listing reply must be one the user may see, and read as the model has it.
    func checkListed(_ list: [JSONValue], user: Int) -> [Int] {
        var ids: [Int] = []
        for item in list {
            guard case .integer(let number)? = item["id"] else {
                fail("a listed contact without an id: \(item.serialized)")
                return ids
            }
            let id = Int(number)
            guard let expected = visible(user, id) else {
                fail("contact \(id) is listed to \(users[user].name), who may not see it: \(item.serialized)")
                return ids
            }
            checkContact(item, expected, role: users[user].role, org: users[user].org)
            ids.append(id)
        }
        return ids
    }
}

/// SplitMix64: small, fast and the same on every platform.
struct ScopeRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func int(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }
    mutating func chance(_ percent: Int) -> Bool { int(100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
}

extension JSONValue {
    var arrayValue: [JSONValue]? { if case .array(let values) = self { values } else { nil } }
    var intValue: Int? { if case .integer(let value) = self { Int(value) } else { nil } }
    var stringValue: String? { if case .string(let value) = self { value } else { nil } }
}
