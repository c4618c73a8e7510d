/// The parsers under fuzzing, one per input format. `scripts/fuzz TARGET SECONDS` runs one
/// under libFuzzer; `CallsheetFuzzingTests` runs every seed and regression input through each.
///
/// Each target feeds the input to its parser and checks what holds for any input: no trap, and
/// properties cheap enough to check on every run (a round trip through the matching encoder,
/// the same result fed in pieces as fed whole). A broken property is a thrown ``FuzzFailure``;
/// the libFuzzer driver turns it into a crash so libFuzzer saves the input.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `InlineSplitter`: split, then quote and split again.
    case inline
    /// `RequestDecoder`: the stream fed whole and byte by byte. First byte: limits (see ``RequestDecoderFuzz``).
    case resp
    /// `JSONParser`: parse, write, parse again.
    case json
    /// `CSVReader`: read, write, read again; Windows-1252 agrees with UTF-8 on ASCII.
    case csv
    /// `RecordCodec` and the snapshot state codec. First byte: which (see ``RecordCodecFuzz``).
    case codec
    /// `SegmentScan` on one journal segment. First byte: checksum repair (see ``JournalScanFuzz``).
    case journal
    /// `SnapshotReader` on one snapshot file. First byte: header repair (see ``SnapshotReaderFuzz``).
    case snapshot

    /// Runs one input.
    public func run(_ data: UnsafeRawBufferPointer) throws(FuzzFailure) {
        switch self {
        case .inline: try InlineSplitterFuzz.run(data)
        case .resp: try RequestDecoderFuzz.run(data)
        case .json: try JSONFuzz.run(data)
        case .csv: try CSVFuzz.run(data)
        case .codec: try RecordCodecFuzz.run(data)
        case .journal: try JournalScanFuzz.run(data)
        case .snapshot: try SnapshotReaderFuzz.run(data)
        }
    }

    /// Runs one input given as an array.
    public func run(_ data: [UInt8]) throws(FuzzFailure) {
        try data.withUnsafeBytes { raw in
            Result { () throws(FuzzFailure) in try run(raw) }
        }.get()
    }
}

/// A property a fuzz target checks did not hold for an input.
public struct FuzzFailure: Error, CustomStringConvertible {
    public var target: FuzzTarget
    public var property: String
    public var detail: String

    public init(_ target: FuzzTarget, _ property: String, _ detail: String = "") {
        self.target = target
        self.property = property
        self.detail = detail
    }

    public var description: String {
        "\(target.rawValue): \(property)" + (detail.isEmpty ? "" : ": \(detail)")
    }
}

/// A short, printable rendering of bytes for failure messages.
func preview(_ bytes: some Collection<UInt8>, limit: Int = 80) -> String {
    var text = ""
    for byte in bytes.prefix(limit) {
        if byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "\\") {
            text.unicodeScalars.append(Unicode.Scalar(byte))
        } else {
            text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }
    }
    return bytes.count > limit ? text + "…(\(bytes.count) bytes)" : text
}
