import CallsheetCore
import Foundation

extension ShardDirectory {
    /// `INFO`: health and figures. Admins also get their organization's counts; the owner gets
    /// every organization's.
    public func info(for caller: Caller, shard: OrganizationShard?) async -> JSONValue {
        let now = Clock.now()
        var members: [(String, JSONValue)] = [
            ("version", .string(CallsheetVersion.current)),
            ("uptime_seconds", .integer((now - startedAt) / 1000)),
            ("connections", .integer(Int64(counters.connections.load(ordering: .relaxed)))),
            ("commands", .integer(Int64(counters.commands.load(ordering: .relaxed)))),
            ("commands_per_second", .integer(Int64(counters.commandsPerSecond.load(ordering: .relaxed)))),
            ("writes", .integer(Int64(counters.writes.load(ordering: .relaxed)))),
            ("errors", .object(counters.errorsByCode.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) })),
            ("organizations", .integer(Int64(shards.count))),
        ]
        if let journal {
            let statistics = journal.statistics
            members.append(("journal", .object([
                ("healthy", .bool(journal.health.isHealthy)),
                ("fsync", .string(configuration.fsyncPolicy.rawValue)),
                ("next_sequence", .integer(Int64(journal.nextSequence))),
                ("bytes_written", .integer(Int64(statistics.bytesWritten))),
                ("fsyncs", .integer(Int64(statistics.fsyncs))),
                ("records_since_snapshot", .integer(Int64(recordsSinceSnapshot))),
            ])))
            members.append(("snapshot", .object([
                ("last_sequence", .integer(Int64(persistence.lastSnapshotSequence))),
                ("age_seconds", persistence.lastSnapshotAt.map { JSONValue.integer((now - $0) / 1000) } ?? JSONValue.null),
                ("bytes", .integer(Int64(persistence.lastSnapshotBytes))),
            ])))
        }
        if caller.role == .admin {
            var organizations: [JSONValue] = []
            let visible = caller.isOwner ? shards.keys.sorted() : [shard?.id].compactMap { $0 }
            for id in visible {
                guard let shard = shards[id] else { continue }
                let figures = try? await shard.read { state in
                    JSONValue.object([
                        ("id", .integer(Int64(id))),
                        ("name", .string(state.organization.name)),
                        ("contacts", .integer(Int64(state.contacts.count))),
                        ("text_index_bytes", .integer(Int64(state.textIndex.memoryFootprint))),
                    ])
                }
                if let figures { organizations.append(figures) }
            }
            members.append(("contacts_by_organization", .array(organizations)))
        }
        members.append(("resident_bytes", .integer(Int64(ProcessMemory.residentBytes()))))
        return .object(members)
    }
}

/// The process's resident memory, from /proc/self/statm.
public enum ProcessMemory {
    public static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
