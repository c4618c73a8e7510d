/// What ``SegmentScan`` finds in the bytes of one segment, for code outside this module that
/// has bytes but no file: the fuzz targets (Fuzz/) and their seed generator.
package struct SegmentScanSummary: Sendable, Hashable {
    package struct Run: Sendable, Hashable {
        package var start: Int
        package var end: Int
        package var first: UInt64
        package var last: UInt64
    }

    package struct Damage: Sendable, Hashable {
        package var offset: Int
        package var end: Int
        package var kind: String
    }

    package var size: Int
    package var records: Int
    package var firstSequence: UInt64?
    package var lastSequence: UInt64?
    /// Where the readable prefix ends (the first defect, or the end of the last run).
    package var validEnd: Int
    package var runs: [Run]
    package var damage: [Damage]
    package var newerVersion: UInt16?

    /// Scans `bytes` as the content of the segment file named for `firstSequence`.
    package init(bytes: UnsafeRawBufferPointer, firstSequence: UInt64) {
        let file = JournalSegmentFile(directory: "/nonexistent", firstSequence: firstSequence)
        let scan = SegmentScan(file: file, bytes: bytes)
        size = scan.size
        records = scan.records
        self.firstSequence = scan.firstSequence
        lastSequence = scan.lastSequence
        validEnd = scan.validEnd
        runs = scan.runs.map { Run(start: $0.start, end: $0.end, first: $0.first, last: $0.last) }
        damage = scan.defects.map { Damage(offset: $0.offset, end: $0.end, kind: "\($0.kind)") }
        newerVersion = scan.newerVersion
    }
}

extension JournalFormat {
    /// A segment as ``JournalWriter`` frames it: the header, then one record per payload with
    /// consecutive sequence numbers. For seed corpora and tests.
    package static func segmentBytes(firstSequence: UInt64, records: [(type: UInt16, payload: [UInt8])]) -> [UInt8] {
        var bytes = SegmentHeader(firstSequence: firstSequence).encoded()
        for (index, record) in records.enumerated() {
            frame(
                into: &bytes, type: record.type, sequence: firstSequence + UInt64(index), payload: record.payload,
                payloadState: payloadState(record.payload))
        }
        return bytes
    }

    /// Rewrites the checksums of a segment's header and of every record that can be walked
    /// from it (magic and length in place), so a fuzzer's mutations reach the checks behind them.
    package static func repairChecksums(_ bytes: inout [UInt8]) {
        guard bytes.count >= segmentHeaderSize else { return }
        bytes.storeLittleEndian(CRC32C.checksum(bytes[0..<28]), at: 28)
        var offset = segmentHeaderSize
        while bytes.count - offset >= recordHeaderSize, bytes.loadLittleEndian(UInt32.self, at: offset) == recordMagic {
            let length = Int(bytes.loadLittleEndian(UInt32.self, at: offset + 4))
            guard length <= bytes.count - offset - recordHeaderSize else { return }
            let payloadStart = offset + recordHeaderSize
            var crc = CRC32C.update(CRC32C.initial, bytes[payloadStart..<(payloadStart + length)])
            crc = CRC32C.finalize(CRC32C.update(crc, bytes[offset..<(offset + 20)]))
            bytes.storeLittleEndian(crc, at: offset + 20)
            offset = payloadStart + length
        }
    }
}
