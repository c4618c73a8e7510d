import ChunkedCollections

/// The trigram index's image (see ``IndexImage``):
///
/// ```
/// varint chunks · per chunk: varint arena length · arena bytes · varint slots (≤ 1,024) · slots × UInt32 record offset (0xFFFFFFFF: none)
/// varint lists · per list, keys ascending: varint key · varint postings · varint segments · per segment: varint length · segment bytes
/// ```
///
/// Text chunks and posting segments are written as they lie in memory (``DocumentTexts``,
/// ``PostingList``); reading adopts them after checking them, without decoding a document.
extension TrigramIndex {
    /// Appends the image to `output`, handing `output` to `flush` whenever it holds more than
    /// `pieceSize` bytes between two chunks or lists (a snapshot writes in pieces).
    ///
    /// - Complexity: O(bytes held + lists × log lists): lists are written in key order, so the
    ///   same index always writes the same bytes.
    public func writeImage(into output: inout [UInt8], pieceSize: Int, flush: (inout [UInt8]) throws -> Void) rethrows {
        IndexImage.appendVarint(texts.chunks.count, to: &output)
        for chunk in texts.chunks {
            IndexImage.appendVarint(chunk.arena.count, to: &output)
            output.append(contentsOf: chunk.arena)
            IndexImage.appendVarint(chunk.offsets.count, to: &output)
            IndexImage.appendLittleEndian(chunk.offsets, to: &output)
            if output.count > pieceSize { try flush(&output) }
        }
        var lists: [(key: UInt32, list: PostingList)] = []
        lists.reserveCapacity(postings.count)
        for entry in postings { lists.append((entry.key, entry.value)) }
        lists.sort { $0.key < $1.key }
        IndexImage.appendVarint(lists.count, to: &output)
        for (key, list) in lists {
            IndexImage.appendVarint(UInt64(key), to: &output)
            IndexImage.appendVarint(UInt64(list.count), to: &output)
            IndexImage.appendVarint(list.segments.count, to: &output)
            for segment in list.segments {
                IndexImage.appendVarint(segment.count, to: &output)
                output.append(contentsOf: segment)
            }
            if output.count > pieceSize { try flush(&output) }
        }
    }

    /// Reads an image written by ``writeImage(into:pieceSize:flush:)`` from `buffer` at
    /// `offset`, advancing it past the image. Every slot must be below `documentLimit`.
    ///
    /// - Complexity: O(bytes of the image), plus one dictionary insertion per posting list.
    public init(image buffer: UnsafeBufferPointer<UInt8>, offset: inout Int, documentLimit: Int) throws(TextIndexError) {
        var reader = ImageReader(buffer: buffer, offset: offset)
        let limit = UInt32(clamping: documentLimit)
        self.init()
        texts = try DocumentTexts(image: &reader, documentLimit: documentLimit)
        // A list takes at least a key, a count, a segment count, a length and a 7-byte block.
        let listCount = try reader.count(minimumBytes: 11)
        postings.reserveCapacity(listCount)
        var previousKey: Int64 = -1
        for _ in 0..<listCount {
            let key = try reader.int(atMost: Int(UInt32.max))
            guard Int64(key) > previousKey else { throw reader.damaged("posting list keys are not ascending") }
            previousKey = Int64(key)
            let count = try reader.int(atMost: Int(limit))
            let segmentCount = try reader.count(minimumBytes: 8)
            guard count > 0, segmentCount > 0 else { throw reader.damaged("an empty posting list") }
            var segments: [[UInt8]] = []
            segments.reserveCapacity(segmentCount)
            for _ in 0..<segmentCount {
                segments.append(try reader.bytes(try reader.int(atMost: buffer.count)))
            }
            postings[UInt32(key)] = try PostingList(validating: segments, count: UInt32(count), below: limit, reader)
        }
        offset = reader.offset
    }
}

extension PostingList {
    /// Adopts `segments` as a list after walking every block: headers in bounds, 1–128 slots a
    /// block, payload lengths exact, slots strictly increasing and below `limit`, `count` right.
    init(validating segments: [[UInt8]], count: UInt32, below limit: UInt32, _ reader: ImageReader) throws(TextIndexError) {
        var previous: Int64 = -1
        var total: UInt32 = 0
        var lastBlock = 0
        for segment in segments {
            guard !segment.isEmpty else { throw reader.damaged("an empty posting segment") }
            try segment.withUnsafeBufferPointer { buffer throws(TextIndexError) in
                var start = 0
                while start < buffer.count {
                    guard buffer.count - start >= Self.headerSize else { throw reader.damaged("a posting block header past its segment") }
                    let blockCount = Int(buffer[start + 4])
                    let end = start + Self.headerSize + Self.payloadLength(buffer, at: start)
                    guard (1...Self.blockCapacity).contains(blockCount), end <= buffer.count else {
                        throw reader.damaged("a posting block of \(blockCount) slots or past its segment")
                    }
                    var slot = Int64(Self.first(buffer, at: start))
                    guard slot > previous, slot < Int64(limit) else { throw reader.damaged("posting \(slot) out of order or range") }
                    var offset = start + Self.headerSize
                    for _ in 1..<blockCount {
                        var gap: Int64 = 0
                        var shift: Int64 = 0
                        while true {
                            guard offset < end, shift < 35 else { throw reader.damaged("a posting gap past its block") }
                            let byte = buffer[offset]
                            offset += 1
                            gap |= Int64(byte & 0x7F) << shift
                            if byte < 0x80 { break }
                            shift += 7
                        }
                        slot += gap
                        guard gap > 0, slot < Int64(limit) else { throw reader.damaged("posting \(slot) out of order or range") }
                    }
                    guard offset == end else { throw reader.damaged("a posting block's payload length is wrong") }
                    previous = slot
                    total += UInt32(blockCount)
                    lastBlock = start
                    start = end
                }
            }
        }
        guard total == count else { throw reader.damaged("a posting list counts \(count) but holds \(total)") }
        self.init()
        self.segments = segments
        self.count = count
        self.last = UInt32(previous)
        self.lastBlockStart = UInt32(lastBlock)
    }
}

extension DocumentTexts {
    /// Reads the text chunks of an image, checking that every record lies inside its arena,
    /// has at most ``TrigramIndex/maxFieldCount`` fields and overlaps no other record.
    init(image reader: inout ImageReader, documentLimit: Int) throws(TextIndexError) {
        self.init()
        let chunkCount = try reader.int(atMost: (documentLimit + Self.chunkSlots - 1) / Self.chunkSlots)
        chunks.reserveCapacity(chunkCount)
        for index in 0..<chunkCount {
            var chunk = TextChunk()
            chunk.arena = try reader.bytes(try reader.int(atMost: Int(TextChunk.absent - 1)))
            let slots = try reader.int(atMost: min(Self.chunkSlots, documentLimit - index * Self.chunkSlots))
            chunk.offsets = try reader.littleEndian(UInt32.self, count: slots)
            let live = try chunk.arena.withUnsafeBufferPointer { arena throws(TextIndexError) in
                var records: [(start: Int, end: Int)] = []
                records.reserveCapacity(slots)
                for offset in chunk.offsets where offset != TextChunk.absent {
                    records.append((Int(offset), try Self.recordEnd(arena, at: Int(offset), reader)))
                }
                records.sort { $0.start < $1.start }
                var previousEnd = 0
                var live = 0
                for record in records {
                    guard record.start >= previousEnd else { throw reader.damaged("text records overlap in chunk \(index)") }
                    previousEnd = record.end
                    live += record.end - record.start
                }
                count += records.count
                return live
            }
            chunk.garbage = chunk.arena.count - live
            chunks.append(chunk)
        }
    }

    /// The end of the record at `start` in `arena`, or an error when it does not fit.
    private static func recordEnd(_ arena: UnsafeBufferPointer<UInt8>, at start: Int, _ reader: ImageReader) throws(TextIndexError) -> Int {
        guard start < arena.count, Int(arena[start]) <= TrigramIndex.maxFieldCount else {
            throw reader.damaged("a text record outside its arena or of more than \(TrigramIndex.maxFieldCount) fields")
        }
        var offset = start + 1
        for _ in 0..<Int(arena[start]) {
            var length = 0
            var shift = 0
            while true {
                guard offset < arena.count, shift < 35 else { throw reader.damaged("a text field past its arena") }
                let byte = arena[offset]
                offset += 1
                length |= Int(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            guard length <= arena.count - offset else { throw reader.damaged("a text field past its arena") }
            offset += length
        }
        return offset
    }
}

extension PhoneSuffixIndex {
    /// Appends the image: `varint entries · varint buckets in use · per bucket in use, ascending:
    /// varint bucket · varint n · n × UInt64 entry`, handing `output` to `flush` whenever it
    /// holds more than `pieceSize` bytes between two buckets.
    public func writeImage(into output: inout [UInt8], pieceSize: Int, flush: (inout [UInt8]) throws -> Void) rethrows {
        IndexImage.appendVarint(count, to: &output)
        IndexImage.appendVarint(buckets.count { !$0.isEmpty }, to: &output)
        for (index, bucket) in buckets.enumerated() where !bucket.isEmpty {
            IndexImage.appendVarint(index, to: &output)
            IndexImage.appendVarint(bucket.count, to: &output)
            IndexImage.appendLittleEndian(bucket, to: &output)
            if output.count > pieceSize { try flush(&output) }
        }
    }

    /// Reads what ``writeImage(into:pieceSize:flush:)`` wrote at `offset`, advancing it; every
    /// bucket must be strictly increasing and every slot below `documentLimit`.
    public init(image buffer: UnsafeBufferPointer<UInt8>, offset: inout Int, documentLimit: Int) throws(TextIndexError) {
        var reader = ImageReader(buffer: buffer, offset: offset)
        self.init()
        let total = try reader.count(minimumBytes: 8)
        let used = try reader.int(atMost: buckets.count)
        var previous = -1
        for _ in 0..<used {
            let index = try reader.int(atMost: buckets.count - 1)
            guard index > previous else { throw reader.damaged("phone suffix buckets are not ascending") }
            previous = index
            let entries = try reader.littleEndian(UInt64.self, count: try reader.count(minimumBytes: 8))
            for position in entries.indices {
                guard Int(UInt32(truncatingIfNeeded: entries[position])) < documentLimit,
                    position == 0 || entries[position - 1] < entries[position]
                else { throw reader.damaged("phone suffix bucket \(index) is out of order or names a slot out of range") }
            }
            buckets[index] = entries
            count += entries.count
        }
        guard count == total else { throw reader.damaged("the phone suffix index counts \(total) but holds \(count)") }
        offset = reader.offset
    }
}
