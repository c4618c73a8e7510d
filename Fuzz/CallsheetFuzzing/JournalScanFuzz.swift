import CallsheetStorage

/// Scans the input as one journal segment file (`SegmentScan`, what replay and `verify` run).
///
/// The first byte holds flags: bit 0 rewrites the header's and the records' checksums so that
/// mutations get past them; bit 1 names the file after the sequence in its header (else 1).
/// The rest is the file.
///
/// Properties: runs and damaged ranges are ordered, do not overlap and cover the file after
/// its header exactly; each run's records have consecutive sequences; scanning only the
/// readable prefix finds the same leading runs and no damage.
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
        guard scan.newerVersion == nil, !bytes.isEmpty else { return }
        // Pieces in file order: a damaged range or a run.
        var pieces = scan.runs.map { ($0.start, $0.end) } + scan.damage.map { ($0.offset, $0.end) }
        pieces.sort { $0.0 < $1.0 }
        var covered = scan.damage.first?.offset == 0 ? 0 : min(bytes.count, JournalFormat.segmentHeaderSize)
        for (start, end) in pieces {
            guard start == covered, end > start, end <= bytes.count else {
                throw FuzzFailure(.journal, "runs and damage cover the file in order", "\(scan)")
            }
            covered = end
        }
        guard covered == bytes.count else {
            throw FuzzFailure(.journal, "runs and damage reach the end of the file", "\(scan)")
        }
        for run in scan.runs where run.last < run.first {
            throw FuzzFailure(.journal, "a run's sequences ascend", "\(scan)")
        }
        guard scan.records == scan.runs.reduce(0, { $0 + Int($1.last - $1.first) + 1 }) else {
            throw FuzzFailure(.journal, "records == sum of runs", "\(scan)")
        }
        guard scan.validEnd > 0, scan.validEnd <= bytes.count else { return }
        let prefix = bytes.withUnsafeBytes { raw in
            SegmentScanSummary(bytes: UnsafeRawBufferPointer(rebasing: raw[0..<scan.validEnd]), firstSequence: fileSequence)
        }
        let leading = scan.runs.filter { $0.end <= scan.validEnd }
        guard prefix.damage.isEmpty || scan.damage.first?.offset == 0, prefix.runs == leading else {
            throw FuzzFailure(.journal, "the readable prefix scans clean", "whole: \(scan); prefix: \(prefix)")
        }
    }
}
