import Foundation
import Logging

/// A fresh directory under /tmp for one test, removed when the test ends.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/callsheet-storage-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw POSIXError(.EIO) }
    let path = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func fileSize(_ path: String) throws -> Int {
    (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? -1
}

func directoryNames(_ path: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
}

let testLogger: Logger = {
    var logger = Logger(label: "callsheet.storage.tests")
    logger.logLevel = .warning
    return logger
}()

/// A deterministic payload for record `i`.
func payload(_ i: Int, length: Int? = nil) -> [UInt8] {
    let n = length ?? (i % 50 + 1)
    return (0..<n).map { UInt8(truncatingIfNeeded: i &* 31 &+ $0 &* 7) }
}
