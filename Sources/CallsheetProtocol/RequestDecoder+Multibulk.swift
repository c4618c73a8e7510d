extension RequestDecoder {
    /// Reads `*n\r\n`; `n <= 0` is an empty request, as in redis.
    mutating func decodeMultibulkHeader(_ bytes: UnsafeRawBufferPointer, at start: Int) throws(ProtocolError) -> Step {
        switch ByteScanning.readHeader(bytes, at: start) {
        case .incomplete:
            return .needMoreData
        case .invalid:
            throw .invalidMultibulkLength
        case .value(let count, let next):
            if count <= 0 {
                return .nothing(end: next)
            }
            guard count <= limits.maxArrayCount else {
                throw .arrayTooLong(count, limit: limits.maxArrayCount)
            }
            phase = .multibulk
            cursor = next - start
            remainingArguments = Int(count)
            pendingBulkLength = -1
            arguments = []
            arguments.reserveCapacity(min(remainingArguments, 1024))
            return try decodeBulkStrings(bytes, at: start)
        }
    }

    /// Reads `$len\r\n<data>\r\n` elements until the array is complete or the bytes run out.
    mutating func decodeBulkStrings(_ bytes: UnsafeRawBufferPointer, at start: Int) throws(ProtocolError) -> Step {
        while remainingArguments > 0 {
            var position = start + cursor
            if pendingBulkLength < 0 {
                guard position < bytes.count else { return .needMoreData }
                let type = bytes[position]
                guard type == UInt8(ascii: "$") else { throw .expectedBulk(got: type) }
                switch ByteScanning.readHeader(bytes, at: position) {
                case .incomplete:
                    return .needMoreData
                case .invalid:
                    throw .invalidBulkLength
                case .value(let length, let next):
                    guard length >= 0 else { throw .invalidBulkLength }
                    guard length <= limits.maxBulkLength else {
                        throw .bulkTooLong(length, limit: limits.maxBulkLength)
                    }
                    pendingBulkLength = Int(length)
                    position = next
                    cursor = next - start
                }
            }
            let length = pendingBulkLength
            guard bytes.count - position >= length + 2 else { return .needMoreData }
            guard bytes[position + length] == ByteScanning.cr, bytes[position + length + 1] == ByteScanning.lf else {
                throw .missingCRLF(afterBulkOf: length)
            }
            arguments.append(ByteScanning.copy(bytes, from: position, count: length))
            cursor += length + 2
            pendingBulkLength = -1
            remainingArguments -= 1
        }
        let end = start + cursor
        let request = arguments
        phase = .idle
        cursor = 0
        arguments = []
        return .request(request, end: end)
    }
}
