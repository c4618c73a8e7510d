import CallsheetCore
import CallsheetStorage
import Foundation

/// Cold storage of calls (`cold_call_days`; docs/STORAGE.md, "Cold call segments"): the move
/// of old calls into segment files, the rewrite that folds merges and erasures into them, and
/// the clean-up of files no catalogue names.
///
/// Order on disk, so that a crash anywhere leaves a directory that starts with the same calls:
/// the segment is written under a temporary name, synced, renamed, its directory synced, and
/// only then is the move journaled. A file the journal never named is an orphan: startup
/// deletes it. A segment a rewrite replaced is deleted as soon as neither the catalogue nor the
/// last snapshot names it: right after the rewrite is durable, or after the next snapshot.
extension ShardDirectory {
    /// What a sweep's cold moves did: the segments written (the last one's number), calls, bytes.
    public struct ColdMove: Sendable {
        public var segment: UInt32
        public var segments: Int
        public var calls: Int
        public var bytes: UInt64
    }

    /// The most calls one move takes (a segment stays well below its 4 GiB offsets). Each move is
    /// a segment of its own and one journal record; the shard serves commands between two moves.
    /// Not smaller: an apply walks the whole chain of every contact the move touches, so batches
    /// of 1,000,000 calls over 1,000,000 contacts each held the shard up to 8 s (10 of them 59 s
    /// where one move of 10,000,000 held it 17 s), and every batch is one more block read for a
    /// contact's history (docs/BENCHMARKS.md, "Cold storage of calls").
    public static let coldMoveLimit = 25_000_000
    /// The most moves one sweep makes; the next sweep goes on.
    static let coldMovesPerSweep = 256
    static let dayMilliseconds: Timestamp = 86_400_000

    nonisolated func coldDirectory(_ organization: OrganizationID) -> String {
        ColdSegmentFiles.directory(data: configuration.directory, organization: organization)
    }

    /// Gives a state read access to its organization's cold segments.
    nonisolated func attachColdReader(_ state: inout OrganizationState) {
        guard !configuration.directory.isEmpty else { return }
        state.attachColdReader(ColdSegmentFiles(directory: coldDirectory(state.organization.id)))
    }

    /// Moves the calls older than the organization's `cold_call_days` into new segments of at
    /// most `batchLimit` calls each, one move after another (each written off every actor, then
    /// journaled and applied on its own), at most ``coldMovesPerSweep`` of them. Nil when the
    /// rule is off, nothing is old enough, or writes went on to the calls meanwhile (the file is
    /// deleted; the next sweep tries again).
    public func moveCallsCold(_ shard: OrganizationShard, now: Timestamp, batchLimit: Int = coldMoveLimit) async throws(CallsheetError) -> ColdMove? {
        var total: ColdMove?
        for _ in 0..<Self.coldMovesPerSweep {
            guard let moved = try await moveColdBatch(shard, now: now, limit: batchLimit) else { break }
            total = ColdMove(
                segment: moved.segment, segments: (total?.segments ?? 0) + 1, calls: (total?.calls ?? 0) + moved.calls,
                bytes: (total?.bytes ?? 0) + moved.bytes)
        }
        return total
    }

    /// One move of ``moveCallsCold(_:now:batchLimit:)``: at most `limit` calls into one segment.
    private func moveColdBatch(_ shard: OrganizationShard, now: Timestamp, limit: Int) async throws(CallsheetError) -> ColdMove? {
        guard journal != nil else { return nil }
        await acquireCold(shard.id)
        defer { coldBusy.remove(shard.id) }
        let view = await shard.view()
        guard let days = view.retention.coldCallDays,
              let range = view.calls.coldFreezeRange(before: now - Timestamp(days) * Self.dayMilliseconds, limit: limit) else { return nil }
        let id = (view.calls.cold.segments.map(\.id).max() ?? 0) + 1
        let directory = coldDirectory(shard.id)
        let calls = view.calls
        let written = await Task.detached(priority: .utility) { () -> Result<ColdSegment, CallsheetError> in
            do { return .success(try ColdSegmentFiles.write(calls, range: range, directory: directory, id: id)) } catch { return .failure(Self.coldError(error)) }
        }.value
        let segment = try written.get()
        let generation = view.calls.generation
        let committed = try await commitCold(shard, file: ColdSegmentFile.path(directory: directory, id: id)) { state in
            state.calls.generation == generation && state.calls.cold.through + 1 == range.lowerBound ? .freezeCalls(segment) : nil
        }
        guard committed else { return nil }
        logger.info("calls moved to cold storage", metadata: [
            "organization": "\(shard.id)", "segment": "\(id)", "calls": "\(range.count)", "bytes": "\(segment.bytes)",
        ])
        return ColdMove(segment: id, segments: 1, calls: range.count, bytes: segment.bytes)
    }

    /// Rewrites every segment of the organization whose file still holds calls that moved or
    /// were erased since it was written. True when none is left (then no cold file holds an
    /// erased call's contact, notes or recording link).
    @discardableResult
    public func rewriteColdSegments(_ shard: OrganizationShard) async -> Bool {
        guard journal != nil else { return true }
        await acquireCold(shard.id)
        defer { coldBusy.remove(shard.id) }
        for _ in 0..<64 {
            let view = await shard.view()
            let cold = view.calls.cold
            guard let segment = cold.segments.first(where: cold.needsRewrite) else { return true }
            let id = (cold.segments.map(\.id).max() ?? 0) + 1
            let directory = coldDirectory(shard.id)
            let written = await Task.detached(priority: .utility) { () -> Result<ColdSegment, CallsheetError> in
                do { return .success(try ColdSegmentFiles.rewrite(segment, of: cold, directory: directory, id: id)) } catch { return .failure(Self.coldError(error)) }
            }.value
            guard case .success(let rewritten) = written else {
                logger.warning("cold segment rewrite failed", metadata: ["organization": "\(shard.id)", "segment": "\(segment.id)", "error": "\(written)"])
                return false
            }
            let generation = view.calls.generation
            do {
                let committed = try await commitCold(shard, file: ColdSegmentFile.path(directory: directory, id: id)) { state in
                    state.calls.generation == generation ? .replaceColdSegment(rewritten) : nil
                }
                if committed {
                    replacedColdSegments[shard.id, default: []].insert(segment.id)
                    await deleteReplacedColdSegments(shard.id)
                }
            } catch {
                logger.warning("cold segment rewrite not recorded", metadata: ["organization": "\(shard.id)", "error": "\(error)"])
                return false
            }
        }
        return false
    }

    /// Deletes the files of `organization`'s replaced segments (``replacedColdSegments``) that
    /// neither its catalogue nor the last snapshot written names. The rewrite's journal record is
    /// durable by then, so a recovery from any snapshot replays past the replacement: a kill at
    /// any point leaves a directory that starts (a file left behind is deleted at start). Waits
    /// while a snapshot, compaction or backup runs unless `snapshot` says the caller is the
    /// snapshot (a backup copies the files its snapshot names).
    func deleteReplacedColdSegments(_ organization: OrganizationID, snapshot: Bool = false) async {
        guard let pending = replacedColdSegments[organization], !pending.isEmpty, snapshot || !persistence.snapshotInProgress,
              let shard = shards[organization] else { return }
        let catalogue = Set(await shard.view().calls.cold.segments.map(\.id))
        let directory = coldDirectory(organization)
        for id in pending.subtracting(snapshotColdSegments[organization] ?? []).subtracting(catalogue).sorted() {
            let path = ColdSegmentFile.path(directory: directory, id: id)
            do {
                try FileManager.default.removeItem(atPath: path)
            } catch where !FileManager.default.fileExists(atPath: path) {
                // Already gone (an erasure's clean-up): nothing to do.
            } catch {
                logger.warning("replaced cold segment not deleted", metadata: ["organization": "\(organization)", "segment": "\(id)", "error": "\(error)"])
                continue
            }
            replacedColdSegments[organization]?.remove(id)
            logger.info("replaced cold segment deleted", metadata: ["organization": "\(organization)", "segment": "\(id)"])
        }
        if replacedColdSegments[organization]?.isEmpty == true { replacedColdSegments[organization] = nil }
    }

    /// After a snapshot: remembers the segments it names, and deletes replaced segments it no
    /// longer names.
    func snapshotWritten(naming captures: [OrganizationState]) async {
        snapshotColdSegments = Dictionary(captures.map { ($0.organization.id, Set($0.calls.cold.segments.map(\.id))) }, uniquingKeysWith: { first, _ in first })
        for organization in replacedColdSegments.keys.sorted() { await deleteReplacedColdSegments(organization, snapshot: true) }
    }

    /// Waits until no other cold move or rewrite of `organization` runs, then marks one running
    /// (the caller removes the mark when done).
    private func acquireCold(_ organization: OrganizationID) async {
        while coldBusy.contains(organization) { try? await Task.sleep(for: .milliseconds(20)) }
        coldBusy.insert(organization)
    }

    /// Journals the change `decide` returns against the shard's current state; when it returns
    /// nil (the calls changed since the file was planned) or the journal refuses, deletes `file`.
    private func commitCold(_ shard: OrganizationShard, file: String, _ decide: @escaping @Sendable (OrganizationState) -> Change?) async throws(CallsheetError) -> Bool {
        do throws(CallsheetError) {
            let committed = try await shard.write { state throws(CallsheetError) in
                guard let change = decide(state) else { return (changes: [], result: false) }
                return (changes: [change], result: true)
            }
            if !committed { try? FileManager.default.removeItem(atPath: file) }
            return committed
        } catch {
            try? FileManager.default.removeItem(atPath: file)
            throw error
        }
    }

    nonisolated static func coldError(_ error: any Error) -> CallsheetError {
        if let error = error as? CallsheetError { return error }
        if let error = error as? StorageError { return CallsheetError(.unavailable, "cold storage: \(error.message)") }
        return CallsheetError(.unavailable, "cold storage: \(error)")
    }

    /// Deletes the files of `<data>/cold/<organization>/` no catalogue names: orphans of a move or
    /// rewrite that a crash cut before its journal record, segments a rewrite replaced, and
    /// temporary files. Returns the names deleted.
    @discardableResult
    static func removeUnreferencedColdFiles(data: String, organizations: [OrganizationState]) -> [String] {
        var removed: [String] = []
        let root = data + "/cold"
        let referenced = Dictionary(uniqueKeysWithValues: organizations.map { ($0.organization.id, Set($0.calls.cold.segments.map(\.id))) })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            guard let organization = OrganizationID(name) else { continue }
            let directory = root + "/" + name
            let keep = referenced[organization] ?? []
            for file in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
                if let id = ColdSegmentFile.id(fileName: file), keep.contains(id) { continue }
                if (try? FileManager.default.removeItem(atPath: directory + "/" + file)) != nil { removed.append("cold/\(name)/\(file)") }
            }
        }
        return removed
    }

    /// ``removeUnreferencedColdFiles(data:organizations:)`` for the running directory.
    func removeUnreferencedColdFiles() async -> [String] {
        guard journal != nil else { return [] }
        var states: [OrganizationState] = []
        for id in shards.keys.sorted() { if let shard = shards[id] { states.append(await shard.view()) } }
        return Self.removeUnreferencedColdFiles(data: configuration.directory, organizations: states)
    }
}

extension ShardDirectory {
    /// Checks every organization's cold segments against its catalogue (`callsheet verify`):
    /// each file named is there, whole, of the size and checksum the catalogue states, every
    /// block's checksum and frame right, and every extent on a block. One line per problem.
    public func verifyColdSegments() async -> [String] {
        var states: [OrganizationState] = []
        for id in shards.keys.sorted() { if let shard = shards[id] { states.append(await shard.view()) } }
        return Self.verifyColdSegments(data: configuration.directory, organizations: states)
    }

    static func verifyColdSegments(data: String, organizations: [OrganizationState]) -> [String] {
        var problems: [String] = []
        for state in organizations {
            let directory = ColdSegmentFiles.directory(data: data, organization: state.organization.id)
            for segment in state.calls.cold.segments {
                let path = ColdSegmentFile.path(directory: directory, id: segment.id)
                let name = "cold/\(state.organization.id)/segment-\(segment.id).cold"
                do throws(StorageError) {
                    let summary = try ColdSegmentFile.verify(path: path)
                    guard summary.bytes == segment.bytes, summary.checksum == segment.checksum else {
                        problems.append("\(name): \(summary.bytes) bytes with checksum \(summary.checksum), the catalogue says \(segment.bytes) and \(segment.checksum)")
                        continue
                    }
                    let blocks = Dictionary(summary.blocks.map { ($0.offset, $0.length) }, uniquingKeysWith: { first, _ in first })
                    // Version 2: the id index's chunks and directory are blocks too.
                    var indexBlocks = 0
                    if summary.indexDirectory != nil {
                        guard let index = try? ColdSegmentFiles(directory: directory).idIndex(of: segment) else {
                            problems.append("\(name): its id index does not decode or does not cover calls \(segment.firstCall)–\(segment.lastCall)")
                            continue
                        }
                        if let stray = index.chunks.first(where: { blocks[UInt64($0.offset)] != $0.length }) {
                            problems.append("\(name): the id index's chunk at offset \(stray.offset) is not a block of the file")
                            continue
                        }
                        indexBlocks = index.chunks.count + 1
                    }
                    if let stray = segment.extents.first(where: { blocks[UInt64($0.offset)] != $0.length }) {
                        problems.append("\(name): the catalogue's block of contact \(stray.contact) at offset \(stray.offset) is not a block of the file")
                    } else if blocks.count != segment.extents.count + indexBlocks {
                        problems.append("\(name): \(blocks.count) blocks, the catalogue names \(segment.extents.count) and the id index \(indexBlocks)")
                    }
                } catch {
                    problems.append("\(name): \(error.message)")
                }
            }
        }
        return problems
    }
}
