import CZstd

/// A streaming libzstd decompressor for one frame. zstd verifies the frame's content checksum
/// when the frame ends; a mismatch is reported as an error by ``decompress(_:sink:)``.
final class ZstdDecompressor {
    private let context: OpaquePointer
    private var output: [UInt8]
    /// `true` once a whole frame has been decoded.
    private(set) var frameComplete = false

    init() throws(StorageError) {
        guard let context = ZSTD_createDCtx() else {
            throw StorageError(.compressionFailed, "could not allocate a zstd decompression context")
        }
        self.context = context
        self.output = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
    }

    deinit { ZSTD_freeDCtx(context) }

    /// Feeds compressed `input`; calls `sink` with decompressed pieces. Returns how many input
    /// bytes were used: fewer than `input.count` only when the frame ended early (trailing data).
    func decompress(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws -> Void) throws -> Int {
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        let capacity = output.count
        while !frameComplete {
            let (hint, produced) = output.withUnsafeMutableBytes { raw in
                var target = ZSTD_outBuffer(dst: raw.baseAddress, size: capacity, pos: 0)
                let hint = ZSTD_decompressStream(context, &target, &source)
                return (hint, target.pos)
            }
            try check(hint, "decompress")
            if produced > 0 {
                try output.withUnsafeBytes { raw in try sink(UnsafeRawBufferPointer(rebasing: raw[0..<produced])) }
            }
            if hint == 0 { frameComplete = true }
            // All input used and the output buffer was not filled: zstd needs more input.
            if source.pos == source.size && produced < capacity { break }
        }
        return source.pos
    }
}
