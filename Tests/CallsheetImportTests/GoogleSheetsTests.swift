import CallsheetCore
@testable import CallsheetStore
import Foundation
import Testing

/// Google Sheets imports against a local HTTP server standing in for docs.google.com.
struct GoogleSheetsTests {
    static let csv = Array("Name,Phone\nAnn Lee,+16502530001\nBen Ito,+16502530002\n".utf8)

    private func server() throws -> LocalHTTPServer {
        try LocalHTTPServer { path in
            if path.hasPrefix("/spreadsheets/d/public/export?format=csv&gid=7") { return .init(status: 200, contentType: "text/csv", body: Self.csv) }
            if path.contains("/d/login/") { return .init(status: 200, contentType: "text/html; charset=utf-8", body: Array("<!DOCTYPE html><html>Sign in - Google Accounts</html>".utf8)) }
            if path.contains("/d/forbidden/") { return .init(status: 403, contentType: "text/plain", body: []) }
            if path.contains("/d/unauthorized/") { return .init(status: 401, contentType: "text/plain", body: []) }
            if path.contains("/d/slow/") { return .init(status: 200, contentType: "text/csv", body: Self.csv, delay: 20) }
            if path.contains("/d/huge/") { return .init(status: 200, contentType: "text/csv", body: Array(repeating: UInt8(ascii: "a"), count: 5000)) }
            if path.contains("/d/signin/") {
                return .init(status: 302, contentType: "text/html", body: [], headers: ["Location: https://accounts.google.com/ServiceLogin?continue=https://docs.google.com/spreadsheets/d/signin/export"])
            }
            return .init(status: 404, contentType: "text/plain", body: Array("not found".utf8))
        }
    }

    private func sheet(_ id: String, gid: Int = 0) -> String { "https://docs.google.com/spreadsheets/d/\(id)/edit#gid=\(gid)" }

    @Test func publicSheetImports() async throws {
        let http = try server()
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 60))
        let preview = try await store.json(["IMPORT.PREVIEW", sheet("public", gid: 7)])
        #expect(preview["row_count"]?.int == 2)
        let summary = try await store.json(["IMPORT.COMMIT", "SHEET", "https://docs.google.com/spreadsheets/d/public/edit?usp=sharing#gid=7"])
        #expect(summary["created"]?.int == 2)
    }

    @Test(arguments: [("login", "SHEET_PRIVATE"), ("signin", "SHEET_PRIVATE"), ("forbidden", "SHEET_PRIVATE"), ("unauthorized", "SHEET_PRIVATE"),
                      ("missing", "SHEET_NOT_FOUND"), ("slow", "SHEET_UNAVAILABLE"), ("huge", "LIMIT")])
    func failingSheets(_ id: String, _ code: String) async throws {
        let http = try server()
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["ORG.SET", "max_import_bytes", "1000"])
        // Only the slow sheet meets the timeout (its reply waits 20 s); the others get a timeout
        // no loaded machine reaches, so they fail for their own reason.
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: id == "slow" ? 1 : 60))
        #expect(await store.errorCode(["IMPORT.COMMIT", "SHEET", sheet(id)]) == code)
        #expect(try await store.contactCount() == 0)
    }

    /// The product's "10 imports per hour": imports that stored a sheet count, previews, dry runs
    /// and failed fetches do not, and a restart forgets nothing (the jobs are in the data directory).
    @Test func rateLimitCountsImportsAndSurvivesRestart() async throws {
        let http = try server()
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 60, sheetsPerHour: 3))
        for _ in 0..<5 { try await store.ok(["IMPORT.PREVIEW", sheet("public", gid: 7)]) }
        try await store.ok(["IMPORT.VALIDATE", "SHEET", sheet("public", gid: 7)])
        #expect(await store.errorCode(["IMPORT.COMMIT", "SHEET", sheet("missing")]) == "SHEET_NOT_FOUND")
        for _ in 0..<3 { try await store.ok(["IMPORT.COMMIT", "SHEET", sheet("public", gid: 7)]) }
        #expect(await store.errorCode(["IMPORT.COMMIT", "SHEET", sheet("public", gid: 7)]) == "RATE_LIMITED")
        // Uploaded files are not limited.
        try await store.ok(["IMPORT.COMMIT", "CSV", String(decoding: Self.csv, as: UTF8.self)])
        try await store.reopen()
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 60, sheetsPerHour: 3))
        #expect(await store.errorCode(["IMPORT.COMMIT", "SHEET", sheet("public", gid: 7)]) == "RATE_LIMITED")
    }

    /// Fetches of any kind are bounded too, more loosely (six times the import limit).
    @Test func fetchesAreBounded() async throws {
        let http = try server()
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 60, sheetsPerHour: 1))
        for _ in 0..<6 { try await store.ok(["IMPORT.PREVIEW", sheet("public", gid: 7)]) }
        #expect(await store.errorCode(["IMPORT.PREVIEW", sheet("public", gid: 7)]) == "RATE_LIMITED")
    }

    // MARK: Redirects, limits and timeouts of the download (AsyncHTTPClient)

    /// Google answers an export URL with a redirect to its download host: a redirect that stays on
    /// the sheets host (here 127.0.0.1, on another port) is followed, and so is a relative one.
    @Test func redirectOnTheSheetsHostIsFollowed() async throws {
        let target = try server()
        defer { target.stop() }
        let exportPath = "/spreadsheets/d/public/export?format=csv&gid=7"
        let http = try LocalHTTPServer { path in
            if path.contains("/d/moved/") { return .init(status: 307, contentType: "text/html", body: [], headers: ["Location: \(target.baseURL)\(exportPath)"]) }
            if path.contains("/d/relative/") { return .init(status: 302, contentType: "text/html", body: [], headers: ["Location: /elsewhere\(exportPath)"]) }
            if path.hasPrefix("/elsewhere/spreadsheets/d/public/") { return .init(status: 200, contentType: "text/csv", body: Self.csv) }
            return .init(status: 404, contentType: "text/plain", body: [])
        }
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 60))
        #expect(try await store.json(["IMPORT.PREVIEW", sheet("relative")])["row_count"]?.int == 2)
        let summary = try await store.json(["IMPORT.COMMIT", "SHEET", sheet("moved")])
        #expect(summary["created"]?.int == 2)
        #expect(target.requests(containing: "/spreadsheets/d/public/export") == 1)
    }

    /// A redirect to another host is refused before anything is sent there, naming the host.
    @Test func redirectOffTheSheetsHostIsRefused() async throws {
        let elsewhere = try server()
        defer { elsewhere.stop() }
        let http = try LocalHTTPServer { path in
            // Same machine, another name: not the sheets host (127.0.0.1).
            .init(status: 302, contentType: "text/html", body: [],
                  headers: ["Location: http://localhost:\(elsewhere.port)/spreadsheets/d/public/export?format=csv&gid=7"])
        }
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 60))
        let reply = await store.run(["IMPORT.COMMIT", "SHEET", sheet("public", gid: 7)])
        guard case .error(let text) = reply else {
            Issue.record("expected an error, got \(reply)")
            return
        }
        #expect(text.hasPrefix("SHEET_UNAVAILABLE"))
        #expect(text.contains("redirected to localhost"))
        #expect(elsewhere.requestLines.isEmpty)
        #expect(try await store.contactCount() == 0)
    }

    /// A server that redirects forever: the fetch gives up after five redirects (six requests).
    @Test func redirectLoopStopsAtTheLimit() async throws {
        let http = try LocalHTTPServer { path in
            .init(status: 302, contentType: "text/html", body: [], headers: ["Location: \(path)"])
        }
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 60))
        let reply = await store.run(["IMPORT.PREVIEW", sheet("loop")])
        guard case .error(let text) = reply else {
            Issue.record("expected an error, got \(reply)")
            return
        }
        #expect(text.hasPrefix("SHEET_UNAVAILABLE"))
        #expect(text.contains("more than 5 times"))
        #expect(http.requests(containing: "/d/loop/") == SheetFetcher.maxRedirects + 1)
    }

    /// A 50 MB body without Content-Length against a 1 MB limit: LIMIT as soon as the first
    /// megabyte is passed, the connection closed, the rest never sent (nor held in memory).
    @Test func oversizedStreamedBodyIsCutWhileStreaming() async throws {
        let total = 50 * 1024 * 1024
        let http = try LocalHTTPServer { path in
            .init(status: 200, contentType: "text/csv", body: Array("Name,Phone\n".utf8), omitsContentLength: true, generatedBytes: total)
        }
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["ORG.SET", "max_import_bytes", "1000000"])
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 60))
        let started = ContinuousClock.now
        let reply = await store.run(["IMPORT.COMMIT", "SHEET", sheet("endless")])
        let elapsed = ContinuousClock.now - started
        guard case .error(let text) = reply else {
            Issue.record("expected LIMIT, got \(reply)")
            return
        }
        #expect(text.hasPrefix("LIMIT"))
        #expect(text.contains("import limit of 1000000 bytes"))
        // Generous: the suite runs in parallel on two cores (CPU-bound suites can hold the
        // cooperative pool for seconds); what proves the cut is the bytes the server wrote.
        #expect(elapsed < .seconds(120))
        // The server's writes failed once the client closed: far less than the body was sent
        // (what was sent beyond 1 MB sat in the sockets' buffers).
        let finished = http.finishedReply(containing: "/d/endless/", timeout: 15)
        #expect(finished?.complete == false)
        #expect((finished?.bodyBytesWritten ?? total) < total / 2)
    }

    /// Headers, then nothing: the read timeout ends the wait, within the timeout and a margin.
    @Test func stalledBodyTimesOut() async throws {
        let http = try LocalHTTPServer { path in
            .init(status: 200, contentType: "text/csv", body: Self.csv, stallAfterHead: 300)
        }
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 1))
        let started = ContinuousClock.now
        let reply = await store.run(["IMPORT.PREVIEW", sheet("stalled")])
        let elapsed = ContinuousClock.now - started
        #expect(reply.text?.hasPrefix("SHEET_UNAVAILABLE") == true)
        #expect(reply.text?.contains("did not arrive within 1 seconds") == true)
        // The server stalls for 300 s: a bound far below it, loose enough for a loaded machine.
        #expect(elapsed < .seconds(60))
    }

    /// A body that trickles in (a byte every 500 ms, 150 s in all) never trips the read timeout;
    /// the deadline of the whole download ends it.
    @Test func tricklingBodyMeetsTheDeadline() async throws {
        let body = Array((String(decoding: Self.csv, as: UTF8.self) + String(repeating: "Cy Ng,+16502530003\n", count: 12)).utf8).prefix(300)
        let http = try LocalHTTPServer { path in
            .init(status: 200, contentType: "text/csv", body: Array(body), bytePause: 0.5)
        }
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 2))
        let started = ContinuousClock.now
        let reply = await store.run(["IMPORT.PREVIEW", sheet("trickle")])
        let elapsed = ContinuousClock.now - started
        #expect(reply.text?.hasPrefix("SHEET_UNAVAILABLE") == true)
        #expect(reply.text?.contains("did not arrive within 2 seconds") == true)
        #expect(elapsed < .seconds(60))
    }

    /// `HTTP_PROXY` from the configuration's environment: the download goes through the proxy
    /// (a CONNECT to the sheets host), and the proxy's refusal is SHEET_UNAVAILABLE.
    @Test func proxyFromTheEnvironmentIsUsed() async throws {
        let proxy = try LocalHTTPServer { _ in .init(status: 407, contentType: "text/plain", body: Array("proxy authentication required".utf8)) }
        defer { proxy.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        // A sheets host that only the proxy could reach.
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: "http://sheets.example:8080", sheetTimeout: 60, environment: ["HTTP_PROXY": proxy.baseURL]))
        let started = ContinuousClock.now
        let reply = await store.run(["IMPORT.PREVIEW", sheet("public", gid: 7)])
        #expect(reply.text?.hasPrefix("SHEET_UNAVAILABLE the proxy refused") == true, "\(reply)")
        // Refused once, not retried until the connect timeout.
        #expect(proxy.requests(containing: "CONNECT sheets.example:8080") == 1)
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    /// Nothing listens at the sheets host: SHEET_UNAVAILABLE at once, saying why.
    @Test func refusedConnectionIsUnavailable() async throws {
        let closed = try server()
        let base = closed.baseURL
        closed.stop()
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: base, sheetTimeout: 60))
        let started = ContinuousClock.now
        let reply = await store.run(["IMPORT.PREVIEW", sheet("public", gid: 7)])
        // Not retried until the connect timeout (which would say "did not arrive within").
        #expect(reply.text?.hasPrefix("SHEET_UNAVAILABLE cannot fetch the sheet") == true, "\(reply)")
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func proxySettingsFromTheEnvironment() throws {
        let google = try #require(URL(string: "https://docs.google.com"))
        let local = try #require(URL(string: "http://sheets.test:8080"))
        func proxy(_ environment: [String: String], _ url: URL) throws -> SheetProxySettings? {
            try SheetProxySettings(environment: environment, for: url)
        }
        #expect(try proxy([:], google) == nil)
        #expect(try proxy(["HTTPS_PROXY": "http://alice:p%40ss@proxy.corp:3128"], google)
            == SheetProxySettings(kind: .http, host: "proxy.corp", port: 3128, username: "alice", password: "p@ss"))
        #expect(try proxy(["https_proxy": "proxy.corp:8080", "HTTPS_PROXY": "other:1"], google) == SheetProxySettings(kind: .http, host: "proxy.corp", port: 8080))
        #expect(try proxy(["HTTPS_PROXY": "http://proxy.corp"], google)?.port == 80)
        #expect(try proxy(["HTTPS_PROXY": "socks5://socks.corp"], google) == SheetProxySettings(kind: .socks, host: "socks.corp", port: 1080))
        #expect(try proxy(["ALL_PROXY": "proxy.corp:3128"], google)?.host == "proxy.corp")
        #expect(try proxy(["HTTPS_PROXY": "  "], google) == nil)
        // The scheme of the sheets URL picks the variable.
        #expect(try proxy(["HTTP_PROXY": "proxy.corp:3128"], google) == nil)
        #expect(try proxy(["HTTPS_PROXY": "proxy.corp:3128"], local) == nil)
        #expect(try proxy(["HTTP_PROXY": "proxy.corp:3128"], local)?.port == 3128)
        // NO_PROXY: the host and its subdomains, in each spelling; `*` for all.
        for noProxy in ["google.com", ".google.com", "*.google.com", "localhost, DOCS.google.com", "docs.google.com:443", "*"] {
            #expect(try proxy(["HTTPS_PROXY": "proxy.corp:3128", "NO_PROXY": noProxy], google) == nil, "\(noProxy)")
        }
        for noProxy in ["oogle.com", "sheets.google.com", "example.com,10.0.0.1"] {
            #expect(try proxy(["HTTPS_PROXY": "proxy.corp:3128", "no_proxy": noProxy], google) != nil, "\(noProxy)")
        }
        // Loopback is never proxied (the tests' sheets host).
        #expect(try proxy(["HTTP_PROXY": "proxy.corp:3128"], try #require(URL(string: "http://127.0.0.1:9999"))) == nil)
        // A proxy reached over TLS is not supported: said, with the password hidden.
        do {
            _ = try proxy(["HTTPS_PROXY": "https://alice:secret@proxy.corp:443"], google)
            Issue.record("an https:// proxy was accepted")
        } catch let error as CallsheetError {
            #expect(error.code == .sheetUnavailable)
            #expect(error.message.contains("HTTPS_PROXY=https://***@proxy.corp:443"))
            #expect(!error.message.contains("secret"))
        }
    }

    @Test func redirectHostPolicy() throws {
        let policy = SheetHostPolicy(sheetsURL: try #require(URL(string: "https://docs.google.com/spreadsheets/d/x/export?format=csv")))
        let current = try #require(URL(string: "https://docs.google.com/spreadsheets/d/x/export?format=csv&gid=0"))
        for allowed in ["https://docs.google.com/other", "https://doc-0s-8c-sheets.googleusercontent.com/export/abc", "https://DOCS.GOOGLE.COM./x"] {
            #expect(policy.allows(try #require(URL(string: allowed))), "\(allowed)")
        }
        for refused in ["https://evil.example/x", "https://googleusercontent.com.evil.example/x", "https://evilgoogleusercontent.com/x",
                        "http://docs.google.com/x", "ftp://docs.google.com/x"] {
            #expect(!policy.allows(try #require(URL(string: refused))), "\(refused)")
        }
        #expect(try policy.follow("/spreadsheets/d/x/export?format=csv&gid=1", from: current).absoluteString
            == "https://docs.google.com/spreadsheets/d/x/export?format=csv&gid=1")
        #expect(throws: CallsheetError.self) { try policy.follow("https://evil.example/x", from: current) }
        do {
            _ = try policy.follow("https://accounts.google.com/v3/signin/identifier?continue=x", from: current)
            Issue.record("the sign-in page was followed")
        } catch {
            #expect(error.code == .sheetPrivate)
        }
    }
}
