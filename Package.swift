// swift-tools-version:6.0
import PackageDescription

/// Callsheet: a contact store for calling platforms.
/// Layout: C shims at the bottom, a pure core in the middle, I/O at the edges.
/// See docs/ for the wire protocol and the on-disk formats.
let package = Package(
    name: "callsheet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "callsheet", targets: ["callsheet"]),
        // The libraries, for the benchmark package in Benchmarks/ (`swift package benchmark` there).
        .library(name: "CallsheetLibraries", targets: [
            "CallsheetProtocol", "CallsheetCore", "CallsheetStorage", "CallsheetStore", "TextIndex", "PhoneNumbers", "ContactGenerator",
            "ChunkedCollections",
        ]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // MARK: C and C++ shims
        .systemLibrary(
            name: "CZstd",
            pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]
        ),
        .systemLibrary(
            name: "CXlsxWriter",
            pkgConfig: "xlsxwriter",
            providers: [.apt(["libxlsxwriter-dev"])]
        ),
        .systemLibrary(
            name: "CLineEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(
            name: "CPhoneNumber",
            cxxSettings: [.unsafeFlags(["-std=c++17"])],
            linkerSettings: [.linkedLibrary("phonenumber"), .linkedLibrary("stdc++")]
        ),

        // MARK: Pure libraries
        .target(name: "PhoneNumbers", dependencies: ["CPhoneNumber"]),
        .target(name: "ChunkedCollections"),
        .target(name: "TextIndex", dependencies: ["ChunkedCollections"]),
        .target(name: "ContactGenerator"),
        .target(name: "CallsheetProtocol"),
        .target(
            name: "CallsheetCore",
            dependencies: [
                "PhoneNumbers", "TextIndex", "CallsheetProtocol", "ChunkedCollections",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),

        // MARK: I/O
        .target(
            name: "CallsheetStorage",
            dependencies: ["CZstd", .product(name: "Logging", package: "swift-log"), .product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        .target(
            name: "CallsheetStore",
            dependencies: [
                "CallsheetCore", "CallsheetStorage", "CallsheetProtocol", "CXlsxWriter", "PhoneNumbers",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "CallsheetServer",
            dependencies: [
                "CallsheetStore", "CallsheetProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "callsheet",
            dependencies: [
                "CallsheetServer", "CallsheetStore", "ContactGenerator", "CLineEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),

        // MARK: Benchmarks (run by hand: scripts/bench/)
        .executableTarget(
            name: "callsheet-search-bench",
            dependencies: ["CallsheetStore", "CallsheetCore", "ContactGenerator", .product(name: "Logging", package: "swift-log")],
            path: "scripts/bench/SearchBench"
        ),

        .executableTarget(
            name: "DurabilityBench",
            dependencies: ["CallsheetStore", "CallsheetProtocol", "ContactGenerator"],
            path: "scripts/bench/durability"
        ),

        .executableTarget(
            name: "callsheet-dup-bench",
            dependencies: ["CallsheetCore", "ContactGenerator"],
            path: "scripts/bench/DupBench"
        ),

        .executableTarget(
            name: "callsheet-call-bench",
            dependencies: ["CallsheetStore", "CallsheetCore"],
            path: "scripts/bench/CallBench"
        ),
        .executableTarget(
            name: "callsheet-write-bench",
            dependencies: ["CallsheetStore", "CallsheetCore", "ContactGenerator"],
            path: "scripts/bench/WriteBench"
        ),

        // MARK: Fuzzing (run by hand: scripts/fuzz TARGET SECONDS; see docs/BENCHMARKS.md)
        .target(
            name: "CallsheetFuzzing",
            dependencies: ["CallsheetProtocol", "CallsheetCore", "CallsheetStorage"],
            path: "Fuzz/CallsheetFuzzing"
        ),
        .executableTarget(name: "callsheet-fuzz", dependencies: ["CallsheetFuzzing"], path: "Fuzz/callsheet-fuzz"),

        // MARK: Tests
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PhoneNumbersTests", dependencies: ["PhoneNumbers"]),
        .testTarget(name: "ChunkedCollectionsTests", dependencies: ["ChunkedCollections", "TestSupport"]),
        .testTarget(name: "TextIndexTests", dependencies: ["TextIndex", "TestSupport"]),
        .testTarget(name: "ContactGeneratorTests", dependencies: ["ContactGenerator", "PhoneNumbers"]),
        .testTarget(name: "CallsheetProtocolTests", dependencies: ["CallsheetProtocol"]),
        .testTarget(name: "CallsheetCoreTests", dependencies: ["CallsheetCore", "TextIndex", "PhoneNumbers", "TestSupport"]),
        .testTarget(name: "CallsheetStorageTests", dependencies: ["CallsheetStorage", "TestSupport"]),
        .testTarget(
            name: "CallsheetStoreTests", dependencies: ["CallsheetStore", "CallsheetStorage", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "CallsheetServerTests",
            dependencies: [
                "CallsheetServer", "CallsheetStore", "CallsheetCore", "CallsheetProtocol", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(name: "CallsheetCLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "CallsheetFuzzingTests", dependencies: ["CallsheetFuzzing", "TestSupport"]),
        .testTarget(
            name: "CallsheetImportTests",
            dependencies: [
                "CallsheetCore", "CallsheetStore", "ContactGenerator", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"]
        ),
    ]
)
