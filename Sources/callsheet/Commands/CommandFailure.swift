/// A failure the command line reports on standard error before exiting with status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ message: String) { description = message }
}
