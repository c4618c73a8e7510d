import ArgumentParser
import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation

/// `callsheet export --data DIR --org NAME --format xlsx --out FILE [--match TEXT] [--filter …]`:
/// an export of a data directory no server holds, written to a local file (a running server's:
/// `callsheet repl --connect …` and `EXPORT … TO <file>`).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export an organization's contacts to a CSV, Excel or vCard file (not while a server runs on the directory: use EXPORT … TO <file> in `callsheet repl --connect`).")

    @OptionGroup var data: DataOptions

    @Option(help: "The organization (id or name).")
    var org: String

    @Option(help: "csv, xlsx or vcard.")
    var format: String = "csv"

    @Option(help: "The file to write.")
    var out: String

    @Option(help: "Quick-search text (`*` for every contact), as CONTACT.SEARCH takes it; without it, every contact (archived and do-not-call included).")
    var match: String?

    @Option(parsing: .upToNextOption, help: "Search filters after --match, as CONTACT.SEARCH takes them (e.g. TAGS ANY VIP).")
    var filter: [String] = []

    @Option(help: "Columns, separated by commas (csv and xlsx).")
    var columns: String?

    @Option(parsing: .upToNextOption, help: "More EXPORT.START options (ARCHIVED include, DNC exclude, BOM, DELIMITER semicolon, VERSION 4.0).")
    var options: [String] = []

    func run() async throws {
        let directory = try data.open(
            logger: makeLogger(),
            lockAdvice: "A server holds it: export through it with `callsheet repl --connect HOST:PORT --user USER` and `EXPORT \(format) … TO \(out)`.")
        let executor = CommandExecutor(directory: directory)
        var session = Session(isLocalOwner: true)
        var arguments = ["EXPORT", format]
        if let match { arguments += ["MATCH", match] + filter }
        if let columns { arguments += ["COLUMNS", columns] }
        arguments += options + ["TO", out]
        let use = await executor.execute(["USE", org], session: &session)
        let reply: RESPValue
        if case .error = use {
            reply = use
        } else {
            reply = await ExportDownload.run(arguments, interactive: false) { await executor.execute($0, session: &session) }
        }
        await directory.close()
        if case .error(let text) = reply { throw CommandFailure(text) }
        print(ReplyRenderer(plain: true).render(reply))
    }
}
