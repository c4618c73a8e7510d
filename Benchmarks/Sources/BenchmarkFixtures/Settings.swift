import Benchmark

/// The measurement settings every benchmark here uses: wall clock, mallocs, throughput; one
/// operation per measured iteration, so the percentiles are those of single calls.
public enum Settings {
    /// What `swift package benchmark baseline check` counts as a regression. Times move by tens
    /// of percent on a shared 2-core machine, so a time fails only when its median is 25% worse;
    /// malloc counts are repeatable, so 5% on their median fails.
    public static var thresholds: [BenchmarkMetric: BenchmarkThresholds] {
        [
            .wallClock: BenchmarkThresholds(relative: BenchmarkThresholds.Relative.relaxed),
            .throughput: BenchmarkThresholds(relative: BenchmarkThresholds.Relative.relaxed),
            .mallocCountTotal: BenchmarkThresholds(relative: [.p50: 5.0]),
        ]
    }

    /// A configuration: `timeUnits` for display, `warmup` iterations not measured, and at most
    /// `seconds` of measurement or `iterations` iterations, whichever comes first.
    public static func configuration(
        _ timeUnits: BenchmarkTimeUnits, warmup: Int, seconds: Int64, iterations: Int
    ) -> Benchmark.Configuration {
        Benchmark.Configuration(
            metrics: [.wallClock, .mallocCountTotal, .throughput], timeUnits: timeUnits, warmupIterations: warmup,
            maxDuration: .seconds(seconds), maxIterations: iterations, thresholds: thresholds)
    }
}
