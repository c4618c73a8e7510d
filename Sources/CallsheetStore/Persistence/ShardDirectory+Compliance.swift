import CallsheetCore
import CallsheetStorage
import Foundation

/// The disk side of erasure, the retention schedule, and the journal history of one contact
/// (docs/PROTOCOL.md, "Retention and erasure"; docs/STORAGE.md, "Erasure").
extension ShardDirectory {
    /// Makes the data directory forget what erasures removed from memory: a fresh snapshot
    /// that cuts the journal, then every older snapshot and every segment it covers deleted
    /// (whatever `--keep-snapshots` says), and import files scrubbed of `traces` (the erased
    /// people's numbers, emails and names). Then each pending receipt of every organization
    /// gets its `disk_clean_at`, journaled.
    ///
    /// Crash-safe as a snapshot is: the new snapshot takes its name only once whole, and files
    /// go only after it; a crash at any step leaves a directory that starts (the receipts stay
    /// pending, and the next start or scheduler tick finishes them).
    /// - Returns: when disk was clean, or nil when it could not be made clean now (a snapshot
    ///   was running and did not finish in time, or a file could not be removed).
    @discardableResult
    public func finishErasures(traces: [String] = []) async -> Timestamp? {
        guard journal != nil else { return nil }
        var pending: [(OrganizationShard, [ErasureReceipt])] = []
        for id in shards.keys.sorted() {
            guard let shard = shards[id] else { continue }
            let receipts = await shard.view().pendingErasures
            if !receipts.isEmpty { pending.append((shard, receipts)) }
        }
        persistence.erasuresMayBePending = !pending.isEmpty
        guard !pending.isEmpty else { return nil }
        // Exports written from a view taken before the erasure may hold the person.
        if let exports = ExportRunner.existing(for: self) {
            for (shard, _) in pending { exports.purge(organization: shard.id) }
        }
        // Cold segments that hold erased calls' data are rewritten before the snapshot names them.
        var coldClean = true
        for (shard, _) in pending {
            if !(await rewriteColdSegments(shard)) { coldClean = false }
        }
        guard coldClean else {
            logger.warning("erasure: a cold segment could not be rewritten; disk clean-up stays pending")
            return nil
        }
        // Another snapshot, compaction or backup may hold the directory: wait for it (bounded).
        var outcome: SnapshotOutcome?
        for _ in 0..<600 {
            do {
                outcome = try await exclusively { directory throws(CallsheetError) in try await directory.snapshotNow(keep: 1) }
                break
            } catch where error.code == .conflict {
                try? await Task.sleep(for: .milliseconds(100))
            } catch {
                logger.warning("erasure: the snapshot failed; disk clean-up stays pending", metadata: ["error": "\(error)"])
                return nil
            }
        }
        guard let outcome else { return nil }
        scrubImportFiles(traces)
        // The segments the rewrites replaced: no snapshot or journal record left needs them.
        await removeUnreferencedColdFiles()
        guard let problem = Self.erasureLeftovers(directory: configuration.directory, snapshot: outcome.file, floor: outcome.sequence) else {
            let clean = Clock.now()
            for (shard, receipts) in pending {
                let changes = receipts.map { receipt -> Change in
                    var done = receipt
                    done.diskCleanAt = clean
                    return .putErasure(done)
                }
                do {
                    try await shard.commit(changes)
                } catch {
                    logger.warning("erasure: the clean-up could not be recorded; it runs again", metadata: ["error": "\(error)"])
                    return nil
                }
            }
            logger.info("erasure: disk clean", metadata: ["snapshot": "\(outcome.file)", "removed_segments": "\(outcome.removedSegments.count)", "removed_snapshots": "\(outcome.removedSnapshots.count)"])
            return clean
        }
        logger.warning("erasure: disk clean-up incomplete; it runs again", metadata: ["problem": "\(problem)"])
        return nil
    }

    /// What still holds records from before an erasure: any snapshot but `snapshot`, any
    /// journal segment whose first record is at or below `floor`. Nil when nothing does.
    static func erasureLeftovers(directory: String, snapshot: String, floor: UInt64) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return "the data directory cannot be listed" }
        for name in names.sorted() {
            if name.hasPrefix("snapshot-"), name.hasSuffix(".zst"), directory + "/" + name != snapshot, (snapshot as NSString).lastPathComponent != name {
                return "snapshot \(name) is still there"
            }
            if name.hasPrefix("journal-"), name.hasSuffix(".log"), let first = UInt64(name.dropFirst(8).dropLast(4)), first <= floor {
                return "journal segment \(name) is still there"
            }
            // Set-aside files (damaged bytes, superseded segments, unusable snapshots) may hold the person too.
            if name.hasSuffix(".corrupt") || name.hasSuffix(".tmp") || name.hasSuffix(".superseded") || name.hasSuffix(".unusable") {
                try? FileManager.default.removeItem(atPath: directory + "/" + name)
            }
        }
        return nil
    }

    /// Rewrites the import files without the lines that hold any of `traces` (digits of a
    /// number match whatever the punctuation; texts match case-insensitively).
    func scrubImportFiles(_ traces: [String]) {
        let needles = traces.filter { $0.count >= 3 }.map { $0.lowercased() }
        guard !needles.isEmpty else { return }
        let root = configuration.directory + "/imports"
        var files: [String] = [root + "/contact-import.log"]
        if let names = try? FileManager.default.contentsOfDirectory(atPath: root + "/jobs") { files += names.map { root + "/jobs/" + $0 } }
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            var changed = false
            let kept = text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                let lower = line.lowercased()
                let digits = line.filter(\.isNumber)
                let holds = needles.contains { needle in
                    needle.first == "+" ? digits.contains(needle.dropFirst().suffix(9)) : lower.contains(needle)
                }
                if holds { changed = true }
                return !holds
            }
            guard changed else { continue }
            let temporary = path + ".scrub"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(kept.joined(separator: "\n").utf8)),
                  rename(temporary, path) == 0 else {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
        }
    }

    /// Runs the retention sweep of every organization whose schedule says so; logs what it did.
    func runRetentionIfDue(now: Timestamp) async {
        for id in shards.keys.sorted() {
            guard let shard = shards[id] else { continue }
            guard await shard.view().retentionDue(at: now) else { continue }
            do {
                let sweep = try await shard.write { state throws(CallsheetError) in
                    let (changes, sweep) = state.planRetentionRun(at: now)
                    return (changes: changes, result: sweep)
                }
                logger.info("retention sweep", metadata: [
                    "organization": "\(id)", "archived": "\(sweep.archive.count)", "purged": "\(sweep.purge.count)",
                    "calls_erased": "\(sweep.eraseCallsOf.count)", "expired_dnc": "\(sweep.expired.count)", "more": "\(sweep.more)",
                ])
                // Removed contacts' calls erased above leave their cold blocks to rewrite.
                await rewriteColdSegments(shard)
                _ = try await moveCallsCold(shard, now: now)
            } catch {
                logger.warning("retention sweep failed", metadata: ["organization": "\(id)", "error": "\(error)"])
            }
        }
    }

    /// The changes to one contact still in the journal (`CONTACT.EXPORTDATA`): sequence and
    /// what changed, oldest first, at most `limit`.
    public func journalHistory(organization: OrganizationID, contact: ContactID, limit: Int = 1_000) -> JSONValue {
        guard journal != nil else { return .array([]) }
        var history: [JSONValue] = []
        _ = try? JournalReader.replay(directory: configuration.directory, dryRun: true) { record in
            guard record.type == JournalRecordType.changeSet, history.count < limit,
                  let set = try? RecordCodec.decodeChangeSet(record.payload), set.organizationID == organization else { return }
            for change in set.changes where change.mentions(contact) {
                history.append(.object([("sequence", .integer(Int64(record.sequence))), ("change", .string(change.summary))]))
            }
        }
        return .array(history)
    }
}

extension Change {
    /// True when the change is about `contact`.
    func mentions(_ contact: ContactID) -> Bool {
        if contactID == contact { return true }
        switch self {
        case .logCall(let call): return call.contactID == contact
        case .eraseCalls(let id): return id == contact
        case .changeCampaignMembers(_, let add, let remove): return add.contains(contact) || remove.contains(contact)
        case .changeDoNotCall(let put, let remove):
            return put.contains { $0.target == .contact(contact) } || remove.contains(.contact(contact))
        default: return false
        }
    }

    /// A short description of the change, no values: what kind and which fields.
    var summary: String {
        switch self {
        case .putContact: "contact written"
        case .removeContact: "contact removed"
        case .patchContact(let patch): "fields changed: " + patch.fields.map(\.name).joined(separator: ", ")
        case .setCallFields: "call summary updated"
        case .logCall(let call): "call \(call.id) logged"
        case .moveCalls(let ids, _, _, let toSurvivor): "\(ids.count) call(s) moved \(toSurvivor ? "to the survivor" : "back")"
        case .setConsents: "consent recorded"
        case .setProtected(_, let flag): flag ? "protected" : "unprotected"
        case .changeCampaignMembers(let id, let add, _): add.isEmpty ? "left campaign \(id)" : "joined campaign \(id)"
        case .changeDoNotCall(let put, _): put.isEmpty ? "do-not-call entry removed" : "do-not-call entry added"
        default: "changed"
        }
    }
}
