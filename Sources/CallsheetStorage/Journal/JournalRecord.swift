/// One record read back from the journal. The payload is opaque to the storage layer.
public struct JournalRecord: Sendable, Hashable {
    /// The owner's record type (what the payload encodes).
    public var type: UInt16
    /// The record's position in the journal: consecutive, starting after the snapshot it follows.
    public var sequence: UInt64
    public var payload: [UInt8]

    public init(type: UInt16, sequence: UInt64, payload: [UInt8]) {
        self.type = type
        self.sequence = sequence
        self.payload = payload
    }
}
