/// One cold segment of an organization's call log: an append-only, zstd-compressed file under
/// `<data>/cold/<org>/` holding the calls whose ids run from ``firstCall`` through ``lastCall``,
/// one compressed block per contact (docs/STORAGE.md, "Cold call segments").
///
/// The descriptor is the whole in-memory catalogue of the file: where each contact's block
/// lies, so `CALL.HISTORY` of a cold contact reads one block per segment that holds it.
public struct ColdSegment: Sendable, Hashable {
    /// The file's number within its organization (`segment-<id>.cold`); never reused.
    public var id: UInt32
    /// The calls the segment covers, every id in the range (erased calls as extent of contact 0).
    public var firstCall: CallID
    public var lastCall: CallID
    /// The newest call time in it.
    public var newestAt: Timestamp
    /// The file's size and the CRC32C of its bytes (checked by `callsheet verify`).
    public var bytes: UInt64
    public var checksum: UInt32
    /// One entry per contact with calls in the segment (contact 0: erased calls), by contact.
    public var extents: [ColdExtent]

    public init(id: UInt32, firstCall: CallID, lastCall: CallID, newestAt: Timestamp, bytes: UInt64, checksum: UInt32, extents: [ColdExtent]) {
        self.id = id
        self.firstCall = firstCall
        self.lastCall = lastCall
        self.newestAt = newestAt
        self.bytes = bytes
        self.checksum = checksum
        self.extents = extents
    }

    /// How many calls the segment holds.
    public var callCount: Int { Int(lastCall - firstCall + 1) }

    /// The block of `contact`'s calls, if the segment holds any.
    /// - Complexity: O(log contacts in the segment).
    public func extent(of contact: UInt32) -> ColdExtent? {
        var low = 0, high = extents.count
        while low < high {
            let middle = (low + high) / 2
            if extents[middle].contact < contact { low = middle + 1 } else { high = middle }
        }
        return low < extents.count && extents[low].contact == contact ? extents[low] : nil
    }

    /// True when `id` is one of the segment's calls.
    public func covers(_ id: CallID) -> Bool { id >= firstCall && id <= lastCall }

    /// Bytes the descriptor keeps resident: 16 a contact.
    public var memoryFootprint: Int { 64 + extents.capacity * MemoryLayout<ColdExtent>.stride }
}

/// Where one contact's calls lie in a segment: `length` compressed bytes at `offset` (a block's
/// 8-byte header included), `count` calls. 16 bytes.
public struct ColdExtent: Sendable, Hashable {
    public var contact: UInt32
    public var count: UInt32
    public var offset: UInt32
    public var length: UInt32

    public init(contact: UInt32, count: UInt32, offset: UInt32, length: UInt32) {
        self.contact = contact
        self.count = count
        self.offset = offset
        self.length = length
    }
}

/// Reads cold blocks for the call log: the storage side (file, checksum, zstd) behind a
/// protocol, so the core does no I/O of its own and its tests can keep blocks in memory.
public protocol ColdBlockReader: Sendable {
    /// The decompressed bytes of the block `extent` names in `segment`, checked.
    func block(_ extent: ColdExtent, of segment: ColdSegment) throws(CallsheetError) -> [UInt8]
    /// The segment's id index (``ColdIdIndex``); nil when its file has none (file version 1,
    /// or a rewrite of such a file).
    func idIndex(of segment: ColdSegment) throws(CallsheetError) -> ColdIdIndex?
}

/// A block's content: `varint count · count × call` in the journal's call encoding
/// (docs/STORAGE.md, "Record payloads", change tag 18), newest first.
public enum ColdBlock {
    public static func encode(_ calls: [CallRecord]) -> [UInt8] {
        var writer = BinaryWriter(capacity: 16 + calls.count * 48)
        writer.varint(calls.count)
        for call in calls { RecordCodec.encode(call, into: &writer) }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(CallsheetError) -> [CallRecord] {
        var reader = BinaryReader(bytes)
        var calls: [CallRecord] = []
        let count = try reader.count(minimumBytes: 10)
        calls.reserveCapacity(count)
        for _ in 0..<count { calls.append(try RecordCodec.decodeCall(&reader)) }
        guard reader.isAtEnd else { throw reader.corrupt("trailing bytes in a cold block") }
        return calls
    }
}
