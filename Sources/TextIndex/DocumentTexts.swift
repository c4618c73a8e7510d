/// The folded fields of every document, packed in one byte arena.
///
/// A record is `field count (UInt8) · per field: length (varint) · UTF-8 bytes`. `offsets`
/// maps a slot to its record (``absent`` when the slot is free). A replaced record that fits
/// is rewritten in place; otherwise the new one is appended and the old bytes become garbage,
/// reclaimed by ``compactIfWasteful()`` once garbage passes a quarter of the arena.
struct DocumentTexts: Sendable {
    static let absent = UInt64.max

    private(set) var arena: [UInt8] = []
    /// Byte offsets into `arena`, 64-bit so that an arena past 4 GiB never traps.
    private(set) var offsets: [UInt64] = []
    private(set) var garbage = 0
    private(set) var count = 0

    func contains(_ slot: UInt32) -> Bool {
        Int(slot) < offsets.count && offsets[Int(slot)] != Self.absent
    }

    /// Stores `fields` for `slot`, replacing what was there.
    ///
    /// - Complexity: O(length of the fields), plus an occasional O(arena) compaction.
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
        let index = Int(slot)
        if index >= offsets.count {
            offsets.append(contentsOf: repeatElement(Self.absent, count: index + 1 - offsets.count))
        }
        let old = offsets[index]
        if old == Self.absent {
            count += 1
        } else {
            let oldSize = recordSize(at: Int(old))
            if record.count <= oldSize {
                arena.replaceSubrange(Int(old)..<(Int(old) + record.count), with: record)
                garbage += oldSize - record.count
                return
            }
            garbage += oldSize
        }
        offsets[index] = UInt64(arena.count)
        arena.append(contentsOf: record)
        compactIfWasteful()
    }

    /// Forgets `slot`'s fields.
    mutating func remove(_ slot: UInt32) {
        guard contains(slot) else { return }
        garbage += recordSize(at: Int(offsets[Int(slot)]))
        offsets[Int(slot)] = Self.absent
        count -= 1
        compactIfWasteful()
    }

    /// Calls `body` with the byte range of each field of `slot` inside `buffer` (the arena).
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
        guard contains(slot) else { return nil }
        return arena.withUnsafeBufferPointer { buffer in
            var result: [String] = []
            Self.forEachField(buffer, record: Int(offsets[Int(slot)])) { _, bytes in
                result.append(String(decoding: bytes, as: UTF8.self))
            }
            return result
        }
    }

    /// One stored field of `slot` as bytes (one allocation; sorting by a field reads it per document).
    func fieldBytes(_ index: Int, of slot: UInt32) -> [UInt8]? {
        guard contains(slot) else { return nil }
        return arena.withUnsafeBufferPointer { buffer in
            var result: [UInt8]?
            Self.forEachField(buffer, record: Int(offsets[Int(slot)])) { field, bytes in
                if field == index { result = Array(bytes) }
            }
            return result ?? []
        }
    }

    /// True when one of the first `fieldCount` fields of `slot` contains `needle` (no allocation).
    /// - Complexity: O(length of those fields × length of `needle`) at worst.
    func anyField(of slot: UInt32, among fieldCount: Int, contains needle: [UInt8]) -> Bool {
        guard contains(slot), !needle.isEmpty else { return needle.isEmpty }
        return arena.withUnsafeBufferPointer { buffer in
            var found = false
            Self.forEachField(buffer, record: Int(offsets[Int(slot)])) { field, bytes in
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
        }
    }

    /// The bytes the live records occupy (for invariant checks).
    func liveBytes() -> Int {
        offsets.reduce(0) { total, offset in
            offset == Self.absent ? total : total + recordSize(at: Int(offset))
        }
    }

    /// Drops the arena's and the offsets' unused capacity.
    mutating func shrinkToFit() {
        if arena.capacity - arena.count > arena.count / 8 { arena = Array(arena[...]) }
        if offsets.capacity - offsets.count > offsets.count / 8 { offsets = Array(offsets[...]) }
    }

    var memoryFootprint: Int {
        arena.capacity + offsets.capacity * MemoryLayout<UInt64>.stride
    }

    private func recordSize(at start: Int) -> Int {
        arena.withUnsafeBufferPointer { buffer in
            var offset = start + 1
            for _ in 0..<Int(buffer[start]) {
                offset += Self.readLength(buffer, at: &offset)
            }
            return offset - start
        }
    }

    @inline(__always)
    private static func readLength(_ buffer: UnsafeBufferPointer<UInt8>, at offset: inout Int) -> Int {
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

    private mutating func compactIfWasteful() {
        guard garbage > 4096, garbage * 4 > arena.count else { return }
        var compacted: [UInt8] = []
        compacted.reserveCapacity(arena.count - garbage)
        for index in offsets.indices where offsets[index] != Self.absent {
            let start = Int(offsets[index])
            offsets[index] = UInt64(compacted.count)
            compacted.append(contentsOf: arena[start..<(start + recordSize(at: start))])
        }
        arena = compacted
        garbage = 0
    }
}
