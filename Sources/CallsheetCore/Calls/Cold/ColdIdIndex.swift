/// A cold segment's calls in id order, beside its blocks grouped by contact (docs/STORAGE.md,
/// "Cold call segments", file version 2): so that `CALL.LIST`, which walks calls by id, reads
/// one small chunk per 1,024 ids instead of every block of the segment.
///
/// Each chunk holds its calls without their texts (notes, recording link) plus the contact they
/// are stored under, which is all a `CALL.LIST` filter looks at; a call with texts that makes it
/// into a page is completed from its contact's block. The directory (where each chunk lies) is
/// a block of the file too, read once per segment and cached by the reader.
public struct ColdIdIndex: Sendable, Hashable {
    /// Ids a chunk covers (the last chunk may cover fewer).
    public static let callsPerChunk = 1_024

    public var callsPerChunk: Int
    /// Where each chunk lies in the file (contact 0; `count` its calls), chunk 0 first.
    public var chunks: [ColdExtent]

    public init(callsPerChunk: Int = Self.callsPerChunk, chunks: [ColdExtent]) {
        self.callsPerChunk = callsPerChunk
        self.chunks = chunks
    }

    /// One call of a chunk: the call as stored (its contact the one whose block holds it; notes
    /// and recording link left out) and whether it has texts.
    public struct Entry: Sendable, Hashable {
        public var call: CallRecord
        public var hasTexts: Bool
        public var stored: UInt32 { UInt32(truncatingIfNeeded: call.contactID) }
    }

    /// The chunk holding call `id` of `segment`, and its first id.
    public func chunk(holding id: CallID, of segment: ColdSegment) -> (number: Int, first: CallID) {
        let number = Int((id - segment.firstCall) / CallID(callsPerChunk))
        return (number, segment.firstCall + CallID(number * callsPerChunk))
    }

    /// True when the directory covers exactly the ids of `segment`, one chunk after another.
    public func covers(_ segment: ColdSegment) -> Bool {
        guard callsPerChunk > 0 else { return false }
        let expected = (segment.callCount + callsPerChunk - 1) / callsPerChunk
        guard chunks.count == expected else { return false }
        return chunks.enumerated().allSatisfy { number, chunk in
            Int(chunk.count) == Swift.min(callsPerChunk, segment.callCount - number * callsPerChunk)
        }
    }

    // MARK: Encoding

    /// The directory block's content: `varint calls per chunk · varint chunks · chunks × (varint
    /// calls, varint offset, varint length)`.
    public func encoded() -> [UInt8] {
        var writer = BinaryWriter(capacity: 16 + chunks.count * 8)
        writer.varint(callsPerChunk)
        writer.varint(chunks.count)
        for chunk in chunks {
            writer.varint(UInt64(chunk.count))
            writer.varint(UInt64(chunk.offset))
            writer.varint(UInt64(chunk.length))
        }
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(CallsheetError) -> ColdIdIndex {
        var reader = BinaryReader(bytes)
        let perChunk = try reader.int(atMost: 1 << 20)
        guard perChunk > 0 else { throw reader.corrupt("a cold id index of 0 calls a chunk") }
        var chunks: [ColdExtent] = []
        let count = try reader.count(minimumBytes: 3)
        chunks.reserveCapacity(count)
        for _ in 0..<count {
            let calls = try reader.int(atMost: perChunk), offset = try reader.int(atMost: Int(UInt32.max)), length = try reader.int(atMost: Int(UInt32.max))
            chunks.append(ColdExtent(contact: 0, count: UInt32(calls), offset: UInt32(offset), length: UInt32(length)))
        }
        guard reader.isAtEnd else { throw reader.corrupt("trailing bytes in a cold id index") }
        return ColdIdIndex(callsPerChunk: perChunk, chunks: chunks)
    }

    /// A chunk's content: `varint calls · calls × (u8 has texts · call)`, ids ascending, each call
    /// in the journal's call encoding (change tag 18) with its stored contact and no texts.
    /// `calls` are as their blocks hold them (texts included: only their presence is kept).
    public static func encodeChunk(_ calls: some Collection<CallRecord>) -> [UInt8] {
        var writer = BinaryWriter(capacity: 16 + calls.count * 32)
        writer.varint(calls.count)
        for call in calls {
            var bare = call
            bare.notes = nil
            bare.recordingURL = nil
            writer.byte(call.notes != nil || call.recordingURL != nil ? 1 : 0)
            RecordCodec.encode(bare, into: &writer)
        }
        return writer.bytes
    }

    /// ``encodeChunk(_:)`` of entries (a rewrite's, whose texts are already left out).
    public static func encodeChunk(entries: some Collection<Entry>) -> [UInt8] {
        var writer = BinaryWriter(capacity: 16 + entries.count * 32)
        writer.varint(entries.count)
        for entry in entries {
            writer.byte(entry.hasTexts ? 1 : 0)
            RecordCodec.encode(entry.call, into: &writer)
        }
        return writer.bytes
    }

    /// Decodes a chunk and checks it holds ids `first`, `first + 1`, … (`count` of them).
    public static func decodeChunk(_ bytes: [UInt8], first: CallID, count: Int) throws(CallsheetError) -> [Entry] {
        var reader = BinaryReader(bytes)
        let calls = try reader.count(minimumBytes: 11)
        guard calls == count else { throw reader.corrupt("a cold id index chunk of \(calls) calls, \(count) expected") }
        var entries: [Entry] = []
        entries.reserveCapacity(calls)
        for offset in 0..<calls {
            let flags = try reader.byte()
            let call = try RecordCodec.decodeCall(&reader)
            guard flags <= 1, call.id == first + CallID(offset), call.notes == nil, call.recordingURL == nil else {
                throw reader.corrupt("cold id index entry \(offset) of the chunk from \(first) is call \(call.id)")
            }
            entries.append(Entry(call: call, hasTexts: flags == 1))
        }
        guard reader.isAtEnd else { throw reader.corrupt("trailing bytes in a cold id index chunk") }
        return entries
    }
}
