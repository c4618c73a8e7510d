/// Bounds a decoder enforces so one peer cannot make the other allocate without end.
///
/// A server tightens these for a connection that has not sent `AUTH` yet (redis allows
/// 10 arguments and 16 KiB bulk strings there), then loosens them.
public struct ProtocolLimits: Sendable, Hashable {
    /// Longest inline request line, or reply status line, without its CRLF. Default 64 KiB
    /// (redis' `PROTO_INLINE_MAX_SIZE`).
    public var maxInlineLength: Int
    /// Longest bulk string. Default 512 MiB (redis' `proto-max-bulk-len`).
    public var maxBulkLength: Int
    /// Most elements in one array: arguments of a request, values of a reply. Default 1,048,576.
    public var maxArrayCount: Int
    /// Deepest nesting of arrays in a reply (requests are flat). Default 64.
    public var maxNestingDepth: Int

    public init(
        maxInlineLength: Int = 64 * 1024,
        maxBulkLength: Int = 512 * 1024 * 1024,
        maxArrayCount: Int = 1_048_576,
        maxNestingDepth: Int = 64
    ) {
        self.maxInlineLength = maxInlineLength
        self.maxBulkLength = maxBulkLength
        self.maxArrayCount = maxArrayCount
        self.maxNestingDepth = maxNestingDepth
    }
}
