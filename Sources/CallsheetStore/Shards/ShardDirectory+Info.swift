import CallsheetCore
import CallsheetStorage
import Foundation

extension ShardDirectory {
    /// `INFO`: health and figures (docs/PROTOCOL.md, "Operations").
    ///
    /// The data directory's owner gets every figure, store-wide, and every organization's
    /// contacts. Anyone else gets server health that says nothing about other tenants (version,
    /// uptime, open connections, whether writes are accepted and why not, the last snapshot's age)
    /// and their own organization's figures, counted in their scope as `ORG.INFO` counts them.
    public func info(for caller: Caller, shard: OrganizationShard?) async -> JSONValue {
        let now = Clock.now()
        guard caller.isOwner else { return await tenantInfo(for: caller, shard: shard, now: now) }
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
            let health = journal.health
            var figures = journalHealth(journal)
            figures += [
                ("next_sequence", .integer(Int64(journal.nextSequence))),
                ("bytes_written", .integer(Int64(statistics.bytesWritten))),
                ("fsyncs", .integer(Int64(statistics.fsyncs))),
                ("records_since_snapshot", .integer(Int64(recordsSinceSnapshot))),
            ]
            if case .failed(let cause) = health { figures.append(("error", .string(cause.description))) }
            members.append(("journal", .object(figures)))
            members.append(("snapshot", .object([
                ("last_sequence", .integer(Int64(persistence.lastSnapshotSequence))),
                ("age_seconds", snapshotAge(now)),
                ("bytes", .integer(Int64(persistence.lastSnapshotBytes))),
            ])))
        }
        var organizations: [JSONValue] = []
        for id in shards.keys.sorted() {
            let found = duplicateScans.groups(of: id)
            let disk = diskShare(of: id)
            guard let shard = shards[id], let figures = try? await shard.read({ state in Self.figures(state, for: .owner, found: found, disk: disk) }) else { continue }
            organizations.append(figures)
        }
        members.append(("contacts_by_organization", .array(organizations)))
        let exports = ExportRunner.existing(for: self)
        members.append(("exports", .object([
            ("started", .integer(Int64(exports?.started.load(ordering: .relaxed) ?? 0))),
            ("finished", .integer(Int64(exports?.finished.load(ordering: .relaxed) ?? 0))),
            ("running", .integer(Int64(exports?.runningCount ?? 0))),
            ("rows", .integer(Int64(exports?.rowsWritten.load(ordering: .relaxed) ?? 0))),
            ("jobs", .object((exports?.countsByState ?? Dictionary(uniqueKeysWithValues: ExportRunner.State.allCases.map { ($0.rawValue, 0) }))
                .sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) })),
        ])))
        let imports = await ImportRunner.existing(for: self)?.jobCountsByState()
            ?? Dictionary(uniqueKeysWithValues: ImportJob.State.allCases.map { ($0.rawValue, 0) })
        members.append(("imports", .object(imports.sorted { $0.key < $1.key }.map { ($0.key, .integer(Int64($0.value))) })))
        members.append(("resident_bytes", .integer(Int64(ProcessMemory.residentBytes()))))
        members.append(("data_directory_bytes", .integer(Int64(dataDirectoryBytes()))))
        return .object(members)
    }

    /// The bytes of every file in the data directory (snapshots, journal, import and export
    /// files): the storage the server uses.
    nonisolated func dataDirectoryBytes() -> Int {
        guard let walker = FileManager.default.enumerator(atPath: configuration.directory) else { return 0 }
        var total = 0
        while let name = walker.nextObject() as? String {
            if let size = walker.fileAttributes?[.size] as? Int, walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular { total += size }
            _ = name
        }
        return total
    }

    /// `INFO` for a signed-in user of one organization. Store-wide counters (commands, writes,
    /// errors, journal sequences and bytes, organizations, memory) are left out: each would tell a
    /// tenant about the others' activity or size. Open connections stay: they are the server's
    /// load against a limit every tenant shares (`--max-clients`), and name no one.
    private func tenantInfo(for caller: Caller, shard: OrganizationShard?, now: Timestamp) async -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("version", .string(CallsheetVersion.current)),
            ("uptime_seconds", .integer((now - startedAt) / 1000)),
            ("connections", .integer(Int64(counters.connections.load(ordering: .relaxed)))),
        ]
        if let journal {
            members.append(("journal", .object(journalHealth(journal))))
            members.append(("snapshot", .object([("age_seconds", snapshotAge(now))])))
        }
        if let shard, let figures = try? await shard.read({ [found = duplicateScans.groups(of: shard.id), disk = diskShare(of: shard.id)] state in Self.figures(state, for: caller, found: found, disk: disk) }) {
            members.append(("organization", figures))
        }
        return .object(members)
    }

    /// Whether the journal accepts writes, and if not why and what to do (the text a refused
    /// write gets); the fsync policy.
    private func journalHealth(_ journal: JournalWriter) -> [(String, JSONValue)] {
        let health = journal.health
        return [
            ("healthy", .bool(health.isHealthy)),
            ("read_only", .bool(!health.isHealthy)),
            ("reason", health.refusal.map { .string($0) } ?? .null),
            ("fsync", .string(configuration.fsyncPolicy.rawValue)),
        ]
    }

    private func snapshotAge(_ now: Timestamp) -> JSONValue {
        persistence.lastSnapshotAt.map { JSONValue.integer((now - $0) / 1000) } ?? .null
    }

    /// One organization's figures: its contacts in `caller`'s scope (an admin's: the whole
    /// organization; a manager's or an agent's: their department, as `ORG.INFO` counts them).
    /// `duplicates`: groups the last scan found, merges kept, merges undone (an undone merge was
    /// a false positive: the seed's "duplicate detection accuracy" is merged / (merged + unmerged)).
    /// The organization's share of the last snapshot file, in bytes (its content's share of the
    /// content, times the file's size); nil before this process wrote a snapshot.
    private func diskShare(of id: OrganizationID) -> Int? {
        let total = persistence.lastSnapshotOrganizationBytes.values.reduce(0, +)
        guard total > 0, let mine = persistence.lastSnapshotOrganizationBytes[id] else { return nil }
        return Int(Double(persistence.lastSnapshotBytes) * Double(mine) / Double(total))
    }

    private static func figures(_ state: OrganizationState, for caller: Caller, found: Int, disk: Int?) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .integer(Int64(state.organization.id))),
            ("name", .string(state.organization.name)),
            ("contacts", state.organizationJSON(for: caller)["contacts"] ?? .integer(0)),
        ]
        if caller.role == .admin {
            members.append(("contact_table_bytes", .integer(Int64(state.contacts.memoryFootprint))))
            members.append(("text_index_bytes", .integer(Int64(state.textIndex.memoryFootprint))))
        }
        if caller.role >= .manager {
            let merges = state.visibleUndoEntries(for: caller, kind: .merge)
            let undone = merges.filter { $0.undoneAt != nil }.count
            members.append(("duplicates", .object([
                ("found", .integer(Int64(found))), ("merged", .integer(Int64(merges.count - undone))), ("unmerged", .integer(Int64(undone))),
            ])))
        }
        // The organization's compliance figures: whole-organization counts, an admin's.
        if caller.role == .admin {
            let retention = state.retention
            members.append(("calls_stored", .integer(Int64(state.calls.count))))
            members.append(("call_log_bytes", .integer(Int64(state.calls.memoryFootprint))))
            let cold = state.calls.cold
            members.append(("cold_calls", .object([
                ("calls", .integer(Int64(cold.count))), ("through_call_id", .integer(Int64(cold.through))), ("segments", .integer(Int64(cold.segments.count))),
                ("disk_bytes", .integer(Int64(cold.diskBytes))), ("catalogue_bytes", .integer(Int64(cold.memoryFootprint))),
                ("moved_or_erased", .integer(Int64(cold.moved.count))),
            ])))
            members.append(("dnc", .object([
                ("numbers", .integer(Int64(state.doNotCall.numberCount))), ("prefixes", .integer(Int64(state.doNotCall.prefixCount))),
                ("contacts", .integer(Int64(state.doNotCall.contactCount))),
            ])))
            members.append(("campaigns_active", .integer(Int64(state.campaigns.values.filter { $0.status == .active }.count))))
            members.append(("retention", .object([
                ("last_run_at", retention.lastRunAt.map { .string(TimestampFormat.iso8601($0)) } ?? .null),
                ("archived", .integer(Int64(retention.lastRunArchived))), ("purged", .integer(Int64(retention.lastRunPurged))),
                ("calls_erased", .integer(Int64(retention.lastRunCallsErased))), ("expired_dnc", .integer(Int64(retention.lastRunExpiredDoNotCall))),
            ])))
            let pending = state.pendingErasures.count
            members.append(("erasures", .object([("pending", .integer(Int64(pending))), ("done", .integer(Int64(state.erasures.count - pending)))])))
            members.append(("snapshot_bytes", disk.map { .integer(Int64($0)) } ?? .null))
        }
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
