import CallsheetStore
import Logging
import ServiceLifecycle

/// The store as a `Service`: takes scheduled snapshots about once a second while running, and on
/// shutdown (after the server has drained) writes the final snapshot and closes the journal.
public struct StoreService: Service {
    public let directory: ShardDirectory
    /// How often the snapshot schedule is consulted.
    public var interval: Duration

    public init(directory: ShardDirectory, interval: Duration = .seconds(1)) {
        self.directory = directory
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                await directory.snapshotIfDue()
            }
        }
        let problems = await directory.close()
        // The process must not exit 0 saying it stopped cleanly when it did not.
        if !problems.isEmpty { throw UncleanStop(problems: problems) }
    }
}

/// A graceful stop that could not finish cleanly (the final snapshot failed): `callsheet serve`
/// exits non-zero with these problems.
public struct UncleanStop: Error, CustomStringConvertible {
    public var problems: [String]
    public var description: String { "stopped, but not cleanly: " + problems.joined(separator: "; ") }
}
