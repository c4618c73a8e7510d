import CZstd

/// A streaming libzstd compressor: one frame, content checksum on, optional worker threads.
/// Output is handed to a sink as it is produced, so memory stays bounded by zstd's own buffers.
final class ZstdCompressor {
    private let context: OpaquePointer
    private var output: [UInt8]
    /// Worker threads zstd accepted (0 if the library was built without multithreading).
    private(set) var workers: Int32 = 0

    init(level: Int32, workers requested: Int32) throws(StorageError) {
        guard let context = ZSTD_createCCtx() else {
            throw StorageError(.compressionFailed, "could not allocate a zstd compression context")
        }
        self.context = context
        self.output = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level), "set level")
        try check(ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1), "enable checksum")
        if requested > 0, ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, requested)) == 0 {
            workers = requested
        }
    }

    deinit { ZSTD_freeCCtx(context) }

    /// Compresses `input`, calling `sink` with each piece of output.
    func compress(_ input: UnsafeRawBufferPointer, sink: (UnsafeRawBufferPointer) throws(StorageError) -> Void)
        throws(StorageError)
    {
        var source = ZSTD_inBuffer(src: input.baseAddress, size: input.count, pos: 0)
        while source.pos < source.size {
            _ = try step(&source, ZSTD_e_continue, sink: sink)
        }
    }

    /// Ends the frame, flushing everything (epilogue and checksum included) to `sink`.
    func finish(sink: (UnsafeRawBufferPointer) throws(StorageError) -> Void) throws(StorageError) {
        var source = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try step(&source, ZSTD_e_end, sink: sink) != 0 {}
    }

    private func step(
        _ source: inout ZSTD_inBuffer, _ directive: ZSTD_EndDirective,
        sink: (UnsafeRawBufferPointer) throws(StorageError) -> Void
    ) throws(StorageError) -> Int {
        let capacity = output.count
        let (remaining, produced) = output.withUnsafeMutableBytes { raw in
            var target = ZSTD_outBuffer(dst: raw.baseAddress, size: capacity, pos: 0)
            let remaining = ZSTD_compressStream2(context, &target, &source, directive)
            return (remaining, target.pos)
        }
        try check(remaining, "compress")
        if produced > 0 {
            let result = output.withUnsafeBytes { raw in
                Result { () throws(StorageError) in try sink(UnsafeRawBufferPointer(rebasing: raw[0..<produced])) }
            }
            try result.get()
        }
        return remaining
    }
}

/// Throws a ``StorageError`` if `code` is a zstd error code.
func check(_ code: Int, _ what: String) throws(StorageError) {
    if ZSTD_isError(code) != 0 {
        throw StorageError(.compressionFailed, "zstd \(what): \(String(cString: ZSTD_getErrorName(code)))")
    }
}
