import Foundation
import Testing

/// `serve` shares the data directory's option group with `repl` and the offline commands (issue 10).
@Suite struct ServeOptionsTests {
    @Test func serveTakesEveryDataDirectoryOption() throws {
        let help = try CLIProcess.run(["serve", "--help"])
        for option in ["--data", "--fsync", "--snapshot-every", "--snapshot-seconds", "--keep-snapshots", "--repair", "--drain-seconds", "--import-retention-days"] {
            #expect(help.output.contains(option), "serve --help lacks \(option)")
        }
        let bad = try CLIProcess.run(["serve", "--keep-snapshots", "0"])
        #expect(bad.status != 0)
        #expect(bad.error.contains("--keep-snapshots must be at least 1"), "\(bad.error)")
        let retention = try CLIProcess.run(["serve", "--import-retention-days", "40000"])
        #expect(retention.status != 0)
        #expect(retention.error.contains("--import-retention-days is a number of days from 0 (keep forever)"), "\(retention.error)")
    }
}
