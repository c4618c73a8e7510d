// Data the benchmarks share: generated contacts, an organization state, an in-memory store with a
// signed-in session, the same every run (fixed seeds).
import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import ContactGenerator
import Foundation

/// SplitMix64: the random ids, phones and rows the benchmarks pick, the same in every run.
public struct SplitMix: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public enum Fixtures {
    /// The organization size of the lookup, search, index and snapshot benchmarks.
    public static let organizationSize = 100_000
    /// When the contacts were created (2025-11-24).
    public static let created: Timestamp = 1_764_000_000_000

    /// `count` generated contacts (seed 42) with no repeated phone number.
    public static func generated(count: Int, seed: UInt64 = 42) -> [GeneratedContact] {
        var generator = ContactGenerator(seed: seed, duplicatePhoneRate: 0)
        var phones: Set<String> = []
        var contacts: [GeneratedContact] = []
        contacts.reserveCapacity(count)
        while contacts.count < count {
            let contact = generator.next()
            if phones.insert(contact.e164).inserted { contacts.append(contact) }
        }
        return contacts
    }

    /// A generated contact as the store keeps it: id `id`, phone in E.164, one of two departments.
    public static func contact(_ generated: GeneratedContact, id: ContactID, organization: OrganizationID = 1, departments: Int = 2) -> Contact {
        Contact(
            id: id, organizationID: organization, departmentID: DepartmentID(1 + Int(id) % departments), createdByUserID: 1,
            name: generated.name, phone: generated.e164, email: generated.email, company: generated.company,
            tags: generated.tags, notes: generated.notes, createdAt: created, updatedAt: created)
    }

    /// One organization of `count` contacts (ids 1…count) in two departments, every index built
    /// (as a snapshot load does), and `calls` calls spread over random contacts.
    public static func organizationState(contacts count: Int = organizationSize, calls: Int = 0) -> OrganizationState {
        var state = OrganizationState(organization: Organization(id: 1, name: "Bench", defaultRegion: "US", createdAt: 0))
        state.apply([.putDepartment(Department(id: 1, name: "General")), .putDepartment(Department(id: 2, name: "Sales"))])
        let generated = generated(count: count)
        state.apply(generated.enumerated().map { .putContact(contact($1, id: ContactID($0 + 1))) })
        var random = SplitMix(seed: 14)
        let outcomes = ["completed", "no-answer", "voicemail", "busy", "wrong-number", "callback"]
        for id in 0..<calls {
            state.apply(.logCall(CallRecord(
                id: CallID(id + 1), contactID: ContactID.random(in: 1...ContactID(count), using: &random),
                at: created + Timestamp(id) * 60_000, durationSeconds: Int.random(in: 0...900, using: &random),
                outcome: outcomes[Int.random(in: 0..<outcomes.count, using: &random)], agentID: 1, kind: .manual)))
        }
        return state
    }
}

/// An in-memory store (no journal) holding one organization of generated contacts, and a session
/// signed in as its admin with `AUTH`, as a server connection is. Used from one benchmark at a time.
public final class StoreFixture: @unchecked Sendable {
    public let executor: CommandExecutor
    public var session: Session
    /// The generated contacts; contact `i + 1` is `generated[i]`.
    public let generated: [GeneratedContact]
    private var random = SplitMix(seed: 7)

    /// Creates the organization through the store, then loads `count` contacts into its shard in
    /// change sets of 50,000 (the bulk path a snapshot load takes; the planner's phone checks are
    /// skipped: the phones are E.164 already).
    public init(contacts count: Int = Fixtures.organizationSize) async throws {
        let directory = ShardDirectory.inMemory()
        executor = CommandExecutor(directory: directory)
        let (id, secret) = try await directory.createOrganization(name: "Bench", region: "US", admin: "bench")
        guard let shard = await directory.shard(id) else { throw FixtureError("no shard for organization \(id)") }
        _ = try await shard.write { _ in (changes: [.putDepartment(Department(id: 2, name: "Sales"))], result: 0) }
        let contacts = Fixtures.generated(count: count)
        var offset = 0
        while offset < contacts.count {
            let end = min(offset + 50_000, contacts.count)
            let chunk = (offset..<end).map { Change.putContact(Fixtures.contact(contacts[$0], id: ContactID($0 + 1), organization: id)) }
            _ = try await shard.write { _ in (changes: chunk, result: 0) }
            offset = end
        }
        generated = contacts
        session = Session(isLocalOwner: false)
        let signedIn = await executor.execute(["AUTH", "bench", secret], session: &session)
        guard signedIn.isSuccess else { throw FixtureError("AUTH failed: \(signedIn)") }
        // Every benchmark's command must answer, not fail: check one of each kind.
        for probe in [["CONTACT.GET", "1"], ["CONTACT.BYPHONE", generated[0].e164], ["CONTACT.SEARCH", "smit", "LIMIT", "50"]] {
            let reply = await executor.execute(probe, session: &session)
            guard reply.isSuccess else { throw FixtureError("\(probe.joined(separator: " ")) failed: \(reply)") }
        }
    }

    /// A random contact index (0-based) of the organization.
    public func randomIndex() -> Int { Int.random(in: 0..<generated.count, using: &random) }

    /// Runs one command as the server does, through the executor.
    @inline(__always)
    public func execute(_ arguments: [String]) async -> RESPValue {
        await executor.execute(arguments, session: &session)
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension RESPValue {
    /// True unless the reply is an error.
    public var isSuccess: Bool {
        if case .error = self { return false }
        return true
    }
}

/// An organization state and a random picker over its contacts, for benchmarks of the pure core.
public final class StateFixture: @unchecked Sendable {
    public let state: OrganizationState
    private var random = SplitMix(seed: 11)

    public init(contacts count: Int = Fixtures.organizationSize, calls: Int = 0) {
        state = Fixtures.organizationState(contacts: count, calls: calls)
    }

    /// A random contact of the organization.
    public func randomContact() -> Contact {
        state.contacts[ContactID.random(in: 1...ContactID(state.contacts.count), using: &random)]!
    }
}
