import CallsheetFuzzing
import Foundation
import Testing

/// Runs every seed (Fuzz/Corpus) and every input that once failed (Fuzz/Regressions) through
/// its fuzz target, without libFuzzer, so what the fuzzers found stays fixed in scripts/test.
/// Serialized: the snapshot target reads its input from one scratch file per process.
@Suite(.serialized) struct CorpusReplayTests {
    /// The repository root, three levels above this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test(arguments: FuzzTarget.allCases)
    func committedSeedsAndRegressionsPass(_ target: FuzzTarget) throws {
        let seeds = CorpusFiles.list(["\(Self.root)/Fuzz/Corpus/\(target.rawValue)"])
        #expect(seeds.count >= 3, "Fuzz/Corpus/\(target.rawValue) holds the seeds; regenerate with callsheet-fuzz --write-seeds")
        let regressions = CorpusFiles.list(["\(Self.root)/Fuzz/Regressions/\(target.rawValue)"])
        for file in seeds + regressions {
            let bytes = try CorpusFiles.read(file)
            #expect(throws: Never.self, "\(file)") { try target.run(bytes) }
        }
    }

    @Test(arguments: FuzzTarget.allCases)
    func generatedSeedsPass(_ target: FuzzTarget) throws {
        let seeds = try SeedCorpus.seeds(for: target)
        #expect(!seeds.isEmpty)
        for seed in seeds {
            #expect(throws: Never.self, "\(seed.name)") { try target.run(seed.bytes) }
        }
    }

    /// Every prefix of every seed: the torn inputs a fuzzer tries first, run in every build.
    @Test(arguments: FuzzTarget.allCases)
    func truncatedSeedsPass(_ target: FuzzTarget) throws {
        for seed in try SeedCorpus.seeds(for: target) {
            let step = max(1, seed.bytes.count / 64)
            for cut in stride(from: 0, to: seed.bytes.count, by: step) {
                #expect(throws: Never.self, "\(seed.name) cut at \(cut)") { try target.run(Array(seed.bytes[0..<cut])) }
            }
        }
    }
}
