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

    @Option(help: "Share (0–1) of people written again as corrupted copies (typos, initials, nicknames, swapped names, email case, company suffix), for measuring duplicate detection; needs --truth.")
    var duplicates: Double?

    @Option(help: "With --duplicates: write the ground truth here as CSV (row,person,phone,corruptions): rows of one person are duplicates.")
    var truth: String?

    func validate() throws {
        guard count >= 0 else { throw ValidationError("count cannot be negative") }
        guard ["csv", "jsonl"].contains(format) else { throw ValidationError("--format is csv or jsonl") }
        if let duplicates {
            guard (0...1).contains(duplicates) else { throw ValidationError("--duplicates is a share between 0 and 1, e.g. 0.1") }
            guard truth != nil, format == "csv" else { throw ValidationError("--duplicates writes CSV and needs --truth FILE for the ground truth") }
        }
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
        if let duplicates, let truth {
            try writeLabelled(share: duplicates, truth: truth, to: handle)
        } else if format == "csv" {
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

    /// Rows of ``LabelledDuplicates`` as CSV, and beside them the truth: each row's person.
    private func writeLabelled(share: Double, truth: String, to handle: FileHandle) throws {
        guard FileManager.default.createFile(atPath: truth, contents: nil), let truthFile = FileHandle(forWritingAtPath: truth) else {
            throw CommandFailure("cannot create \(truth)")
        }
        defer { try? truthFile.close() }
        var generator = LabelledDuplicates(seed: seed, duplicateShare: share)
        var csv = Array((ContactCSV.header + ContactCSV.recordTerminator).utf8)
        var labels = "row,person,phone,corruptions\n"
        for index in 0..<count {
            let row = generator.next()
            ContactCSV.appendRow(row.contact, to: &csv)
            csv.append(contentsOf: ContactCSV.recordTerminator.utf8)
            labels += "\(index + 2),\(row.person),\(row.contact.e164),\(row.corruptions.joined(separator: ";"))\n"
            if csv.count > 1 << 20 {
                handle.write(Data(csv))
                truthFile.write(Data(labels.utf8))
                csv.removeAll(keepingCapacity: true)
                labels = ""
            }
        }
        handle.write(Data(csv))
        truthFile.write(Data(labels.utf8))
    }
}
