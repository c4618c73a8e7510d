import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import ContactGenerator
import Foundation
import Testing

/// Background jobs, their persistence, the import log, and department scope.
struct JobAndScopeTests {
    private func generatedCSV(_ count: Int, seed: UInt64 = 7) -> String {
        ContactCSV.document(ContactGenerator.contacts(count: count, seed: seed))
    }

    /// Polls IMPORT.STATUS until the job ends, for up to two minutes (a loaded CI machine).
    private func waitFinished(_ store: StoreFixture, _ job: Int) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let status = try await store.json(["IMPORT.STATUS", String(job)])
            if let state = status["state"]?.string, !["queued", "fetching", "validating", "committing"].contains(state) { return status }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("job \(job) did not finish in two minutes")
        return .null
    }

    @Test func startReturnsAtOnceAndStatusFollowsTheJob() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        let file = try store.file("gen.csv", generatedCSV(3000))
        let started = try await store.json(["IMPORT.START", "FILE", file])
        let job = started["job_id"]?.int ?? 0
        #expect(job > 0)
        let status = try await waitFinished(store, job)
        #expect(status["state"]?.string == "completed")
        #expect(status["total_rows"]?.int == 3000)
        #expect(status["processed_rows"]?.int == 3000)
        let created = status["created"]?.int ?? 0
        #expect(created > 2900)
        #expect(try await store.contactCount() == created)
        let jobs = try await store.json(["IMPORT.JOBS"])
        #expect(jobs["jobs"]?.array.first?["job_id"]?.int == job)
    }

    @Test func jobsReportsAndLogSurviveARestart() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        let summary = try await store.json(["IMPORT.COMMIT", "FILE", Fixture.path("invalid-rows-with-reasons.csv")])
        let job = String(summary["job_id"]?.int ?? 0)
        try await store.reopen()
        #expect(try await store.json(["IMPORT.STATUS", job])["state"]?.string == "completed")
        #expect(try await store.ok(["IMPORT.ERRORS", job]).contains("INVALID_EMAIL"))
        let log = try String(contentsOfFile: store.path + "/imports/contact-import.log", encoding: .utf8)
        #expect(log.contains("job=\(job) org=1 user=owner state=completed rows=5 created=1"))
    }

    /// A sheet download the test holds until it says so: the job waits in `fetching`, before any
    /// row can be stored, for as long as the test needs.
    final class HeldSheet: @unchecked Sendable {
        // @unchecked Sendable: the flag is behind the lock; the semaphore is thread-safe.
        private let lock = NSLock()
        private var requests = 0
        private let gate = DispatchSemaphore(value: 0)
        let csv = Array("Name,Phone\nAnn Lee,+16502530001\nBen Ito,+16502530002\n".utf8)

        var arrived: Int { lock.withLock { requests } }

        /// Called on the HTTP server's thread: counts the request, then waits for ``release()``
        /// (two minutes at most, so a failing test cannot hang the suite).
        func serve() -> LocalHTTPServer.Reply {
            lock.withLock { requests += 1 }
            _ = gate.wait(timeout: .now() + 120)
            return .init(status: 200, contentType: "text/csv", body: csv)
        }

        func release() { gate.signal() }

        func waitForRequest(_ count: Int = 1) async throws {
            let deadline = ContinuousClock.now + .seconds(120)
            while arrived < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            #expect(arrived >= count, "the import never asked for the sheet")
        }
    }

    private func heldServer(_ held: HeldSheet) throws -> LocalHTTPServer {
        try LocalHTTPServer { path in
            if path.contains("/d/held/") { return held.serve() }
            return .init(status: 404, contentType: "text/plain", body: Array("not found".utf8))
        }
    }

    private static let heldSheet = "https://docs.google.com/spreadsheets/d/held/edit#gid=0"

    /// Cancelled while its download is held, an import stores nothing, whether it runs in the
    /// background (IMPORT.START) or the caller waits for it (IMPORT.COMMIT, from another session).
    @Test(arguments: ["IMPORT.START", "IMPORT.COMMIT"])
    func cancelWhileFetchingStoresNothing(command: String) async throws {
        let held = HeldSheet()
        let http = try heldServer(held)
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 120))
        var committing: Task<RESPValue, Never>?
        var job = 0
        if command == "IMPORT.START" {
            job = try await store.json(["IMPORT.START", "SHEET", Self.heldSheet])["job_id"]?.int ?? 0
        } else {
            let executor = store.executor
            let owner = store.owner
            committing = Task {
                var session = owner
                return await executor.execute(["IMPORT.COMMIT", "SHEET", Self.heldSheet], session: &session)
            }
        }
        try await held.waitForRequest()
        if job == 0 { job = try await store.json(["IMPORT.JOBS"])["jobs"]?.array.first?["job_id"]?.int ?? 0 }
        #expect(try await store.json(["IMPORT.STATUS", String(job)])["state"]?.string == "fetching")

        let cancel = await store.run(["IMPORT.CANCEL", String(job)])
        #expect(cancel == .ok, "a job still downloading can be cancelled: \(cancel)")
        held.release()
        if let committing {
            let reply = await committing.value
            let failed = if case .error = reply { true } else { false }
            #expect(failed, "the cancelled IMPORT.COMMIT must not report a stored import: \(reply.text ?? "")")
        }
        let status = try await waitFinished(store, job)
        #expect(status["state"]?.string == "cancelled", "\(status.serialized)")
        #expect(try await store.contactCount() == 0, "the cancel said nothing was stored")
        // And after a restart, still nothing, and still cancelled.
        try await store.reopen()
        #expect(try await store.contactCount() == 0)
        #expect(try await store.json(["IMPORT.STATUS", String(job)])["state"]?.string == "cancelled")
    }

    /// Once an import is stored, IMPORT.CANCEL says so, and the contacts stay.
    @Test func cancelAfterStoringIsRefusedAndTheImportStays() async throws {
        let held = HeldSheet()
        let http = try heldServer(held)
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 120))
        let job = try await store.json(["IMPORT.START", "SHEET", Self.heldSheet])["job_id"]?.int ?? 0
        try await held.waitForRequest()
        held.release()
        #expect(try await waitFinished(store, job)["state"]?.string == "completed")
        let cancel = await store.run(["IMPORT.CANCEL", String(job)])
        #expect(cancel.text?.hasPrefix("CONFLICT") == true && cancel.text?.contains("completed") == true, "\(cancel)")
        #expect(try await store.contactCount() == 2)
    }

    /// A cancel racing a large import at whatever stage it has reached: either the reply says
    /// nothing was stored and nothing is, or it says the import could no longer be cancelled and
    /// the import is stored whole.
    @Test(arguments: [0, 5, 40])
    func cancelRacingAnImportIsTruthful(delayMilliseconds: Int) async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["ORG.SET", "max_import_rows", "200000"])
        let file = try store.file("gen.csv", generatedCSV(20000))
        let job = try await store.json(["IMPORT.START", "FILE", file])["job_id"]?.int ?? 0
        // A varying head start, so the cancel lands in different stages; each outcome is checked.
        if delayMilliseconds > 0 { try await Task.sleep(for: .milliseconds(delayMilliseconds)) }
        let reply = await store.run(["IMPORT.CANCEL", String(job)])
        let status = try await waitFinished(store, job)
        let stored = try await store.contactCount()
        if reply == .ok {
            #expect(status["state"]?.string == "cancelled", "the cancel was acknowledged: \(status.serialized)")
            #expect(stored == 0, "the cancel said nothing was stored, yet \(stored) contacts were")
        } else {
            #expect(reply.text?.hasPrefix("CONFLICT") == true, "only a job already storing (or stored) may refuse: \(reply)")
            #expect(status["state"]?.string == "completed", "\(status.serialized)")
            #expect(stored == status["created"]?.int && stored > 19_000, "the refusal says the import is stored: \(stored) contacts")
        }
    }

    @Test func managerImportLandsInTheirDepartmentAndDoesNotSeeOthers() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["DEPT.CREATE", "Sales"])
        try await store.ok(["CONTACT.ADD", #"{"name":"Hidden","phone":"+16502530001"}"#])
        let secret = try await store.json(["USER.CREATE", "mia", "ROLE", "manager", "DEPT", "2"])["secret"]?.string ?? ""
        var manager = Session(isLocalOwner: false)
        _ = await store.executor.execute(["AUTH", "mia", secret], session: &manager)
        let csv = "Name,Phone\nAnn,+16502530001\nBen,+16502530002\n"

        let validate = await store.executor.execute(["IMPORT.VALIDATE", "CSV", csv], session: &manager)
        let rows = try JSONValue.parse(validate.text ?? "")["rows"]?.array ?? []
        #expect(rows[0]["duplicate_of_contact"]?.string == "another department", "the other department's contact id stays hidden")

        let update = await store.executor.execute(["IMPORT.COMMIT", "CSV", csv, "DUPLICATES", "update"], session: &manager)
        let summary = try JSONValue.parse(update.text ?? "")
        #expect(summary["created"]?.int == 1 && summary["rejected"]?.int == 1)
        let ben = try await store.json(["CONTACT.BYPHONE", "+16502530002"])
        #expect(ben["department_id"]?.int == 2)
        #expect(try await store.json(["CONTACT.GET", "1"])["name"]?.string == "Hidden")

        let job = summary["job_id"]?.int ?? 0
        var agentless = Session(isLocalOwner: false)
        let otherSecret = try await store.json(["USER.CREATE", "max", "ROLE", "manager", "DEPT", "1"])["secret"]?.string ?? ""
        _ = await store.executor.execute(["AUTH", "max", otherSecret], session: &agentless)
        #expect(await store.errorCode(["IMPORT.STATUS", String(job)], session: &agentless) == "NOT_FOUND")
        #expect(await store.errorCode(["IMPORT.SETTINGS", "duplicates", "update"], session: &manager) == "FORBIDDEN")
    }
}
