import CallsheetFuzzing
import Foundation
import Testing
import TestSupport

/// Inputs the fuzzers found that made a decoder reserve memory for a count it read from the
/// input (gigabytes for a few bytes). On Linux a reservation is not touched, so in-process it
/// passes unnoticed: replay them in a child process whose address space is capped, where such a
/// reservation fails and the process dies.
@Suite struct ReservationRegressionTests {
    /// Address space for the replay: a Swift process with Foundation runs in well under this.
    static let addressSpaceKiB = 1 << 20

    func replay(_ target: FuzzTarget, _ directory: String) async throws -> (ChildProcess.Termination, String) {
        let executable = try #require(BuiltProduct.path("callsheet-fuzz"), "build with swift build --build-tests first")
        let script = "ulimit -v \(Self.addressSpaceKiB) && exec \"$0\" \"$@\""
        let result = try await ChildProcess.run(
            "/bin/sh", ["-c", script, executable, target.rawValue, directory], timeout: .seconds(120))
        return (result.status, result.output + result.error)
    }

    @Test(arguments: [FuzzTarget.codec, .snapshot])
    func regressionsReplayInBoundedMemory(_ target: FuzzTarget) async throws {
        // The seeds first: they show the cap leaves room for an ordinary run.
        let seeds = try await replay(target, "\(CorpusReplayTests.root)/Fuzz/Corpus/\(target.rawValue)")
        #expect(seeds.0 == .exited(0), "\(seeds.1)")
        let regressions = try await replay(target, "\(CorpusReplayTests.root)/Fuzz/Regressions/\(target.rawValue)")
        #expect(regressions.0 == .exited(0), "\(regressions.1)")
    }
}
