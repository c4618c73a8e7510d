import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation

/// A live progress bar for `IMPORT.START` in the interactive REPL: polls `IMPORT.STATUS` through
/// the same executor and redraws one line until the job ends, then prints its summary.
enum ImportProgressBar {
    static let width = 30

    /// Follows the job named in `reply` (the reply of `IMPORT.START`); returns at once if it names none.
    static func follow(_ reply: RESPValue, executor: CommandExecutor, session: inout Session) async {
        guard case .bulkString(let bytes) = reply, let json = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)),
              case .integer(let job)? = json["job_id"] else { return }
        while true {
            let status = await executor.execute(["IMPORT.STATUS", String(job)], session: &session)
            guard case .bulkString(let text) = status, let value = try? JSONValue.parse(String(decoding: text, as: UTF8.self)) else { return }
            FileHandle.standardOutput.write(Data(("\r" + line(value)).utf8))
            if case .string(let state)? = value["state"], !["queued", "fetching", "validating", "committing"].contains(state) {
                let message = if case .string(let text)? = value["message"] { text } else { "" }
                print("\n\(state): \(message)" + (state == "completed" ? "" : " (IMPORT.ERRORS \(job) lists the problems)"))
                return
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    /// `[#########.....]  4,096 / 10,000 rows  validating`
    static func line(_ status: JSONValue) -> String {
        func number(_ key: String) -> Int { if case .integer(let value)? = status[key] { Int(value) } else { 0 } }
        let total = number("total_rows")
        let done = number("processed_rows")
        let state = if case .string(let text)? = status["state"] { text } else { "" }
        let filled = total > 0 ? min(width, done * width / total) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "[\(bar)] \(done) / \(total == 0 ? "?" : String(total)) rows  \(state)        "
    }
}
