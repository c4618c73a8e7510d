import Dispatch
import CallsheetCore
import CallsheetProtocol
import Synchronization

/// The last `DUP.SCAN` of each organization and scope (an admin's: the organization; a
/// manager's: their department), kept in memory until the next scan ("cache duplicate detection
/// results, manual invalidation": `DUP.SCAN REFRESH` or any scan replaces it). A group a later
/// write touched is dropped when read (``OrganizationContext/duplicateGroups(cursor:limit:)``).
public final class DuplicateScans: Sendable {
    struct Key: Hashable {
        var organization: OrganizationID
        var department: DepartmentID?
    }

    struct Scan: Sendable {
        var result: DuplicateScanResult
        var at: Timestamp
    }

    private let scans = Mutex<[Key: Scan]>([:])
    /// Groups found by scans since the start, store-wide (INFO).
    let found = Atomic<Int>(0)
    /// Every scan, synchronous or `ASYNC`, is a job here while it runs and for a while after
    /// (``DuplicateScanJob``, `DUP.STATUS`).
    let jobs = Mutex<DuplicateScanJobs>(DuplicateScanJobs())

    init() {}

    func store(_ result: DuplicateScanResult, for key: Key, at time: Timestamp) {
        scans.withLock { $0[key] = Scan(result: result, at: time) }
        found.add(result.groups.count, ordering: .relaxed)
    }

    func scan(for key: Key) -> Scan? { scans.withLock { $0[key] } }

    /// Groups of the organization's latest scans (any scope), for INFO.
    func groups(of organization: OrganizationID) -> Int {
        scans.withLock { scans in scans.filter { $0.key.organization == organization }.map(\.value.result.groups.count).max() ?? 0 }
    }
}

extension OrganizationContext {
    /// Pairs and contacts a `DUP.GROUPS` reply details per group (all member ids are listed).
    static let shownPerGroup = 100

    /// `DUP.GROUPS`: a page of the caller's scope's last scan, skipping groups a write touched
    /// since (a member changed, archived, merged or removed, or a pair of it ignored).
    func duplicateGroups(cursor: Int, limit: Int) async throws(CallsheetError) -> RESPValue {
        try caller.require(.manager, for: "DUP.GROUPS")
        guard let scan = directory.duplicateScans.scan(for: scanKey) else {
            throw CallsheetError(.notFound, "no duplicate scan of your contacts yet: run DUP.SCAN first")
        }
        let state = await shard.view()
        let groups = scan.result.groups
        var page: [JSONValue] = []
        var index = min(cursor, groups.count)
        var skipped = 0
        while index < groups.count, page.count < limit {
            let group = groups[index]
            index += 1
            let current = group.members.allSatisfy { id in
                guard let contact = state.contacts[id] else { return false }
                return contact.archivedAt == nil && contact.updatedAt == scan.result.stamps[id] && caller.canSee(contact)
            } && !group.links.contains { state.ignoredPairs.contains(ContactPair($0.a, $0.match.id)) }
            guard current else {
                skipped += 1
                continue
            }
            page.append(.object([
                ("members", .array(group.members.map { .integer(Int64($0)) })),
                ("score", .integer(Int64(group.score))),
                ("rules", .array(group.rules.map { .string($0) })),
                ("pairs", .array(group.links.prefix(Self.shownPerGroup).map { link in
                    .object([
                        ("a", .integer(Int64(link.a))), ("b", .integer(Int64(link.match.id))), ("score", .integer(Int64(link.match.score))),
                        ("rules", .array(link.match.evidence.map(\.json))),
                    ])
                })),
                ("pairs_total", .integer(Int64(group.links.count))),
                ("contacts", .array(group.members.prefix(Self.shownPerGroup).compactMap { id in
                    state.contacts[id].map { contact in
                        .object([
                            ("id", .integer(Int64(id))), ("name", .string(contact.name)), ("phone", .string(contact.phone)),
                            ("email", contact.email.map { .string($0) } ?? .null), ("company", contact.company.map { .string($0) } ?? .null),
                        ])
                    }
                })),
            ]))
        }
        return .bulk(JSONValue.object([
            ("groups", .array(page)),
            ("next_cursor", index < groups.count ? .string(String(index)) : .null),
            ("total", .integer(Int64(groups.count))),
            ("skipped_changed", .integer(Int64(skipped))),
            ("threshold", .integer(Int64(scan.result.threshold))),
            ("scanned_at", .string(TimestampFormat.iso8601(scan.at))),
        ]).serialized)
    }
}
