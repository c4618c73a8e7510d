/// What `RequestDecoder.decode` found at the start of the bytes it was given.
public struct DecodedRequest: Sendable, Hashable {
    /// The command and its arguments, binary-safe. Empty when only blank lines (or `*0`)
    /// were consumed and no complete request follows yet: drop the bytes, run nothing.
    public var arguments: [[UInt8]]
    /// How many bytes, from the start of the bytes given, this request took.
    public var consumedBytes: Int

    public init(arguments: [[UInt8]], consumedBytes: Int) {
        self.arguments = arguments
        self.consumedBytes = consumedBytes
    }
}
