import Foundation

/// Finds executables the package builds, for tests that run them as real processes.
///
/// Looks in `$CALLSHEET_BUILD_DIR`, then next to the running test bundle (SwiftPM puts test
/// bundles and executables in the same `.build/<triple>/<configuration>/` directory).
/// `swift build --build-tests` (or `swift test`, which builds every target) puts them there.
public enum BuiltProduct {
    /// The path of the executable `name`, or `nil` if it has not been built.
    public static func path(_ name: String) -> String? {
        candidates(name).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Where ``path(_:)`` looks, in order; for error messages.
    public static func candidates(_ name: String) -> [String] {
        var directories: [String] = []
        if let configured = ProcessInfo.processInfo.environment["CALLSHEET_BUILD_DIR"] { directories.append(configured) }
        if let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            var directory = (executable as NSString).deletingLastPathComponent
            // On macOS the test binary sits inside `X.xctest/Contents/MacOS/`.
            while directory.contains(".xctest") { directory = (directory as NSString).deletingLastPathComponent }
            directories.append(directory)
        }
        if let argument = CommandLine.arguments.first {
            directories.append(((argument as NSString).standardizingPath as NSString).deletingLastPathComponent)
        }
        return directories.map { $0 + "/" + name }
    }
}
