import CLineEdit
import CallsheetStore

#if canImport(Glibc)
import Glibc
#endif

/// Interactive line input through libedit: editing, persistent history, tab completion of
/// command names. Only used when standard input is a terminal.
final class LineEditor {
    private let historyPath: String?

    init(historyPath: String?) {
        self.historyPath = historyPath
        // libedit reads multibyte input only under a UTF-8 character type; names have accents.
        if setlocale(LC_CTYPE, "") == nil || String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
        callsheet_set_completion(completeCommand)
        using_history()
        if let historyPath {
            // The history holds what managers typed about people: readable by its owner alone.
            let descriptor = open(historyPath, O_CREAT | O_WRONLY, 0o600)
            if descriptor >= 0 { close(descriptor) }
            chmod(historyPath, 0o600)
            read_history(historyPath)
        }
    }

    /// Reads one line, or nil at end of input (Ctrl-D).
    func readLine(prompt: String) -> String? {
        guard let raw = readline(prompt) else { return nil }
        defer { free(raw) }
        let line = String(cString: raw)
        // Lines that carry a secret (AUTH) are kept out of the history file.
        if !line.trimmingCharacters(in: .whitespaces).isEmpty, CommandCatalog.keepsInHistory(line) {
            add_history(raw)
            if let historyPath { append_history(1, historyPath) }
        }
        return line
    }

    deinit {
        if let historyPath { write_history(historyPath) }
    }
}

/// Command names offered by tab completion, and the position of the generator's walk over them.
private nonisolated(unsafe) var completionCandidates: [String] = []
private nonisolated(unsafe) var completionIndex = 0

/// libedit's completion hook: complete command names at the start of the line only.
private func completeCommand(_ text: UnsafePointer<CChar>?, _ start: Int32, _ end: Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
    callsheet_completion_over()
    guard start == 0 else { return nil }
    let prefix = text.map { String(cString: $0) }?.uppercased() ?? ""
    completionCandidates = CommandCatalog.all.map(\.name).filter { $0.hasPrefix(prefix) }
    completionIndex = 0
    return rl_completion_matches(text, { _, _ in
        guard completionIndex < completionCandidates.count else { return nil }
        defer { completionIndex += 1 }
        return strdup(completionCandidates[completionIndex])
    })
}

private extension String {
    func trimmingCharacters(in set: CharacterSetLike) -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}

private enum CharacterSetLike { case whitespaces }
