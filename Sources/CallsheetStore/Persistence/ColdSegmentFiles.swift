import CallsheetCore
import CallsheetStorage
import Synchronization

/// The call log's cold blocks as files of `<data>/cold/<organization>/` (docs/STORAGE.md, "Cold
/// call segments"): what the core's ``ColdBlockReader`` asks for, read with `pread`, checked
/// and decompressed on the calling task (a shard's reader, never an event loop).
public struct ColdSegmentFiles: ColdBlockReader {
    public let directory: String
    /// Id index directories read so far, by segment id and file checksum (nil: the file has
    /// none). Shared by the copies of this reader a state's views hold.
    private let indexes = IndexDirectories()

    public init(directory: String) { self.directory = directory }

    final class IndexDirectories: Sendable {
        let read = Mutex<[UInt64: ColdIdIndex?]>([:])
    }

    public func idIndex(of segment: ColdSegment) throws(CallsheetError) -> ColdIdIndex? {
        let key = UInt64(segment.id) << 32 | UInt64(segment.checksum)
        if let known = indexes.read.withLock({ $0[key] }) { return known }
        let bytes: [UInt8]?
        do throws(StorageError) {
            bytes = try ColdSegmentFile.readIndexDirectory(path: ColdSegmentFile.path(directory: directory, id: segment.id))
        } catch {
            throw CallsheetError(.unavailable, "cold call segment \(segment.id) cannot be read (\(error.message)); callsheet verify checks it, a backup restores it")
        }
        let index = try bytes.map { bytes throws(CallsheetError) in try ColdIdIndex.decode(bytes) }
        // A directory that does not match the catalogue's range is damage, not an absent index.
        if let index, !index.covers(segment) {
            throw CallsheetError(.unavailable, "cold call segment \(segment.id): its id index does not cover calls \(segment.firstCall)–\(segment.lastCall); callsheet verify checks it")
        }
        indexes.read.withLock { $0[key] = .some(index) }
        return index
    }

    public func block(_ extent: ColdExtent, of segment: ColdSegment) throws(CallsheetError) -> [UInt8] {
        do throws(StorageError) {
            return try ColdSegmentFile.readBlock(path: ColdSegmentFile.path(directory: directory, id: segment.id), offset: UInt64(extent.offset), length: extent.length)
        } catch {
            throw CallsheetError(.unavailable, "cold call segment \(segment.id) cannot be read (\(error.message)); callsheet verify checks it, a backup restores it")
        }
    }

    /// Where an organization's segments live.
    static func directory(data: String, organization: OrganizationID) -> String {
        data + "/cold/\(organization)"
    }

    /// Writes the calls of `range` as segment `id`: one block per contact, synced and renamed
    /// into place before this returns. Runs off every actor.
    public static func write(_ calls: CallLog, range: ClosedRange<CallID>, directory: String, id: UInt32) throws -> ColdSegment {
        let writer = try ColdSegmentFile.Writer(directory: directory, id: id)
        var extents: [ColdExtent] = []
        var newest = Timestamp.min
        try calls.coldBlocks(range) { contact, records in
            let (offset, length) = try writer.append(ColdBlock.encode(records))
            guard offset + UInt64(length) < UInt64(UInt32.max) else { throw CallsheetError(.limit, "a cold segment stays below 4 GiB") }
            extents.append(ColdExtent(contact: contact, count: UInt32(records.count), offset: UInt32(offset), length: length))
            for record in records { newest = max(newest, record.at) }
        }
        var chunks: [ColdExtent] = []
        try calls.coldIndexChunks(range) { count, content in
            chunks.append(try appendIndexBlock(content, count: count, to: writer))
        }
        let (bytes, checksum) = try finish(writer, index: ColdIdIndex(chunks: chunks))
        return ColdSegment(id: id, firstCall: range.lowerBound, lastCall: range.upperBound, newestAt: newest, bytes: bytes, checksum: checksum, extents: extents)
    }

    /// Appends one id index chunk as a block; returns where it lies.
    private static func appendIndexBlock(_ content: [UInt8], count: Int, to writer: ColdSegmentFile.Writer) throws -> ColdExtent {
        let (offset, length) = try writer.append(content)
        guard offset + UInt64(length) < UInt64(UInt32.max) else { throw CallsheetError(.limit, "a cold segment stays below 4 GiB") }
        return ColdExtent(contact: 0, count: UInt32(count), offset: UInt32(offset), length: length)
    }

    /// Appends the id index directory (when there is an index) and finishes the file.
    private static func finish(_ writer: ColdSegmentFile.Writer, index: ColdIdIndex?) throws -> (bytes: UInt64, checksum: UInt32) {
        guard let index else { return try writer.finish(index: nil) }
        let directory = try writer.append(index.encoded())
        return try writer.finish(index: directory)
    }

    /// Writes `segment` again as segment `id` with the moves and erasures `cold` records folded
    /// in: moved calls in their new contact's block, erased calls (no contact, no notes, no
    /// recording link) in contact 0's. Two passes, so only the changed calls are held at once.
    static func rewrite(_ segment: ColdSegment, of cold: ColdCalls, directory: String, id: UInt32) throws -> ColdSegment {
        // Pass 1: the calls that change block.
        var arriving: [UInt32: [CallRecord]] = [:]
        let anyMoved = cold.moved.keys.contains { segment.covers($0) }
        for extent in segment.extents where anyMoved || extent.contact == 0 || cold.erasesBlock(of: extent.contact, in: segment) {
            for call in try cold.read(extent, of: segment) {
                let owner = cold.owner(of: call.id, stored: extent.contact)
                if owner != extent.contact || extent.contact == 0 { arriving[owner, default: []].append(ColdCalls.present(call, owner: owner)) }
            }
        }
        // Pass 2: every contact's block in order, with what arrives in it.
        let writer = try ColdSegmentFile.Writer(directory: directory, id: id)
        var owners = Set(arriving.keys)
        for extent in segment.extents where extent.contact != 0 && !cold.erasesBlock(of: extent.contact, in: segment) { owners.insert(extent.contact) }
        var extents: [ColdExtent] = []
        for owner in owners.sorted() {
            var records = arriving[owner] ?? []
            if owner != 0, !cold.erasesBlock(of: owner, in: segment), let extent = segment.extent(of: owner) {
                records += try cold.read(extent, of: segment).filter { cold.owner(of: $0.id, stored: owner) == owner }
            }
            guard !records.isEmpty else { continue }
            records.sort { ($0.at, $0.id) > ($1.at, $1.id) }
            let (offset, length) = try writer.append(ColdBlock.encode(records))
            guard offset + UInt64(length) < UInt64(UInt32.max) else { throw CallsheetError(.limit, "a cold segment stays below 4 GiB") }
            extents.append(ColdExtent(contact: owner, count: UInt32(records.count), offset: UInt32(offset), length: length))
        }
        // The id index follows the calls to their blocks; a segment written without one (file
        // version 1) is rewritten without one too (docs/STORAGE.md).
        var index: ColdIdIndex?
        if let old = try cold.idIndex(of: segment) {
            var chunks: [ColdExtent] = []
            for (number, chunk) in old.chunks.enumerated() {
                chunks.append(try appendIndexBlock(try cold.rewrittenIndexChunk(number, of: old, in: segment), count: Int(chunk.count), to: writer))
            }
            index = ColdIdIndex(callsPerChunk: old.callsPerChunk, chunks: chunks)
        }
        let (bytes, checksum) = try finish(writer, index: index)
        return ColdSegment(id: id, firstCall: segment.firstCall, lastCall: segment.lastCall, newestAt: segment.newestAt, bytes: bytes, checksum: checksum, extents: extents)
    }
}
