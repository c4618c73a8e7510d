import ArgumentParser
import ContactGenerator
import Foundation

/// `callsheet gen N`: deterministic realistic contacts as CSV (or JSON lines), for tests and benchmarks.
struct GenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen", abstract: "Generate realistic contacts as CSV (deterministic for a seed).")

    @Argument(help: "How many contacts.")
    var count: Int

    @Option(help: "Seed; the same seed gives the same bytes.")
    var seed: UInt64 = 1

    @Option(help: "Output format: csv or jsonl (one CONTACT.ADD object per line).")
    var format: String = "csv"

    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.")
    var output: String?

    func validate() throws {
        guard count >= 0 else { throw ValidationError("count cannot be negative") }
        guard ["csv", "jsonl"].contains(format) else { throw ValidationError("--format is csv or jsonl") }
    }

    func run() throws {
        let handle: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else { throw CommandFailure("cannot create \(output)") }
            guard let file = FileHandle(forWritingAtPath: output) else { throw CommandFailure("cannot open \(output)") }
            handle = file
        } else {
            handle = FileHandle.standardOutput
        }
        defer { try? handle.close() }
        if format == "csv" {
            try ContactCSV.write(count: count, seed: seed, to: handle)
        } else {
            var generator = ContactGenerator(seed: seed)
            var buffer = ""
            for index in 0..<count {
                buffer += ContactJSON.object(generator.next()) + "\n"
                if index % 1000 == 999 {
                    handle.write(Data(buffer.utf8))
                    buffer = ""
                }
            }
            handle.write(Data(buffer.utf8))
        }
    }
}
