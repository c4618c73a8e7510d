// swift-tools-version:6.1
import PackageDescription

/// Callsheet's in-process benchmarks, run by ordo-one's `swift package benchmark` (issue 17).
///
/// A package of its own, nested in the repository, so that the root package, `scripts/test` and CI
/// never resolve or build the benchmark harness. It uses the root package's libraries through its
/// `CallsheetLibraries` product. Each benchmark target lives in `Benchmarks/<Target>/` here, where
/// the benchmark plugin looks for them. See README.md beside this file and docs/BENCHMARKS.md.
let package = Package(
    name: "callsheet-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "callsheet", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // CONTACT.GET, CONTACT.BYPHONE and CONTACT.SEARCH through the executor; contact JSON rendering.
        benchmark("StoreBenchmarks"),
        // The trigram index (insert, query) and phone number parsing.
        benchmark("IndexBenchmarks"),
        // Journal append (fsync no) and snapshot encode/decode of an organization.
        benchmark("StorageBenchmarks", also: [.product(name: "Logging", package: "swift-log")]),

        // What the benchmarks share: generated contacts, an organization, an in-memory store.
        .target(
            name: "BenchmarkFixtures",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CallsheetLibraries", package: "callsheet"),
            ],
            path: "Sources/BenchmarkFixtures"
        ),
    ]
)

/// A benchmark executable in `Benchmarks/<name>/`, with the root package's libraries.
func benchmark(_ name: String, also dependencies: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: [
            .product(name: "Benchmark", package: "benchmark"),
            .product(name: "CallsheetLibraries", package: "callsheet"),
            "BenchmarkFixtures",
        ] + dependencies,
        path: "Benchmarks/\(name)",
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}
