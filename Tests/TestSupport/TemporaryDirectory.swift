import Foundation

/// A fresh, empty directory under the system's temporary directory, for one test.
///
/// ```swift
/// try await withTemporaryDirectory { path in … }   // removed when the body returns or throws
/// let directory = try TemporaryDirectory()         // or keep one and call remove()
/// ```
/// Names start with `callsheet-<prefix>-` so a leftover is easy to trace.
public final class TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Creates the directory with `mkdtemp`.
    public init(prefix: String = "test") throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/callsheet-\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let made else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        path = made
    }

    /// A path inside the directory (nothing is created).
    public func appending(_ name: String) -> String { path + "/" + name }

    /// Deletes the directory and everything in it; restores write permission first.
    public func remove() {
        _ = chmod(path, 0o700)
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs `body` with a fresh temporary directory and removes it afterwards.
public func withTemporaryDirectory<T>(
    prefix: String = "test", _ body: (String) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory(prefix: prefix)
    defer { directory.remove() }
    return try await body(directory.path)
}

/// Small file helpers for tests that damage data files on purpose.
public enum TestFiles {
    public static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    public static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The file's size in bytes.
    public static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Cuts the file to `length` bytes, as a crash during its last write would.
    public static func truncate(_ path: String, to length: Int) throws {
        guard Foundation.truncate(path, off_t(length)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// Inverts every bit of the byte at `offset`.
    public static func flipByte(_ path: String, at offset: Int) throws {
        var content = try bytes(path)
        content[offset] ^= 0xFF
        try write(content, to: path)
    }

    /// The names in a directory, sorted.
    public static func names(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }
}
