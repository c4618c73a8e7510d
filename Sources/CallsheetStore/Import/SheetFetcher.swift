import AsyncHTTPClient
import CallsheetCore
import Foundation
import NIOCore

/// Downloads a public Google Sheet as CSV with AsyncHTTPClient, on the runner's client (see
/// ``ImportRunner/sheetHTTPClient()``): within a time limit, a size limit and the redirect rules.
///
/// - Time: the client's connect and read timeouts, and a deadline for the whole download
///   (redirects and body included) of `timeout` seconds.
/// - Size: a `Content-Length` over `maxBytes` is refused before the body is read; a body
///   without one is read as it streams and abandoned (the connection closed) once it passes.
/// - Redirects are followed here, not by the client (which is set to refuse them), at most
///   ``maxRedirects``, and only to the sheets host or Google's download host (see
///   ``SheetHostPolicy``); a redirect to Google's sign-in page is reported as a private sheet.
///
/// A sheet that is not shared answers with a sign-in redirect, a sign-in page or 401/403; a
/// missing one with 404. Each gets its own error code.
struct SheetFetcher: Sendable {
    /// Where `/spreadsheets/d/<id>/export` is served; tests point it at 127.0.0.1.
    var baseURL: String
    /// Seconds the whole download may take.
    var timeout: Double
    var client: HTTPClient

    /// Redirects followed at most (Google uses one, to its download host).
    static let maxRedirects = 5

    /// The CSV bytes of the sheet at `shareURL`.
    /// - Throws: `BAD_REQUEST` (not a share URL), `SHEET_PRIVATE`, `SHEET_NOT_FOUND`,
    ///   `SHEET_UNAVAILABLE` (timeout, network, other status, a refused redirect) or `LIMIT`
    ///   (over `maxBytes`).
    func fetch(_ shareURL: String, maxBytes: Int) async throws(CallsheetError) -> [UInt8] {
        let sheet = try GoogleSheetURL(shareURL)
        guard let start = URL(string: sheet.exportURL(base: baseURL)), start.host != nil else {
            throw CallsheetError(.badRequest, "cannot build the export URL of '\(shareURL)'")
        }
        let policy = SheetHostPolicy(sheetsURL: start)
        let seconds = timeout
        let deadline = NIODeadline.now() + Self.timeAmount(seconds)
        let timedOut = CallsheetError(.sheetUnavailable, "the sheet did not arrive within \(Int(seconds)) seconds; try again, or export it as CSV and import the file")
        // The client's deadline ends when the response head arrives; the body is raced here
        // against the same limit, and loses: the download task is cancelled, which closes the connection.
        let result = await withTaskGroup(of: Result<[UInt8], CallsheetError>?.self) { group in
            group.addTask {
                do throws(CallsheetError) {
                    return .success(try await self.download(start, shareURL: shareURL, policy: policy, maxBytes: maxBytes, deadline: deadline))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                do {
                    try await Task.sleep(for: .seconds(seconds))
                } catch {
                    return nil
                }
                return .failure(timedOut)
            }
            for await outcome in group {
                if let outcome {
                    group.cancelAll()
                    return outcome
                }
            }
            return .failure(CallsheetError(.sheetUnavailable, "the sheet's download was cancelled"))
        }
        return try result.get()
    }

    /// Requests `start`, following the allowed redirects, and reads the final answer's body.
    private func download(_ start: URL, shareURL: String, policy: SheetHostPolicy, maxBytes: Int, deadline: NIODeadline) async throws(CallsheetError) -> [UInt8] {
        var url = start
        var redirects = 0
        while true {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.headers.add(name: "User-Agent", value: "callsheet")
            request.headers.add(name: "Accept", value: "text/csv, */*;q=0.5")
            let response: HTTPClientResponse
            do {
                response = try await client.execute(request, deadline: deadline)
            } catch {
                throw Self.networkError(error, timeout: timeout)
            }
            let status = Int(response.status.code)
            if Self.redirectStatuses.contains(status), let location = response.headers.first(name: "location") {
                // The redirect's body is not read: dropping the response closes its stream.
                url = try policy.follow(location, from: url)
                redirects += 1
                guard redirects <= Self.maxRedirects else {
                    throw CallsheetError(.sheetUnavailable, "the sheet's download was redirected more than \(Self.maxRedirects) times; try again later, or export it as CSV and import the file")
                }
                continue
            }
            return try await Self.read(response, status: status, shareURL: shareURL, maxBytes: maxBytes, timeout: timeout)
        }
    }

    static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]

    /// The body of the final answer, once its status says it is the sheet.
    private static func read(_ response: HTTPClientResponse, status: Int, shareURL: String, maxBytes: Int, timeout: Double) async throws(CallsheetError) -> [UInt8] {
        if status == 401 || status == 403 { throw privateSheet }
        if status == 404 {
            throw CallsheetError(.sheetNotFound, "no sheet at \(shareURL.prefix(100)) (404); check the link and the tab (gid)")
        }
        guard (200..<300).contains(status) else {
            throw CallsheetError(.sheetUnavailable, "Google Sheets answered HTTP \(status); try again later")
        }
        let tooLarge = CallsheetError(.limit, "the sheet is larger than this organization's import limit of \(maxBytes) bytes (ORG.SET max_import_bytes)")
        let declared = response.headers.first(name: "content-length").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        if let declared, declared > maxBytes { throw tooLarge }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(declared ?? 64 * 1024, maxBytes))
        var exceeded = false
        do {
            for try await chunk in response.body {
                guard bytes.count + chunk.readableBytes <= maxBytes else {
                    // Leaving the loop drops the body's iterator, which cancels the request and
                    // closes its connection: the rest is never read.
                    exceeded = true
                    break
                }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch {
            throw networkError(error, timeout: timeout)
        }
        if exceeded { throw tooLarge }
        let contentType = response.headers.first(name: "content-type") ?? ""
        let head = String(decoding: bytes.prefix(512), as: UTF8.self).lowercased()
        if contentType.lowercased().contains("text/html") || head.contains("<!doctype html") || head.contains("<html") {
            throw CallsheetError(.sheetPrivate, "the sheet answered with a web page instead of CSV (a sign-in page): share it with Anyone with the link (Viewer)")
        }
        return bytes
    }

    static let privateSheet = CallsheetError(.sheetPrivate, "the sheet is not public; in Google Sheets choose Share → General access → Anyone with the link (Viewer)")

    /// `SHEET_UNAVAILABLE` for a failed request: timeouts in the words of the download's limit.
    static func networkError(_ error: any Error, timeout: Double) -> CallsheetError {
        if let error = error as? CallsheetError { return error }
        if isTimeout(error) {
            return CallsheetError(.sheetUnavailable, "the sheet did not arrive within \(Int(timeout)) seconds; try again, or export it as CSV and import the file")
        }
        if let error = error as? HTTPClientError, error == .proxyAuthenticationRequired || error == .invalidProxyResponse {
            return CallsheetError(.sheetUnavailable, "the proxy refused the connection to the sheets host (\(error.shortDescription)); check HTTPS_PROXY and NO_PROXY")
        }
        return CallsheetError(.sheetUnavailable, "cannot fetch the sheet: \(String(describing: error).prefix(200))")
    }

    static func isTimeout(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return [.readTimeout, .connectTimeout, .deadlineExceeded, .tlsHandshakeTimeout, .httpProxyHandshakeTimeout,
                    .socksHandshakeTimeout, .getConnectionFromPoolTimeout].contains(error)
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return true }
        return false
    }

    static func timeAmount(_ seconds: Double) -> TimeAmount {
        .milliseconds(Int64(max(seconds, 0.001) * 1000))
    }

    /// A client for sheet downloads: redirects refused (``SheetFetcher`` follows them itself),
    /// connect and read timeouts, the proxy of the environment, on `group` (the server's event
    /// loops) or AsyncHTTPClient's default group. Shut it down when done.
    /// - Throws: `SHEET_UNAVAILABLE` when the proxy setting cannot be used.
    static func makeClient(
        sheetsBaseURL: String, timeout: Double, connectTimeout: Double, environment: [String: String], group: (any EventLoopGroup)?
    ) throws(CallsheetError) -> HTTPClient {
        let proxy = try URL(string: sheetsBaseURL).flatMap { (url: URL) throws(CallsheetError) -> SheetProxySettings? in
            try SheetProxySettings(environment: environment, for: url)
        }
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: timeAmount(min(connectTimeout, timeout)), read: timeAmount(timeout)),
            proxy: proxy?.clientProxy,
            decompression: .disabled
        )
        // A refused connection (or a proxy's refusal) fails the fetch at once instead of being
        // retried until the connect timeout: the user is told to try again.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: group ?? HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
