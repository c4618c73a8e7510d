import ChunkedCollections

/// The call log as it lies in memory, for snapshots (content version 4; docs/STORAGE.md): a
/// restart reads 36 bytes a call and checks them, instead of decoding and re-chaining each call
/// (20 s for 20,000,000 calls; the image loads in about one).
///
/// `varint outcomes · outcomes × string · varint rows · rows × 36 bytes (little-endian: contact u32,
/// time low u32, time high i32, duration u32, agent u32, campaign u32, text u32, older u32,
/// outcome u16, kind u8, flags u8) · varint texts · texts × (optional string notes, optional
/// string recording URL) · varint heads · heads × (varint contact, varint row)`.
///
/// Content version 5 (`cold`) starts with `varint released rows · varint released texts` (the
/// storage let go by cold moves: whole chunks, not written) and ends with the cold catalogue
/// (``ColdCalls``; docs/STORAGE.md, "Cold call segments").
extension CallLog {
    static let rowBytes = 36

    func writeImage(into writer: inout BinaryWriter, cold withCold: Bool = true, pieceSize: Int, write: ([UInt8]) throws -> Void) rethrows {
        if withCold {
            writer.varint(rows.releasedCount)
            writer.varint(texts.releasedCount)
        }
        writer.varint(outcomes.count)
        for outcome in outcomes { writer.string(outcome) }
        writer.varint(rows.count)
        var index = withCold ? rows.releasedCount : 0
        while index < rows.count {
            let end = Swift.min(rows.count, index + 65_536)
            writer.withBytes { bytes in
                let start = bytes.count
                bytes.append(contentsOf: repeatElement(0, count: (end - index) * Self.rowBytes))
                bytes.withUnsafeMutableBytes { buffer in
                    var at = start
                    for position in index..<end {
                        let row = rows[position]
                        for value in [row.contact, row.timeLow, UInt32(bitPattern: row.timeHigh), row.duration, row.agent, row.campaign, row.text, row.older] {
                            buffer.storeBytes(of: value.littleEndian, toByteOffset: at, as: UInt32.self)
                            at += 4
                        }
                        buffer.storeBytes(of: row.outcome.littleEndian, toByteOffset: at, as: UInt16.self)
                        buffer[at + 2] = row.kind
                        buffer[at + 3] = row.flags
                        at += 4
                    }
                }
            }
            index = end
            if writer.bytes.count > pieceSize { try writer.drain(write) }
        }
        writer.varint(texts.count)
        for text in texts[(withCold ? texts.releasedCount : 0)...] {
            writer.optionalString(text.notes)
            writer.optionalString(text.recordingURL)
            if writer.bytes.count > pieceSize { try writer.drain(write) }
        }
        var heads: [(UInt32, UInt32)] = []
        heads.reserveCapacity(newest.count)
        for (contact, row) in newest { heads.append((contact, row)) }
        heads.sort { $0.0 < $1.0 }
        writer.varint(heads.count)
        for (contact, row) in heads {
            writer.varint(UInt64(contact))
            writer.varint(UInt64(row))
            if writer.bytes.count > pieceSize { try writer.drain(write) }
        }
        if withCold { try cold.write(into: &writer, pieceSize: pieceSize, write: write) }
    }

    /// Reads an image and checks it whole: every field in range, each chain strictly newest first
    /// (time, then id) within one contact and reached from that contact's head, every linked row
    /// on exactly one chain, erased rows on none. Damage is `corrupt`, never a crash or a loop.
    init(image reader: inout BinaryReader, cold withCold: Bool = true) throws(CallsheetError) {
        self.init()
        let start = reader.offset
        let releasedRows = withCold ? try reader.int(atMost: Int(UInt32.max)) : 0
        let releasedTexts = withCold ? try reader.int(atMost: Int(UInt32.max)) : 0
        let chunk = ChunkedArray<Row>.chunkCapacity
        for _ in 0..<(try reader.count()) {
            let outcome = try reader.string()
            guard outcomes.count < Self.maximumOutcomes, outcomeIndex.updateValue(UInt16(outcomes.count), forKey: outcome) == nil else {
                throw reader.corrupt("call outcomes repeated or too many", at: start)
            }
            outcomes.append(outcome)
        }
        let rowCount = try reader.int(atMost: Int(UInt32.max))
        guard rowCount < Int(UInt32.max), releasedRows <= rowCount, releasedRows % chunk == 0, releasedTexts % chunk == 0,
              reader.remaining / Self.rowBytes >= rowCount - releasedRows else { throw reader.corrupt("too many calls", at: start) }
        let zero = Row(contact: 0, timeLow: 0, timeHigh: 0, duration: 0, agent: 0, campaign: 0, text: 0, older: 0, outcome: 0, kind: 0, flags: 0)
        if releasedRows > 0 { rows = ChunkedArray(releasedPrefix: releasedRows, repeating: zero, count: releasedRows) }
        try reader.withBytes { (bytes: UnsafeBufferPointer<UInt8>, offset: inout Int) throws(CallsheetError) in
            let raw = UnsafeRawBufferPointer(bytes)
            for _ in releasedRows..<rowCount {
                func word(_ at: Int) -> UInt32 { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self)) }
                let row = Row(
                    contact: word(0), timeLow: word(4), timeHigh: Int32(bitPattern: word(8)), duration: word(12), agent: word(16),
                    campaign: word(20), text: word(24), older: word(28),
                    outcome: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 32, as: UInt16.self)),
                    kind: raw[offset + 34], flags: raw[offset + 35])
                rows.append(row)
                offset += Self.rowBytes
            }
        }
        let textCount = try reader.int(atMost: Int(UInt32.max))
        guard releasedTexts <= textCount, reader.remaining / 2 >= textCount - releasedTexts else { throw reader.corrupt("too many call texts", at: start) }
        if releasedTexts > 0 { texts = ChunkedArray(releasedPrefix: releasedTexts, repeating: Texts(), count: releasedTexts) }
        for _ in releasedTexts..<textCount {
            texts.append(Texts(notes: try reader.optionalString(), recordingURL: try reader.optionalString()))
        }
        for _ in 0..<(try reader.count(minimumBytes: 2)) {
            let at = reader.offset
            let contact = try reader.int(atMost: Int(UInt32.max)), row = try reader.int(atMost: rowCount)
            guard contact > 0, row > 0, newest.updateValue(UInt32(row), forKey: UInt32(contact)) == nil else {
                throw reader.corrupt("call chain head \(contact) → \(row) repeated or out of range", at: at)
            }
        }
        if withCold {
            cold = try ColdCalls(reading: &reader, calls: rowCount)
            guard Int(cold.through) >= releasedRows else { throw reader.corrupt("released calls that are not cold", at: start) }
        }
        try check(reader, at: start)
    }

    /// The image's invariants (see ``init(image:)``), in O(calls).
    private func check(_ reader: BinaryReader, at start: Int) throws(CallsheetError) {
        var linked = [Bool](repeating: false, count: rows.count)
        let through = Int(cold.through)
        for index in through..<rows.count {
            let row = rows[index]
            guard Int(row.outcome) < outcomes.count, Int(row.kind) < Self.kinds.count, row.flags & ~Row.erasedFlag == 0,
                  Int(row.text) <= texts.count, row.text == 0 || Int(row.text) > texts.releasedCount, row.older == 0 || Int(row.older) > through, Int(row.older) <= rows.count, row.duration <= UInt32(CallRecord.maximumDuration),
                  BinaryReader.timestampRange.contains(row.time) else {
                throw reader.corrupt("call \(index + 1) out of range", at: start)
            }
            if row.isErased {
                guard row.contact == 0, row.older == 0, row.text == 0 else { throw reader.corrupt("erased call \(index + 1) still linked", at: start) }
                continue
            }
            guard row.contact != 0 else { throw reader.corrupt("call \(index + 1) of no contact", at: start) }
            guard row.older != 0 else { continue }
            let older = rows[Int(row.older - 1)]
            guard older.contact == row.contact, (older.time, Int(row.older)) < (row.time, index + 1), !linked[Int(row.older - 1)] else {
                throw reader.corrupt("call \(index + 1) chained to call \(row.older) out of order", at: start)
            }
            linked[Int(row.older - 1)] = true
        }
        var heads = 0
        for (contact, head) in newest {
            guard Int(head) > through else { throw reader.corrupt("call chain head of contact \(contact) is cold", at: start) }
            let row = rows[Int(head - 1)]
            guard row.contact == contact, !row.isErased, !linked[Int(head - 1)] else { throw reader.corrupt("call chain head of contact \(contact) wrong", at: start) }
            linked[Int(head - 1)] = true
            heads += 1
        }
        // Every linked call is a head or some call's older one: exactly one chain holds it.
        for index in through..<rows.count where !rows[index].isErased && !linked[index] {
            throw reader.corrupt("call \(index + 1) on no contact's chain", at: start)
        }
        _ = heads
    }
}
