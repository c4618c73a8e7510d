import Foundation

extension ContactCSV {
    /// Generates `count` contacts for `seed` and hands the CSV (header first) to `sink` in
    /// chunks of about `chunkSize` bytes, so a million rows never sit in memory at once.
    /// The bytes equal `document(ContactGenerator.contacts(count:seed:))`.
    ///
    /// - Complexity: O(`count`) time; O(`chunkSize`) memory plus the generator's small state.
    public static func write(
        count: Int,
        seed: UInt64,
        duplicatePhoneRate: Double = 0.02,
        chunkSize: Int = 1 << 20,
        to sink: ([UInt8]) throws -> Void
    ) rethrows {
        let limit = max(chunkSize, 1)
        var generator = ContactGenerator(seed: seed, duplicatePhoneRate: duplicatePhoneRate)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(limit + 4096)
        buffer.append(contentsOf: header.utf8)
        buffer.append(contentsOf: recordTerminator.utf8)
        for _ in 0..<max(count, 0) {
            appendRow(generator.next(), to: &buffer)
            buffer.append(contentsOf: recordTerminator.utf8)
            if buffer.count >= limit {
                try sink(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty {
            try sink(buffer)
        }
    }

    /// Writes `count` generated contacts for `seed` as CSV to `handle` (a file, or standard output).
    ///
    /// - Throws: Whatever `FileHandle.write(contentsOf:)` throws when the destination refuses the
    ///   bytes (disk full, closed pipe); the rows before the failing chunk have been written.
    public static func write(
        count: Int, seed: UInt64, duplicatePhoneRate: Double = 0.02, to handle: FileHandle
    ) throws {
        try write(count: count, seed: seed, duplicatePhoneRate: duplicatePhoneRate) { chunk in
            try handle.write(contentsOf: Data(chunk))
        }
    }
}
