import CallsheetCore
import CallsheetProtocol
import Foundation
import CallsheetStore
import Logging
import NIOCore

/// One client's conversation over TCP: takes the batches the framing handler produces, runs each
/// request through the store's ``CommandExecutor`` in order, and writes the replies as they are
/// produced.
///
/// Memory per connection is bounded: replies are gathered up to
/// ``ServerLimits/replyFlushThreshold`` and then written, and a write waits while the client
/// leaves the socket full (the channel's write-buffer high-water mark), so a connection holds
/// about one reply plus the threshold, whatever it pipelined. Consecutive lookups still share one
/// visit to the organization's actor (``CommandExecutor/execute(batch:session:)``), at most
/// ``ServerLimits/lookupsPerVisit`` at a time.
struct Connection {
    let id: UInt64
    let channel: NIOAsyncChannel<RequestBatch, ByteBuffer>
    let gate: ConnectionGate
    let executor: CommandExecutor
    let limits: ServerLimits
    let metrics: ServerMetrics
    let logger: Logger
    /// A control-socket connection: the data directory's owner, with every right and no `AUTH`.
    var isOwner = false

    /// Serves until the client quits or disconnects, a limit is hit, or the server drains.
    func run() async {
        var session = Session(isLocalOwner: isOwner)
        session.clientAddress = Self.address(of: channel.channel)
        var failedAttempts = 0
        do {
            try await channel.executeThenClose { inbound, outbound in
                var writer = ReplyWriter(outbound: outbound)
                batches: for try await batch in inbound {
                    var closing = false
                    var lookups: [[String]] = []
                    func runLookups() async throws {
                        guard !lookups.isEmpty else { return }
                        let replies = await executor.execute(batch: lookups, session: &session)
                        lookups.removeAll(keepingCapacity: true)
                        for reply in replies { try await writer.append(reply) }
                        // A revoked user's lookups are refused, and their connection closes.
                        if session.wantsClose { closing = true }
                    }
                    for request in batch {
                        if closing { break }
                        switch request {
                        case .protocolError(let error):
                            try await runLookups()
                            metrics.protocolErrors.add(1, ordering: .relaxed)
                            logger.info("protocol error", metadata: ["error": "\(error.code)"])
                            try await writer.append(error.reply)
                            closing = error.closesConnection
                        case .drain:
                            try await runLookups()
                            closing = true
                        case .command(let arguments) where Self.isSignIn(arguments) || !session.isAuthenticated:
                            try await runLookups()
                            let (replies, closes) = await runAlone(arguments, session: &session, failedAttempts: &failedAttempts)
                            for reply in replies { try await writer.append(reply) }
                            closing = closes
                        case .command(let arguments):
                            switch Self.strings(arguments) {
                            case .success(let strings) where Self.isLookup(strings[0]):
                                lookups.append(strings)
                                if lookups.count >= ServerLimits.lookupsPerVisit { try await runLookups() }
                            case .success(let strings):
                                try await runLookups()
                                try await writer.append(await executor.execute(strings, session: &session))
                                closing = session.wantsClose
                            case .failure(let refusal):
                                try await runLookups()
                                executor.directory.counters.record(error: .badRequest)
                                try await writer.append(refusal.reply)
                            }
                        }
                    }
                    try await runLookups()
                    try await writer.flush()
                    if gate.answered(batch.count, limit: limits.maxPendingRequests) {
                        RequestFrameDecoder.resume(channel.channel)
                    }
                    if closing {
                        metrics.connectionsClosedByServer.add(1, ordering: .relaxed)
                        break batches
                    }
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": LogText.metadata("\(error)")])
        }
    }

    /// `ip:port` of the peer, as Redis names clients; `control-socket` for the owner's socket.
    static func address(of channel: any Channel) -> String {
        guard let remote = channel.remoteAddress, let ip = remote.ipAddress else { return "control-socket" }
        return remote.protocol == .inet6 ? "[\(ip)]:\(remote.port ?? 0)" : "\(ip):\(remote.port ?? 0)"
    }

    /// The arguments as text. Bytes that are not UTF-8 are never replaced silently: a CSV file
    /// sent with `IMPORT.* CSV <bytes>` travels on as `BASE64 <the same bytes>`, so the import
    /// sees them exactly (and can read Windows-1252 or report the byte offset); in any other
    /// argument they make the request fail with `BAD_REQUEST`.
    static func strings(_ arguments: [[UInt8]]) -> Result<[String], NotUTF8> {
        var result: [String] = []
        result.reserveCapacity(arguments.count)
        for (index, bytes) in arguments.enumerated() {
            if let text = String(validating: bytes, as: UTF8.self) {
                result.append(text)
                continue
            }
            let isImport = String(decoding: arguments[0], as: UTF8.self).uppercased().hasPrefix("IMPORT.")
            if isImport, index > 0, result.last?.uppercased() == "CSV" {
                result[result.count - 1] = "BASE64"
                result.append(Data(bytes).base64EncodedString())
            } else {
                return .failure(NotUTF8(argument: index + 1))
            }
        }
        return .success(result)
    }

    /// A request refused because an argument is not UTF-8.
    struct NotUTF8: Error {
        var argument: Int

        var reply: RESPValue {
            .error(code: "BAD_REQUEST", message: "argument \(argument) is not valid UTF-8; send text as UTF-8 (a CSV file may be sent with IMPORT.… CSV <bytes> or BASE64 <text>)")
        }
    }

    /// `AUTH` and `HELLO` (which may carry `AUTH`) run alone: they pause the framing handler
    /// until they are answered, and failed attempts are rate limited.
    private static func isSignIn(_ arguments: [[UInt8]]) -> Bool {
        arguments.first.map(RequestFrameDecoder.isSignIn) ?? false
    }

    /// Requests that ``CommandExecutor/execute(batch:session:)`` answers many at a time in one
    /// visit to the actor. Only a hint for batching: the executor decides what it batches.
    private static func isLookup(_ name: String) -> Bool { CommandExecutor.isLookup(name) }

    /// Runs a request that is not pipelined with others: anything before `AUTH`, and sign-ins.
    /// Returns its replies and whether the connection must close after them.
    private func runAlone(
        _ arguments: [[UInt8]], session: inout Session, failedAttempts: inout Int
    ) async -> (replies: [RESPValue], closes: Bool) {
        // The decoder paused behind a sign-in from an unauthenticated client: whatever happens
        // here, tell it the outcome, so that the pre-login limits stay unless AUTH succeeded.
        let pausedDecoder = Self.isSignIn(arguments) && !gate.isAuthenticated
        defer {
            if pausedDecoder {
                gate.endAuthentication(succeeded: session.isAuthenticated)
                RequestFrameDecoder.resume(channel.channel)
            }
        }
        let strings: [String]
        switch Self.strings(arguments) {
        case .success(let converted): strings = converted
        case .failure(let refusal):
            executor.directory.counters.record(error: .badRequest)
            return ([refusal.reply], false)
        }
        guard Self.isSignIn(arguments) else {
            let reply = await executor.execute(strings, session: &session)
            return ([reply], session.wantsClose)
        }
        let isAuth = strings[0].uppercased() == "AUTH"
        let reply = await executor.execute(strings, session: &session)
        // The secret is never logged: only the outcome and the user name, escaped.
        let user = Self.userName(in: strings)
        guard case .error(let text) = reply, isAuth || text.hasPrefix("AUTH_FAILED") else {
            if let user, !reply.isErrorReply {
                logger.info("authenticated", metadata: ["user": LogText.metadata(user)])
            }
            return ([reply], session.wantsClose)
        }
        failedAttempts += 1
        metrics.authenticationFailures.add(1, ordering: .relaxed)
        logger.info("authentication failed", metadata: ["user": LogText.metadata(user ?? ""), "attempt": "\(failedAttempts)"])
        if limits.failedAuthDelay > 0 {
            try? await Task.sleep(for: .milliseconds(Int64(limits.failedAuthDelay * 1000)))
        }
        if failedAttempts >= limits.maxFailedAuthAttempts {
            return ([reply, .error(code: "AUTH_FAILED", message: "too many failed attempts; closing the connection")], true)
        }
        return ([reply], false)
    }

    /// The user name a sign-in names: `AUTH <user> <secret>`, `HELLO <version> AUTH <user> <secret>`.
    private static func userName(in strings: [String]) -> String? {
        if strings[0].uppercased() == "AUTH" { return strings.count > 2 ? strings[1] : nil }
        guard let auth = strings.firstIndex(where: { $0.uppercased() == "AUTH" }), auth + 1 < strings.count else { return nil }
        return strings[auth + 1]
    }
}

private extension RESPValue {
    var isErrorReply: Bool {
        if case .error = self { return true }
        return false
    }
}
