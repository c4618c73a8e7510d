import CallsheetStorage

/// Writes `count` records durably into a fresh journal and closes it. Returns what was written.
func writeJournal(
    _ directory: String, count: Int, after: UInt64 = 0, options: JournalWriter.Options = .init(),
    payloadLength: Int? = nil
) async throws -> [JournalRecord] {
    let writer = try JournalWriter(directory: directory, after: after, options: options, logger: testLogger)
    var written: [JournalRecord] = []
    for i in 0..<count {
        let bytes = payload(i, length: payloadLength)
        let type = UInt16(i % 7)
        let sequence = try await writer.appendDurably(type: type, payload: bytes)
        written.append(JournalRecord(type: type, sequence: sequence, payload: bytes))
    }
    try writer.close()
    return written
}

func replayAll(_ directory: String, after: UInt64 = 0, repair: Bool = false) throws -> ([JournalRecord], ReplaySummary) {
    var records: [JournalRecord] = []
    let summary = try JournalReader.replay(directory: directory, after: after, repair: repair, logger: testLogger) {
        records.append($0)
    }
    return (records, summary)
}

/// The byte offset where each record of a segment starts (the file must be valid).
func recordOffsets(_ bytes: [UInt8]) -> [Int] {
    var offsets: [Int] = []
    var offset = 32
    while offset + 24 <= bytes.count {
        offsets.append(offset)
        let length = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8 | Int(bytes[offset + 6]) << 16 | Int(bytes[offset + 7]) << 24
        offset += 24 + length
    }
    return offsets
}

func segmentPaths(_ directory: String) throws -> [String] {
    try JournalSegmentFile.list(in: directory).map(\.path)
}
