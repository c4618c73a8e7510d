import Foundation
import Synchronization

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
        // Input is written and standard error read on threads of their own: a command that answers
        // more than a pipe holds (64 KiB) before reading all its input must not block on this side.
        let writer = Thread {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        writer.start()
        let errorBytes = Mutex(Data())
        let errorRead = DispatchSemaphore(value: 0)
        let errorReader = Thread {
            let data = stderr.fileHandleForReading.readDataToEndOfFile()
            errorBytes.withLock { $0 = data }
            errorRead.signal()
        }
        errorReader.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        errorRead.wait()
        let error = errorBytes.withLock { $0 }
        process.waitUntilExit()
        return Result(status: process.terminationStatus, output: String(decoding: output, as: UTF8.self), error: String(decoding: error, as: UTF8.self))
    }

    /// A fresh temporary directory path (not created).
    static func temporaryPath(_ name: String) -> String {
        NSTemporaryDirectory() + "callsheet-cli-\(name)-\(UUID().uuidString)"
    }
}
