/// The folded fields of every document, packed in byte arenas of ``chunkSlots`` slots each.
///
/// A record is `field count (UInt8) · per field: length (varint) · UTF-8 bytes`. Each chunk maps
/// its slots to records in its own arena (``TextChunk/absent`` when a slot is free). A replaced
/// record that fits is rewritten in place; otherwise the new one is appended and the old bytes
/// become garbage, reclaimed when garbage passes a quarter of the chunk's arena.
///
/// Chunks are values in an array, so a copy of the index (a snapshot's view) shares them: the
/// next write copies the chunk directory and one chunk of a few tens of kilobytes, not every
/// document's text.
struct DocumentTexts: Sendable {
    /// Slots per chunk (a power of two).
    static let chunkSlots = 1024
    static let chunkShift = 10

    var chunks: [TextChunk] = []
    var count = 0

    func contains(_ slot: UInt32) -> Bool {
        let chunk = Int(slot) >> Self.chunkShift
        return chunk < chunks.count && chunks[chunk].contains(Int(slot) & (Self.chunkSlots - 1))
    }

    /// Stores `fields` for `slot`, replacing what was there.
    ///
    /// - Complexity: O(length of the fields), plus an occasional compaction of one chunk.
    mutating func set(_ slot: UInt32, fields: [String]) {
        var record: [UInt8] = [UInt8(fields.count)]
        for field in fields {
            var length = field.utf8.count
            while length >= 0x80 {
                record.append(UInt8(truncatingIfNeeded: length) | 0x80)
                length >>= 7
            }
            record.append(UInt8(length))
            record.append(contentsOf: field.utf8)
        }
        let chunk = Int(slot) >> Self.chunkShift
        if chunk >= chunks.count { chunks.append(contentsOf: repeatElement(TextChunk(), count: chunk + 1 - chunks.count)) }
        if chunks[chunk].set(Int(slot) & (Self.chunkSlots - 1), record: record) { count += 1 }
    }

    /// Forgets `slot`'s fields.
    mutating func remove(_ slot: UInt32) {
        guard contains(slot) else { return }
        chunks[Int(slot) >> Self.chunkShift].remove(Int(slot) & (Self.chunkSlots - 1))
        count -= 1
    }

    /// Calls `body` with `slot`'s chunk arena and the offset of its record in it, or returns nil
    /// when the slot holds nothing.
    @inline(__always)
    func withRecord<T>(_ slot: UInt32, _ body: (_ arena: UnsafeBufferPointer<UInt8>, _ record: Int) -> T) -> T? {
        guard contains(slot) else { return nil }
        let chunk = chunks[Int(slot) >> Self.chunkShift]
        let record = Int(chunk.offsets[Int(slot) & (Self.chunkSlots - 1)])
        return chunk.arena.withUnsafeBufferPointer { body($0, record) }
    }

    /// Calls `body` with the byte range of each field of the record at `start` inside `buffer`.
    @inline(__always)
    static func forEachField(
        _ buffer: UnsafeBufferPointer<UInt8>, record start: Int,
        _ body: (_ field: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Void
    ) {
        var offset = start + 1
        for field in 0..<Int(buffer[start]) {
            let length = readLength(buffer, at: &offset)
            body(field, UnsafeBufferPointer(rebasing: buffer[offset..<(offset + length)]))
            offset += length
        }
    }

    /// The stored fields of `slot` as strings (tests, invariant checks, re-indexing).
    func fields(of slot: UInt32) -> [String]? {
        withRecord(slot) { buffer, record in
            var result: [String] = []
            Self.forEachField(buffer, record: record) { _, bytes in
                result.append(String(decoding: bytes, as: UTF8.self))
            }
            return result
        }
    }

    /// One stored field of `slot` as bytes (one allocation; sorting by a field reads it per document).
    func fieldBytes(_ index: Int, of slot: UInt32) -> [UInt8]? {
        withRecord(slot) { buffer, record in
            var result: [UInt8]?
            Self.forEachField(buffer, record: record) { field, bytes in
                if field == index { result = Array(bytes) }
            }
            return result ?? []
        }
    }

    /// True when one of the first `fieldCount` fields of `slot` contains `needle` (no allocation).
    /// - Complexity: O(length of those fields × length of `needle`) at worst.
    func anyField(of slot: UInt32, among fieldCount: Int, contains needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        return withRecord(slot) { buffer, record in
            var found = false
            Self.forEachField(buffer, record: record) { field, bytes in
                guard !found, field < fieldCount, bytes.count >= needle.count else { return }
                let first = needle[0]
                var start = bytes.startIndex
                let last = bytes.endIndex - needle.count
                while start <= last {
                    if bytes[start] == first {
                        var offset = 1
                        while offset < needle.count, bytes[start + offset] == needle[offset] { offset += 1 }
                        if offset == needle.count { found = true; return }
                    }
                    start += 1
                }
            }
            return found
        } ?? false
    }

    /// Every slot that holds a record, ascending.
    var storedSlots: [UInt32] {
        var slots: [UInt32] = []
        for (chunk, texts) in chunks.enumerated() {
            for offset in texts.offsets.indices where texts.offsets[offset] != TextChunk.absent {
                slots.append(UInt32(chunk << Self.chunkShift + offset))
            }
        }
        return slots
    }

    /// Checks every chunk's byte accounting (for invariant checks).
    func checkAccounting() throws(TextIndexError) {
        for (index, chunk) in chunks.enumerated() {
            let live = chunk.liveBytes()
            guard live + chunk.garbage == chunk.arena.count else {
                throw .invariant("text chunk \(index) holds \(chunk.arena.count) bytes; live \(live) + garbage \(chunk.garbage)")
            }
        }
    }

    /// Drops the chunks' unused capacity.
    mutating func shrinkToFit() {
        for index in chunks.indices { chunks[index].shrinkToFit() }
    }

    var memoryFootprint: Int {
        chunks.capacity * MemoryLayout<TextChunk>.stride + chunks.reduce(0) { $0 + $1.memoryFootprint }
    }

    @inline(__always)
    static func readLength(_ buffer: UnsafeBufferPointer<UInt8>, at offset: inout Int) -> Int {
        var length = 0
        var shift = 0
        while true {
            let byte = buffer[offset]
            offset += 1
            length |= Int(byte & 0x7F) << shift
            if byte < 0x80 { return length }
            shift += 7
        }
    }
}

/// The records of one chunk of ``DocumentTexts/chunkSlots`` slots, in one arena.
struct TextChunk: Sendable {
    static let absent = UInt32.max

    var arena: [UInt8] = []
    /// Record offsets in `arena` by slot within the chunk; as long as the highest slot used.
    var offsets: [UInt32] = []
    var garbage = 0

    func contains(_ slot: Int) -> Bool { slot < offsets.count && offsets[slot] != Self.absent }

    /// Stores `record` for `slot`; true when the slot was empty.
    mutating func set(_ slot: Int, record: [UInt8]) -> Bool {
        if slot >= offsets.count { offsets.append(contentsOf: repeatElement(Self.absent, count: slot + 1 - offsets.count)) }
        let old = offsets[slot]
        if old != Self.absent {
            let oldSize = recordSize(at: Int(old))
            if record.count <= oldSize {
                arena.replaceSubrange(Int(old)..<(Int(old) + record.count), with: record)
                clear(Int(old) + record.count, count: oldSize - record.count)
                garbage += oldSize - record.count
                return false
            }
            clear(Int(old), count: oldSize)
            garbage += oldSize
        }
        offsets[slot] = UInt32(arena.count)
        arena.append(contentsOf: record)
        compactIfWasteful()
        return old == Self.absent
    }

    mutating func remove(_ slot: Int) {
        guard contains(slot) else { return }
        let size = recordSize(at: Int(offsets[slot]))
        clear(Int(offsets[slot]), count: size)
        garbage += size
        offsets[slot] = Self.absent
        compactIfWasteful()
    }

    /// Zeroes bytes no record uses any more: a removed or replaced text must not outlive its
    /// document, in memory or in an index image written to a snapshot (`CONTACT.ERASE`).
    private mutating func clear(_ start: Int, count: Int) {
        guard count > 0 else { return }
        arena.withUnsafeMutableBufferPointer { buffer in
            for index in start..<(start + count) { buffer[index] = 0 }
        }
    }

    func liveBytes() -> Int {
        offsets.reduce(0) { total, offset in offset == Self.absent ? total : total + recordSize(at: Int(offset)) }
    }

    mutating func shrinkToFit() {
        if arena.capacity - arena.count > arena.count / 8 { arena = Array(arena[...]) }
        if offsets.capacity - offsets.count > offsets.count / 8 { offsets = Array(offsets[...]) }
    }

    var memoryFootprint: Int {
        (arena.capacity > 0 ? arena.capacity + 32 : 0) + (offsets.capacity > 0 ? offsets.capacity * 4 + 32 : 0)
    }

    private func recordSize(at start: Int) -> Int {
        arena.withUnsafeBufferPointer { buffer in
            var offset = start + 1
            for _ in 0..<Int(buffer[start]) {
                offset += DocumentTexts.readLength(buffer, at: &offset)
            }
            return offset - start
        }
    }

    private mutating func compactIfWasteful() {
        guard garbage > 512, garbage * 4 > arena.count else { return }
        var compacted: [UInt8] = []
        compacted.reserveCapacity(arena.count - garbage)
        for index in offsets.indices where offsets[index] != Self.absent {
            let start = Int(offsets[index])
            offsets[index] = UInt32(compacted.count)
            compacted.append(contentsOf: arena[start..<(start + recordSize(at: start))])
        }
        arena = compacted
        garbage = 0
    }
}

extension DocumentTexts {
    /// How many chunks' arenas this store shares with `other` (tests of copy-on-write).
    func _sharedChunks(with other: DocumentTexts) -> Int {
        zip(chunks, other.chunks).reduce(0) { shared, pair in
            let same = pair.0.arena.withUnsafeBufferPointer { left in
                pair.1.arena.withUnsafeBufferPointer { right in left.baseAddress != nil && left.baseAddress == right.baseAddress }
            }
            return shared + (same ? 1 : 0)
        }
    }
}
