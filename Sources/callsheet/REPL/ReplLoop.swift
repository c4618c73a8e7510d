import CallsheetProtocol

/// The read–split–run–print loop both REPLs share: a local data directory and `--connect`.
/// Lines come from libedit when interactive, else from standard input one by one.
struct ReplLoop {
    var editor: LineEditor?
    var renderer: ReplyRenderer

    init(interactive: Bool, renderer: ReplyRenderer) {
        editor = interactive ? LineEditor(historyPath: ReplCommand.historyPath) : nil
        self.renderer = renderer
    }

    /// Reads lines until end of input or `QUIT`/`EXIT`; `run` answers each request and returns
    /// false to stop after its reply (if any: nil prints nothing) is printed.
    func run(prompt: () async -> String, _ execute: ([String]) async throws -> (RESPValue?, keepGoing: Bool)) async rethrows {
        while true {
            let text = editor == nil ? "" : await prompt()
            guard let line = editor?.readLine(prompt: text) ?? (editor == nil ? Swift.readLine(strippingNewline: true) : nil) else { return }
            let arguments: [String]
            do {
                arguments = try ReplLineSplitter.split(line)
            } catch {
                print(renderer.render(.error(code: "BAD_REQUEST", message: error.message)))
                continue
            }
            guard let first = arguments.first else { continue }
            if first.uppercased() == "EXIT" { return }
            let (reply, keepGoing) = try await execute(arguments)
            if let reply { print(renderer.render(reply)) }
            fflush(nil)
            if !keepGoing { return }
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif
