import Foundation

/// Runs the built `callsheet` binary as a user would, with standard input piped in.
enum CLIProcess {
    /// `.build/debug/callsheet` next to this package (built by `swift build --build-tests`).
    static var binary: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        let candidates = ["debug", "release"].map { url.appendingPathComponent(".build/\($0)/callsheet").path }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }

    struct Result {
        var status: Int32
        var output: String
        var error: String
        var lines: [String] { output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty } }
    }

    static func run(_ arguments: [String], input: String = "", environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Input is written, and standard error read, beside the read of standard output: done one
        // after the other, a child that fills one pipe while the parent waits on another deadlocks.
        let group = DispatchGroup()
        let errorBox = DataBox()
        DispatchQueue.global().async(group: group) {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        DispatchQueue.global().async(group: group) {
            errorBox.data = stderr.fileHandleForReading.readDataToEndOfFile()
        }
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        let error = errorBox.data
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), error: String(decoding: error, as: UTF8.self))
    }

    /// A fresh temporary directory path (not created).
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "callsheet-cli-\(name)-\(UUID().uuidString)"
    }
}

/// Standard error's bytes, handed from the reading thread to the caller after `DispatchGroup.wait()`.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
