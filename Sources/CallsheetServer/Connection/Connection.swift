import CallsheetCore
import CallsheetProtocol
import Foundation
import CallsheetStore
import Logging
import NIOCore

/// One client's conversation over TCP: takes the batches the framing handler produces, runs each
/// request through the store's ``CommandExecutor`` in order, and writes the batch's replies in
/// one buffer with one flush.
///
/// Backpressure: while a write waits for the client to read, this task stops taking batches;
/// the inbound stream's high-water mark then stops reading from the socket.
struct Connection {
    let id: UInt64
    let channel: NIOAsyncChannel<RequestBatch, ByteBuffer>
    let gate: ConnectionGate
    let executor: CommandExecutor
    let limits: ServerLimits
    let metrics: ServerMetrics
    let logger: Logger

    /// Serves until the client quits or disconnects, a limit is hit, or the server drains.
    func run() async {
        var session = Session(isLocalOwner: false)
        var failedAttempts = 0
        var replies: [UInt8] = []
        replies.reserveCapacity(16 * 1024)
        do {
            try await channel.executeThenClose { inbound, outbound in
                batches: for try await batch in inbound {
                    var closing = false
                    // Requests other than AUTH are run in runs, so that pipelined lookups share
                    // one visit to the organization's actor (CommandExecutor.execute(batch:)).
                    var pending: [[String]] = []
                    func flush() async {
                        guard !pending.isEmpty else { return }
                        for reply in await executor.execute(batch: pending, session: &session) { reply.write(into: &replies) }
                        pending.removeAll(keepingCapacity: true)
                        if session.wantsClose { closing = true }
                    }
                    for request in batch {
                        switch request {
                        case .protocolError(let error):
                            await flush()
                            metrics.protocolErrors.add(1, ordering: .relaxed)
                            logger.info("protocol error", metadata: ["error": "\(error.code)"])
                            error.reply.write(into: &replies)
                            closing = closing || error.closesConnection
                        case .drain:
                            await flush()
                            closing = true
                        case .command(let arguments) where Self.isAuth(arguments) || !session.isAuthenticated:
                            await flush()
                            if !closing { closing = await execute(arguments, session: &session, failedAttempts: &failedAttempts, replies: &replies) }
                        case .command(let arguments):
                            switch Self.strings(arguments) {
                            case .success(let strings):
                                pending.append(strings)
                            case .failure(let refusal):
                                await flush()
                                executor.directory.counters.record(error: .badRequest)
                                refusal.reply.write(into: &replies)
                            }
                        }
                        if closing { break }
                    }
                    await flush()
                    if !replies.isEmpty {
                        try await outbound.write(ByteBuffer(bytes: replies))
                        replies.removeAll(keepingCapacity: replies.capacity <= 1 << 20)
                    }
                    if closing {
                        metrics.connectionsClosedByServer.add(1, ordering: .relaxed)
                        break batches
                    }
                }
            }
        } catch {
            logger.debug("connection ended with an error", metadata: ["error": "\(error)"])
        }
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

    /// `AUTH` runs alone: it pauses the framing handler and is rate limited.
    private static func isAuth(_ arguments: [[UInt8]]) -> Bool {
        arguments.first.map { $0.count == 4 && String(decoding: $0, as: UTF8.self).uppercased() == "AUTH" } ?? false
    }

    /// Runs one request and appends its reply; true when the connection must close after it.
    private func execute(
        _ arguments: [[UInt8]], session: inout Session, failedAttempts: inout Int, replies: inout [UInt8]
    ) async -> Bool {
        let strings: [String]
        switch Self.strings(arguments) {
        case .success(let converted): strings = converted
        case .failure(let refusal):
            executor.directory.counters.record(error: .badRequest)
            refusal.reply.write(into: &replies)
            return false
        }
        let isAuth = arguments[0].count == 4 && strings[0].uppercased() == "AUTH"
        let wasAuthenticated = session.isAuthenticated
        let reply = await executor.execute(strings, session: &session)
        if !isAuth {
            reply.write(into: &replies)
            return session.wantsClose
        }
        // The secret is never logged: only the outcome and the user name.
        let user = strings.count > 1 ? strings[1] : ""
        guard case .error = reply else {
            logger.info("authenticated", metadata: ["user": "\(user)"])
            finishAuthentication(succeeded: true, wasAuthenticated: wasAuthenticated)
            reply.write(into: &replies)
            return false
        }
        failedAttempts += 1
        metrics.authenticationFailures.add(1, ordering: .relaxed)
        logger.info("authentication failed", metadata: ["user": "\(user)", "attempt": "\(failedAttempts)"])
        if limits.failedAuthDelay > 0 {
            try? await Task.sleep(for: .milliseconds(Int64(limits.failedAuthDelay * 1000)))
        }
        reply.write(into: &replies)
        if failedAttempts >= limits.maxFailedAuthAttempts {
            RESPValue.error(code: "AUTH_FAILED", message: "too many failed attempts; closing the connection").write(into: &replies)
            finishAuthentication(succeeded: false, wasAuthenticated: wasAuthenticated)
            return true
        }
        finishAuthentication(succeeded: false, wasAuthenticated: wasAuthenticated)
        return false
    }

    /// Lets the framing handler go on after an `AUTH` it paused for.
    private func finishAuthentication(succeeded: Bool, wasAuthenticated: Bool) {
        guard !wasAuthenticated else { return }
        gate.endAuthentication(succeeded: succeeded)
        RequestFrameDecoder.resume(channel.channel)
    }
}
