import CallsheetCore
import CallsheetProtocol
import Foundation

/// The REPL's `EXPORT <format> [selection] [options] TO <file>` (local and `--connect`): starts an
/// `EXPORT.START`, follows it with a progress line, downloads it with `EXPORT.FETCH` chunk by chunk
/// into `<file>` (written to `<file>.part`, renamed when whole), and replies with what it wrote.
/// And, for `--connect`, `IMPORT.* FILE <path>` sends the local file's bytes (`BASE64`), since the
/// server reads only its own files for the local owner.
enum ExportDownload {
    /// True for a REPL line this handles.
    static func handles(_ arguments: [String]) -> Bool {
        arguments.first?.uppercased() == "EXPORT" && arguments.count >= 4 && arguments[arguments.count - 2].uppercased() == "TO"
    }

    static func run(_ arguments: [String], interactive: Bool, send: ([String]) async throws -> RESPValue) async rethrows -> RESPValue {
        let path = arguments[arguments.count - 1]
        let started = try await send(["EXPORT.START"] + arguments[1..<(arguments.count - 2)])
        guard case .bulkString(let bytes) = started, let job = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)), case .integer(let id)? = job["job"] else {
            return started
        }
        var status = job
        while status["state"] == .string("running") {
            try? await Task.sleep(for: .milliseconds(100))
            let reply = try await send(["EXPORT.STATUS", String(id)])
            guard case .bulkString(let text) = reply, let value = try? JSONValue.parse(String(decoding: text, as: UTF8.self)) else { return reply }
            status = value
            if interactive { FileHandle.standardOutput.write(Data(("\r" + line(status)).utf8)) }
        }
        if interactive { print("") }
        guard status["state"] == .string("done") else { return .bulk(status.serialized) }
        let partial = path + ".part"
        guard FileManager.default.createFile(atPath: partial, contents: nil), let file = FileHandle(forWritingAtPath: partial) else {
            return .error(code: "BAD_REQUEST", message: "cannot write \(path); nothing was written (the export stays on the server for an hour: EXPORT.FETCH \(id))")
        }
        var cursor = "0", written = 0
        repeat {
            let reply = try await send(["EXPORT.FETCH", String(id), "CURSOR", cursor])
            guard case .array(let parts) = reply, parts.count == 2, case .bulkString(let next) = parts[0], case .bulkString(let chunk) = parts[1] else {
                try? file.close()
                try? FileManager.default.removeItem(atPath: partial)
                return reply
            }
            file.write(Data(chunk))
            written += chunk.count
            cursor = String(decoding: next, as: UTF8.self)
        } while cursor != "0"
        try? file.close()
        guard rename(partial, path) == 0 else { return .error(code: "BAD_REQUEST", message: "cannot name \(path)") }
        return .bulk(JSONValue.object([("file", .string(path)), ("bytes", .integer(Int64(written))), ("rows", status["rows_total"] ?? .null), ("job", .integer(id)), ("milliseconds", status["milliseconds"] ?? .null)]).serialized)
    }

    /// `[#########.....]  4,096 / 10,000 contacts`
    static func line(_ status: JSONValue) -> String {
        func number(_ key: String) -> Int { if case .integer(let value)? = status[key] { Int(value) } else { 0 } }
        let total = number("rows_total"), done = number("rows_done")
        let filled = total > 0 ? min(30, done * 30 / total) : 0
        return "[\(String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled))] \(done) / \(total) contacts        "
    }

    /// For `--connect`: `IMPORT.* FILE <path>` with the local file's bytes instead (`BASE64 <text>`).
    static func uploadingLocalFile(_ arguments: [String]) throws -> [String] {
        guard arguments.first?.uppercased().hasPrefix("IMPORT.") == true,
              let index = arguments.firstIndex(where: { $0.uppercased() == "FILE" }), index + 1 < arguments.count else { return arguments }
        let path = arguments[index + 1]
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read \(path): no such file, or not readable")
        }
        var sent = arguments
        sent.replaceSubrange(index...(index + 1), with: ["BASE64", data.base64EncodedString()])
        return sent
    }
}
