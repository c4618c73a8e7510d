import CallsheetCore
import CallsheetStore
import ContactGenerator
import Foundation
import Testing

/// Background jobs, their persistence, the import log, and department scope.
struct JobAndScopeTests {
    private func generatedCSV(_ count: Int, seed: UInt64 = 7) -> String {
        ContactCSV.document(ContactGenerator.contacts(count: count, seed: seed))
    }

    private func waitFinished(_ store: StoreFixture, _ job: Int) async throws -> JSONValue {
        for _ in 0..<600 {
            let status = try await store.json(["IMPORT.STATUS", String(job)])
            if let state = status["state"]?.string, !["queued", "fetching", "validating", "committing"].contains(state) { return status }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("job \(job) did not finish")
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
        #expect(jobs.array.first?["job_id"]?.int == job)
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

    @Test func cancelStopsAJobBeforeItStores() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["ORG.SET", "max_import_rows", "200000"])
        let file = try store.file("gen.csv", generatedCSV(60000))
        let job = try await store.json(["IMPORT.START", "FILE", file])["job_id"]?.int ?? 0
        let reply = await store.run(["IMPORT.CANCEL", String(job)])
        if case .error(let text) = reply {
            #expect(text.hasPrefix("CONFLICT"), "only a job already storing may refuse")
        } else {
            let status = try await waitFinished(store, job)
            #expect(status["state"]?.string == "cancelled")
            #expect(try await store.contactCount() == 0)
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
