/// Cold call segments in journal records (change tags 32–35, change set version 5) and in
/// snapshots (content version 5); docs/STORAGE.md, "Cold call segments".
extension RecordCodec {
    /// Version 5 adds change tags 32–35. A set holding none is written as an earlier version.
    public static let coldChangeSetVersion: UInt8 = 5

    static func encodeCold(_ change: Change, into writer: inout BinaryWriter) {
        switch change {
        case .freezeCalls(let segment): writer.byte(32); encode(segment, into: &writer)
        case .replaceColdSegment(let segment): writer.byte(33); encode(segment, into: &writer)
        // Never journaled (an undo); its tag only says so if one ever were.
        case .restoreCallLog: writer.byte(34)
        case .putRetention(let settings):
            writer.byte(35)
            encode(settings, into: &writer)
            writer.varint(settings.coldCallDays.map { $0 + 1 } ?? 0)
        default: preconditionFailure("encodeCold handles only tags 32–35")
        }
    }

    static func decodeCold(tag: UInt8, _ reader: inout BinaryReader) throws(CallsheetError) -> Change {
        let start = reader.offset
        switch tag {
        case 32: return .freezeCalls(try decodeSegment(&reader))
        case 33: return .replaceColdSegment(try decodeSegment(&reader))
        case 35:
            var settings = try decodeRetention(&reader)
            let days = try reader.int(atMost: RetentionSettings.maximumDays + 1)
            settings.coldCallDays = days == 0 ? nil : days - 1
            return .putRetention(settings)
        default: throw reader.corrupt("unknown change tag \(tag)", at: start)
        }
    }

    /// `varint id · varint first call · varint last call · signed newest time · varint bytes ·
    /// varint checksum · varint extents · extents × (varint contact − previous contact, varint
    /// count, varint offset, varint length)`.
    static func encode(_ segment: ColdSegment, into writer: inout BinaryWriter) {
        writer.varint(UInt64(segment.id))
        writer.varint(segment.firstCall)
        writer.varint(segment.lastCall)
        writer.signed(segment.newestAt)
        writer.varint(segment.bytes)
        writer.varint(UInt64(segment.checksum))
        writer.varint(segment.extents.count)
        var previous: UInt32 = 0
        for extent in segment.extents {
            writer.varint(UInt64(extent.contact - previous))
            previous = extent.contact
            writer.varint(UInt64(extent.count))
            writer.varint(UInt64(extent.offset))
            writer.varint(UInt64(extent.length))
        }
    }

    /// Reads a segment descriptor and checks it: contacts ascending, blocks inside the file and
    /// not overlapping, one call per id of its range.
    static func decodeSegment(_ reader: inout BinaryReader) throws(CallsheetError) -> ColdSegment {
        let start = reader.offset
        let limit = Int(UInt32.max)
        let id = try reader.int(atMost: limit), first = try reader.id(), last = try reader.id(), newest = try reader.timestamp()
        let bytes = try reader.int(atMost: limit), checksum = try reader.int(atMost: limit)
        guard id > 0, first > 0, last >= first, last <= CallID(limit) else { throw reader.corrupt("cold segment \(id) of calls \(first)–\(last)", at: start) }
        var extents: [ColdExtent] = []
        let count = try reader.count(minimumBytes: 4)
        extents.reserveCapacity(count)
        var contact = 0, calls = 0, end = 0
        for index in 0..<count {
            let delta = try reader.int(atMost: limit)
            contact += delta
            let callCount = try reader.int(atMost: limit), offset = try reader.int(atMost: limit), length = try reader.int(atMost: limit)
            guard contact <= limit, index == 0 || delta > 0, callCount > 0, offset >= end, offset + length <= bytes else {
                throw reader.corrupt("cold segment \(id): block of contact \(contact) out of order or outside the file", at: start)
            }
            end = offset + length
            calls += callCount
            extents.append(ColdExtent(contact: UInt32(contact), count: UInt32(callCount), offset: UInt32(offset), length: UInt32(length)))
        }
        guard calls == Int(last - first + 1) else { throw reader.corrupt("cold segment \(id) holds \(calls) calls for \(last - first + 1) ids", at: start) }
        return ColdSegment(id: UInt32(id), firstCall: first, lastCall: last, newestAt: newest, bytes: UInt64(bytes), checksum: UInt32(checksum), extents: extents)
    }
}

extension ColdCalls {
    /// The catalogue in a snapshot: `varint through · varint segments · segments · varint moved ·
    /// moved × (varint id, varint stored contact, varint owner) · varint erased contacts · erased ×
    /// (varint contact, varint cold range when erased)`.
    func write(into writer: inout BinaryWriter, pieceSize: Int, write: ([UInt8]) throws -> Void) rethrows {
        writer.varint(through)
        writer.varint(segments.count)
        for segment in segments {
            RecordCodec.encode(segment, into: &writer)
            if writer.bytes.count > pieceSize { try writer.drain(write) }
        }
        writer.varint(moved.count)
        for id in moved.keys.sorted() {
            guard let entry = moved[id] else { continue }
            writer.varint(id)
            writer.varint(UInt64(entry.stored))
            writer.varint(UInt64(entry.owner))
        }
        writer.varint(erasedContacts.count)
        for (contact, through) in erasedContacts.sorted(by: { $0.key < $1.key }) {
            writer.varint(UInt64(contact))
            writer.varint(through)
        }
    }

    init(reading reader: inout BinaryReader, calls: Int) throws(CallsheetError) {
        self.init()
        let start = reader.offset
        through = try reader.id()
        guard through <= CallID(calls) else { throw reader.corrupt("cold calls through \(through) of \(calls)", at: start) }
        var next: CallID = 1
        for _ in 0..<(try reader.count(minimumBytes: 8)) {
            let segment = try RecordCodec.decodeSegment(&reader)
            guard segment.firstCall == next, !segments.contains(where: { $0.id == segment.id }) else {
                throw reader.corrupt("cold segment \(segment.id) does not continue the cold calls at \(next)", at: start)
            }
            next = segment.lastCall + 1
            segments.append(segment)
        }
        guard next == through + 1 else { throw reader.corrupt("cold segments end at \(next - 1), not \(through)", at: start) }
        for _ in 0..<(try reader.count(minimumBytes: 3)) {
            let id = try reader.id()
            let stored = try reader.int(atMost: Int(UInt32.max)), owner = try reader.int(atMost: Int(UInt32.max))
            guard id >= 1, id <= through, moved[id] == nil else { throw reader.corrupt("moved cold call \(id)", at: start) }
            setOwner(id, stored: UInt32(stored), owner: UInt32(owner))
        }
        for _ in 0..<(try reader.count(minimumBytes: 2)) {
            let contact = UInt32(try reader.int(atMost: Int(UInt32.max))), erasedThrough = try reader.id()
            guard contact > 0, erasedThrough <= through, erasedContacts.updateValue(erasedThrough, forKey: contact) == nil else {
                throw reader.corrupt("erased cold contact \(contact) through \(erasedThrough)", at: start)
            }
        }
    }
}
