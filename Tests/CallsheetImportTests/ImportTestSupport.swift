import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Logging
import Testing

/// A temporary data directory per test, opened as a store with an executor and an owner session.
final class StoreFixture: @unchecked Sendable {
    // @unchecked Sendable: used by one test at a time; the store itself is actors.
    let path: String
    var directory: ShardDirectory
    var executor: CommandExecutor
    var owner = Session(isLocalOwner: true)
    /// How the directory is opened, at first and by ``reopen()``.
    var configuration: StoreConfiguration

    /// - Parameter configure: changes to the default configuration (retention, fsync policy).
    init(_ name: String = #function, configure: (inout StoreConfiguration) -> Void = { _ in }) async throws {
        path = NSTemporaryDirectory() + "callsheet-import-\(name.filter(\.isLetter))-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        configuration = StoreConfiguration(directory: path)
        configure(&configuration)
        directory = try ShardDirectory.open(configuration, logger: Logger(label: "test"))
        executor = CommandExecutor(directory: directory)
        try await ok(["ORG.CREATE", "Acme", "REGION", "US"])
    }

    /// Closes and reopens the data directory, as a restart would.
    func reopen() async throws {
        await directory.close()
        directory = try ShardDirectory.open(configuration, logger: Logger(label: "test"))
        executor = CommandExecutor(directory: directory)
        owner = Session(isLocalOwner: true)
        try await ok(["USE", "Acme"])
    }

    func close() async {
        await directory.close()
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Runs a command as the owner; returns the reply.
    @discardableResult
    func run(_ arguments: [String]) async -> RESPValue {
        await executor.execute(arguments, session: &owner)
    }

    /// Runs a command that must succeed and returns its text.
    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let reply = await run(arguments)
        if case .error(let text) = reply { Issue.record("\(arguments.prefix(2)) failed: \(text)", sourceLocation: sourceLocation) }
        return reply.text ?? ""
    }

    /// Runs a command that must succeed and parses its JSON.
    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        try JSONValue.parse(try await ok(arguments, sourceLocation: sourceLocation))
    }

    /// The error code of a command that must fail.
    func errorCode(_ arguments: [String], session: inout Session) async -> String? {
        guard case .error(let text) = await executor.execute(arguments, session: &session) else { return nil }
        return text.split(separator: " ").first.map(String.init)
    }

    func errorCode(_ arguments: [String]) async -> String? {
        var session = owner
        defer { owner = session }
        return await errorCode(arguments, session: &session)
    }

    func contactCount() async throws -> Int {
        guard case .integer(let count)? = try await json(["CONTACT.COUNT"])["active"] else { return -1 }
        return Int(count)
    }

    /// Writes `text` to a file in the data directory's parent and returns its path.
    func file(_ name: String, _ text: String) throws -> String {
        let file = path + "-" + name
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return file
    }
}

enum Fixture {
    static let directory: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path
    }()

    static func path(_ name: String) -> String { directory + "/" + name }

    static func bytes(_ name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path(name)) else { throw CocoaError(.fileNoSuchFile) }
        return Array(data)
    }
}

extension RESPValue {
    var text: String? {
        switch self {
        case .bulkString(let bytes): String(decoding: bytes, as: UTF8.self)
        case .simpleString(let text): text
        case .error(let text): text
        case .integer(let value): String(value)
        default: nil
        }
    }
}

extension JSONValue {
    var int: Int? { if case .integer(let value) = self { Int(value) } else { nil } }
    var string: String? { if case .string(let value) = self { value } else { nil } }
    var array: [JSONValue] { if case .array(let values) = self { values } else { [] } }
}
