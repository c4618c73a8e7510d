/// What `ReplyDecoder.decode` found at the start of the bytes it was given.
public struct DecodedReply: Sendable, Hashable {
    /// The reply, with any nested arrays complete.
    public var value: RESPValue
    /// How many bytes, from the start of the bytes given, the reply took.
    public var consumedBytes: Int

    public init(value: RESPValue, consumedBytes: Int) {
        self.value = value
        self.consumedBytes = consumedBytes
    }
}
