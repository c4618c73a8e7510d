import CallsheetCore
import CallsheetStore
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

    @Test(arguments: [("login", "SHEET_PRIVATE"), ("forbidden", "SHEET_PRIVATE"), ("unauthorized", "SHEET_PRIVATE"),
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
}
