import Foundation

/// Runs a program to completion without blocking a Swift concurrency thread (the server under
/// test needs them), returning its exit status and output.
struct ExternalProcess {
    var status: Int32
    var output: String
    var errorOutput: String

    /// Runs `executable`; after `timeout` seconds it is terminated (then killed) and the result
    /// has whatever status that gives.
    static func run(_ executable: String, _ arguments: [String], input: String? = nil,
                    environment: [String: String] = [:], timeout: Double = 60) async throws -> ExternalProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let stdout = Pipe(), stderr = Pipe(), stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        let collected = OutputCollector(stdout: stdout, stderr: stderr)
        let watchdog = Task.detached {
            try await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
            guard process.isRunning else { return }
            process.terminate()
            try await Task.sleep(for: .seconds(2))
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        defer { watchdog.cancel() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
                if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
                try? stdin.fileHandleForWriting.close()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        let (output, errors) = collected.finish()
        return ExternalProcess(status: status, output: output, errorOutput: errors)
    }

    /// `python3` with the `redis` package importable: installs it from PyPI (as a user package)
    /// when missing, as a set-up step.
    static func pythonWithRedis() async throws -> String? {
        guard let python = which("python3") else { return nil }
        if try await run(python, ["-c", "import redis"], timeout: 30).status == 0 { return python }
        var install = try await run(python, ["-m", "pip", "install", "--quiet", "redis"], timeout: 120)
        if install.status != 0 {
            install = try await run(python, ["-m", "pip", "install", "--quiet", "--user", "--break-system-packages", "redis"], timeout: 120)
        }
        return install.status == 0 ? python : nil
    }

    /// The absolute path of a program on PATH, or nil.
    static func which(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }
}

/// Reads a process's stdout and stderr on background threads so full pipes never stall it.
final class OutputCollector: @unchecked Sendable {  // `lock` protects `out` and `err`
    private let lock = NSLock()
    private var out = Data(), err = Data()
    private let group = DispatchGroup()

    init(stdout: Pipe, stderr: Pipe) {
        for (pipe, isOut) in [(stdout, true), (stderr, false)] {
            group.enter()
            Thread.detachNewThread { [self] in
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                lock.lock()
                if isOut { out = data } else { err = data }
                lock.unlock()
                group.leave()
            }
        }
    }

    func finish() -> (String, String) {
        group.wait()
        lock.lock()
        defer { lock.unlock() }
        return (String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}
