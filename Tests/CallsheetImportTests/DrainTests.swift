import CallsheetCore
import CallsheetStore
import Foundation
import Testing

/// A graceful stop lets running imports finish instead of failing them (issue 11).
struct DrainTests {
    static let csv = Array("Name,Phone\nAnn Lee,+16502530001\nBen Ito,+16502530002\n".utf8)

    @Test func closingWaitsForARunningImport() async throws {
        let http = try LocalHTTPServer { path in
            .init(status: 200, contentType: "text/csv", body: Self.csv, delay: 1.5)
        }
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 60))
        let started = try await store.json(["IMPORT.START", "SHEET", "https://docs.google.com/spreadsheets/d/slow/edit"])
        let job = try #require(started["job_id"]?.int)
        #expect(await ImportRunner.for(store.directory).runningJobs == [ImportJobID(job)])
        // A graceful stop while the sheet is still downloading: the close waits for the job.
        try await store.reopen()
        let status = try await store.json(["IMPORT.STATUS", String(job)])
        #expect(status["state"]?.string == "completed", "\(status.serialized)")
        #expect(try await store.contactCount() == 2)
    }
}
