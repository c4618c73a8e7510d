import CallsheetStorage

/// Scans the input as one journal segment file (`SegmentScan`, what replay and `verify` run).
///
/// The first byte holds flags: bit 0 rewrites the header's and the records' checksums so that
/// mutations get past them; bit 1 names the file after the sequence in its header (else 1).
/// The rest is the file.
///
/// Properties: the valid part ends where the defect starts (or at the end of the file), the
/// record count matches the sequence range, and scanning only the valid part finds the same
/// records and no defect.
enum JournalScanFuzz {
    static func run(_ data: UnsafeRawBufferPointer) throws(FuzzFailure) {
        guard let flags = data.first else { return }
        var bytes = Array(data[1...])
        if flags & 1 != 0 {
            JournalFormat.repairChecksums(&bytes)
        }
        var fileSequence: UInt64 = 1
        if flags & 2 != 0, bytes.count >= 24 {
            fileSequence = bytes[16..<24].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        let scan = bytes.withUnsafeBytes { SegmentScanSummary(bytes: $0, firstSequence: fileSequence) }
        guard scan.validEnd <= scan.size, scan.defectOffset ?? scan.validEnd == scan.validEnd else {
            throw FuzzFailure(.journal, "the valid part ends where the defect starts", "\(scan)")
        }
        if scan.defect == nil, scan.validEnd != scan.size {
            throw FuzzFailure(.journal, "a segment without defect is valid to its end", "\(scan)")
        }
        if let first = scan.firstSequence, let last = scan.lastSequence {
            guard last >= first, last - first == UInt64(scan.records - 1) else {
                throw FuzzFailure(.journal, "records == last - first + 1", "\(scan)")
            }
        } else if scan.records != 0 {
            throw FuzzFailure(.journal, "records have sequences", "\(scan)")
        }
        guard scan.validEnd > 0 else { return }
        let prefix = bytes.withUnsafeBytes { raw in
            SegmentScanSummary(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<scan.validEnd]), firstSequence: fileSequence)
        }
        guard prefix.defect == nil, prefix.records == scan.records, prefix.lastSequence == scan.lastSequence else {
            throw FuzzFailure(.journal, "the valid part scans clean", "whole: \(scan); valid part: \(prefix)")
        }
    }
}
