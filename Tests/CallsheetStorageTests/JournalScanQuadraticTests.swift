import Foundation
import Testing
@testable import CallsheetStorage

/// Found while writing the journal fuzz target and timed with its replay (`callsheet-fuzz journal
/// FILE`; libFuzzer's 64 KiB inputs stay under its timeout): after a defect, the scan checksummed every later record header
/// it found, each over its whole stated payload. A damaged segment made of overlapping record
/// headers took time in the square of its size (128 KiB: 9 s in a debug build).
@Suite struct JournalScanQuadraticTests {
    /// A valid segment header, one damaged record, then a record header every 24 bytes whose
    /// payload runs exactly to the end of the file, each with a wrong checksum.
    static func overlappingHeaders(size: Int) -> [UInt8] {
        var bytes = JournalFormat.SegmentHeader(firstSequence: 1).encoded()
        let count = (size - bytes.count) / JournalFormat.recordHeaderSize
        let end = bytes.count + count * JournalFormat.recordHeaderSize
        while bytes.count < end {
            let length = UInt32(end - bytes.count - JournalFormat.recordHeaderSize)
            bytes.appendLittleEndian(JournalFormat.recordMagic)
            bytes.appendLittleEndian(length)
            bytes += [UInt8](repeating: 0, count: 16)
        }
        return bytes
    }

    @Test func damagedSegmentOfOverlappingHeadersScansInLinearTime() throws {
        let bytes = Self.overlappingHeaders(size: 512 << 10)
        let started = ContinuousClock.now
        let scan = bytes.withUnsafeBytes { SegmentScan(file: JournalSegmentFile(directory: "/nonexistent", firstSequence: 1), bytes: $0) }
        let elapsed = ContinuousClock.now - started
        #expect(scan.records == 0)
        #expect(scan.defect?.kind == .badChecksum)
        // Undecided within the budget: reported as damage, never cut as a torn tail.
        #expect(scan.defect?.validRecordAfter == true)
        // Before the fix: about 2.5 minutes in a debug build. After: well under a second.
        #expect(elapsed < .seconds(30), "scanning 512 KiB took \(elapsed)")
    }

    @Test func validRecordAfterDamageIsStillFoundAndATornTailIsNot() throws {
        let payload = Array("after the damage".utf8)
        let segment = JournalFormat.segmentBytes(firstSequence: 1, records: [(type: 1, payload: payload), (type: 1, payload: payload)])
        var damaged = segment
        damaged[JournalFormat.segmentHeaderSize + JournalFormat.recordHeaderSize] ^= 0xFF  // the first record's payload
        let file = JournalSegmentFile(directory: "/nonexistent", firstSequence: 1)
        let scan = damaged.withUnsafeBytes { SegmentScan(file: file, bytes: $0) }
        #expect(scan.defect?.kind == .badChecksum)
        #expect(scan.defect?.validRecordAfter == true)
        let torn = Array(segment.dropLast(3))
        let tornScan = torn.withUnsafeBytes { SegmentScan(file: file, bytes: $0) }
        #expect(tornScan.records == 1)
        #expect(tornScan.defect?.validRecordAfter == false)
    }
}
