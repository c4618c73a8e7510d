import Foundation

/// Reading corpus directories: `Fuzz/Corpus/<target>/` (seeds) and `Fuzz/Regressions/<target>/`
/// (inputs that once failed), as scripts/fuzz and the tests use them.
public enum CorpusFiles {
    /// The regular files under each path (a file, or a directory read one level deep), sorted.
    public static func list(_ paths: [String]) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.filter { !$0.hasPrefix(".") }.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        return files
    }

    public static func read(_ path: String) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Writes every target's seeds to `directory/<target>/<name>`, replacing what was there.
    public static func writeSeeds(to directory: String) throws -> Int {
        var count = 0
        for target in FuzzTarget.allCases {
            let folder = directory + "/" + target.rawValue
            try? FileManager.default.removeItem(atPath: folder)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for seed in try SeedCorpus.seeds(for: target) {
                try Data(seed.bytes).write(to: URL(fileURLWithPath: folder + "/" + seed.name))
                count += 1
            }
        }
        return count
    }
}
