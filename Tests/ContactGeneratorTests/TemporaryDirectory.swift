import ContactGenerator
import Foundation

/// A fresh directory under the system temporary directory for one test, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("ContactGeneratorTests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: url) }
    return try body(url)
}

/// Streams `count` rows for `seed` into a new file in `directory` and returns its bytes.
func writeCSVFile(count: Int, seed: UInt64, in directory: URL, name: String = "contacts.csv") throws -> [UInt8] {
    let url = directory.appendingPathComponent(name)
    guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
        throw CocoaError(.fileWriteUnknown)
    }
    let handle = try FileHandle(forWritingTo: url)
    try ContactCSV.write(count: count, seed: seed, to: handle)
    try handle.close()
    return Array(try Data(contentsOf: url))
}

/// 64-bit FNV-1a, to pin a generated data set in a few characters.
func fnv1a(_ bytes: [UInt8]) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return hash
}
