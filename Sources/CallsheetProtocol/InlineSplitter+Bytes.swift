extension InlineSplitter {
    /// Splits a line of raw bytes (without its line ending), as the request decoder does.
    /// For the fuzz targets (Fuzz/), which feed bytes that are not UTF-8.
    package static func split(bytes line: UnsafeRawBufferPointer) throws(ProtocolError) -> [[UInt8]] {
        try split(line)
    }
}
