import Foundation
import Synchronization

/// A real child process for tests: started with `posix_spawn`, its standard output and error
/// captured in files (no pipe can fill up and block it), stopped with any signal — `SIGKILL`
/// for crash tests — and always reaped.
///
/// ```swift
/// let server = try ChildProcess.start(path, ["serve", "--data", dir, "--port", "7000"])
/// defer { server.kill() }
/// try await server.waitForOutput(containing: "listening", timeout: .seconds(10))
/// server.kill(SIGKILL)
/// let status = try await server.waitForExit(timeout: .seconds(5))
/// ```
public final class ChildProcess: Sendable {
    /// How a process ended.
    public enum Termination: Sendable, Hashable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// A failure starting or waiting for a process.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let pid: pid_t
    public let executable: String
    public let arguments: [String]
    private let outputPath: String
    private let errorPath: String
    /// The exit status once reaped; guards against reaping twice.
    private let termination = Mutex<Termination?>(nil)

    private init(pid: pid_t, executable: String, arguments: [String], outputPath: String, errorPath: String) {
        self.pid = pid
        self.executable = executable
        self.arguments = arguments
        self.outputPath = outputPath
        self.errorPath = errorPath
    }

    deinit { kill(SIGKILL); _ = poll() }

    /// Starts `executable` with `arguments`. Output goes to files in `logDirectory` (a fresh
    /// temporary directory if nil); `environment` entries are added to this process's environment.
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], logDirectory: String? = nil
    ) throws -> ChildProcess {
        let logs = try logDirectory ?? TemporaryDirectory(prefix: "process").path
        let tag = "\((executable as NSString).lastPathComponent)-\(UInt32.random(in: 0...UInt32.max))"
        let outputPath = "\(logs)/\(tag).out"
        let errorPath = "\(logs)/\(tag).err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid, executable: executable, arguments: arguments, outputPath: outputPath, errorPath: errorPath)
    }

    /// Runs a process to completion and returns its exit status and output.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(60)
    ) async throws -> (status: Termination, output: String, error: String) {
        let process = try start(executable, arguments, environment: environment)
        let status = try await process.waitForExit(timeout: timeout)
        return (status, process.output, process.errorOutput)
    }

    /// Everything written to standard output so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    /// Everything written to standard error so far.
    public var errorOutput: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` (default `SIGKILL`) unless the process was already reaped.
    public func kill(_ signal: Int32 = SIGKILL) {
        termination.withLock { status in
            if status == nil { _ = Foundation.kill(pid, signal) }
        }
    }

    /// Reaps the process if it has ended; returns how it ended, or nil while it runs.
    @discardableResult
    public func poll() -> Termination? {
        termination.withLock { status in
            if let status { return status }
            var raw: Int32 = 0
            guard waitpid(pid, &raw, WNOHANG) == pid else { return nil }
            let signal = raw & 0x7F
            status = signal == 0 ? .exited((raw >> 8) & 0xFF) : .signalled(signal)
            return status
        }
    }

    public var isRunning: Bool { poll() == nil }

    /// Waits for the process to end.
    /// - Throws: ``Failure`` after `timeout` (the process is left running; call ``kill(_:)``).
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Termination {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = poll() { return status }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "\(executable) \(arguments.joined(separator: " ")) still runs after \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits until standard output or error contains `text`.
    /// - Throws: ``Failure`` if the process ends first or `timeout` passes; the message quotes its output.
    public func waitForOutput(containing text: String, timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            if output.contains(text) || errorOutput.contains(text) { return }
            if let status = poll() {
                throw Failure(description: "\(executable) ended (\(status)) before printing '\(text)'; stderr: \(errorOutput.suffix(2000))")
            }
            guard ContinuousClock.now < deadline else {
                throw Failure(description: "no '\(text)' from \(executable) within \(timeout); stderr: \(errorOutput.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
