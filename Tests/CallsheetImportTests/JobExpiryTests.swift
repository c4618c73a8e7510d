import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// Import jobs and their error reports expire (docs/STORAGE.md, "Import files and their expiry"),
/// on real files: at the store's first tick after it opens, on the store's scheduler, never
/// while a job runs, and saying so to those who could see the job.
struct JobExpiryTests {
    /// Two rows, one with a bad email: the report quotes the raw cell value.
    private static let csv = "Name,Phone,Email\nAnn Lee,+16502530001,not-an-email\nBen Ito,+16502530002,ben@example.com\n"
    private static let day: Int64 = 86_400_000

    private func jobFiles(_ store: StoreFixture) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: store.path + "/imports/jobs")) ?? []).sorted()
    }

    private func jobIDs(_ page: JSONValue) -> [Int] {
        page["jobs"]?.array.compactMap { $0["job_id"]?.int } ?? []
    }

    private func errorText(_ reply: RESPValue) -> String {
        if case .error(let text) = reply { return text }
        return "not an error: \(reply.text ?? "\(reply)")"
    }

    @Test func finishedJobsExpireWhenTheStoreOpensAndSaySo() async throws {
        let store = try await StoreFixture { $0.importRetention = .milliseconds(300) }
        defer { Task { await store.close() } }
        let job = try await store.json(["IMPORT.COMMIT", "CSV", Self.csv])["job_id"]?.int ?? 0
        #expect(job == 1)
        #expect(jobFiles(store) == ["1.errors.csv", "1.json"])
        #expect(try await store.ok(["IMPORT.ERRORS", "1"]).contains("not-an-email"), "the report quotes the cell until it expires")

        try await Task.sleep(for: .milliseconds(400))
        try await store.reopen()
        // The store's scheduler ticks about once a second; its first tick loads the jobs and
        // deletes the expired ones before anyone asks for them.
        await store.directory.snapshotIfDue()
        #expect(jobFiles(store).isEmpty, "both files of the expired job are deleted: \(jobFiles(store))")
        let status = await store.run(["IMPORT.STATUS", "1"])
        #expect(errorText(status).hasPrefix("NOT_FOUND import job 1 expired"), "\(errorText(status))")
        #expect(errorText(status).contains("deleted 300 milliseconds after it ends"), "the message says how long jobs are kept: \(errorText(status))")
        let errors = await store.run(["IMPORT.ERRORS", "1"])
        #expect(errorText(errors).hasPrefix("NOT_FOUND import job 1 expired"), "\(errorText(errors))")
        #expect(jobIDs(try await store.json(["IMPORT.JOBS"])).isEmpty, "an expired job is not listed")
        let log = try String(contentsOfFile: store.path + "/imports/contact-import.log", encoding: .utf8)
        #expect(log.contains("job=1 org=1"), "the import log keeps its line")

        // Every job file is gone, yet ids are never handed out twice, and the expiry is remembered
        // across a restart (for one more retention period: an hour now, so a loaded machine
        // cannot make this test race the clock).
        let next = try await store.json(["IMPORT.COMMIT", "CSV", Self.csv])["job_id"]?.int
        #expect(next == 2, "a new job after the expiry does not reuse id 1")
        store.configuration.importRetention = .seconds(3600)
        try await store.reopen()
        #expect(errorText(await store.run(["IMPORT.STATUS", "1"])).hasPrefix("NOT_FOUND import job 1 expired"))
        #expect(try await store.json(["IMPORT.STATUS", "2"])["job_id"]?.int == 2, "job 2 is younger than the retention")
    }

    /// The clock is moved by passing `now`: a finished job goes after the retention, a running one
    /// never does, and an expired job is forgotten one retention period later.
    @Test func expiryFollowsTheClockAndSparesRunningJobs() async throws {
        let held = JobAndScopeTests.HeldSheet()
        let http = try LocalHTTPServer { path in
            path.contains("/d/held/") ? held.serve() : .init(status: 404, contentType: "text/plain", body: Array("not found".utf8))
        }
        defer { http.stop() }
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        let runner = ImportRunner.configure(store.directory, .init(sheetsBaseURL: http.baseURL, sheetTimeout: 120))
        let finished = try await store.json(["IMPORT.COMMIT", "CSV", Self.csv])["job_id"]?.int ?? 0
        let running = try await store.json(["IMPORT.START", "SHEET", "https://docs.google.com/spreadsheets/d/held/edit#gid=0"])["job_id"]?.int ?? 0
        try await held.waitForRequest()

        let start = Clock.now()
        #expect(await runner.expireJobs(now: start + 29 * Self.day).isEmpty, "30 days by default")
        #expect(await runner.expireJobs(now: start + 31 * Self.day) == [ImportJobID(finished)])
        #expect(jobFiles(store) == ["\(running).json"], "the running job's file stays")
        #expect(try await store.json(["IMPORT.STATUS", String(running)])["state"]?.string == "fetching", "a running job never expires")
        #expect(jobIDs(try await store.json(["IMPORT.JOBS"])) == [running])

        held.release()
        let deadline = ContinuousClock.now + .seconds(60)
        while try await store.json(["IMPORT.STATUS", String(running)])["state"]?.string != "completed", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let ended = Clock.now()
        #expect(await runner.expireJobs(now: ended + 29 * Self.day).isEmpty, "the retention counts from the job's end")
        #expect(await runner.expireJobs(now: ended + 31 * Self.day) == [ImportJobID(running)])
        #expect(jobFiles(store).isEmpty)
        #expect(errorText(await store.run(["IMPORT.STATUS", String(finished)])).contains("expired"))

        // One more retention period on, the expired jobs are forgotten: unknown ids, ids still unique.
        _ = await runner.expireJobs(now: ended + 62 * Self.day)
        #expect(errorText(await store.run(["IMPORT.STATUS", String(finished)])) == "NOT_FOUND no import job \(finished) (IMPORT.JOBS lists yours)")
        let expired = try JSONValue.parse(String(contentsOfFile: store.path + "/imports/expired-jobs.json", encoding: .utf8))
        #expect(expired["expired"]?.array.isEmpty == true && expired["next_job_id"]?.int == running + 1, "\(expired.serialized)")
        try await store.reopen()
        #expect(try await store.json(["IMPORT.COMMIT", "CSV", Self.csv])["job_id"]?.int == running + 1)
    }

    /// Only those who could see a job learn that it expired; to anyone else its id reads exactly
    /// as one that never existed.
    @Test func anExpiredJobIsUnknownOutsideItsScope() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        try await store.ok(["DEPT.CREATE", "Sales"])
        let miaSecret = try await store.json(["USER.CREATE", "mia", "ROLE", "manager", "DEPT", "2"])["secret"]?.string ?? ""
        let maxSecret = try await store.json(["USER.CREATE", "max", "ROLE", "manager", "DEPT", "2"])["secret"]?.string ?? ""
        var mia = Session(isLocalOwner: false)
        var max = Session(isLocalOwner: false)
        _ = await store.executor.execute(["AUTH", "mia", miaSecret], session: &mia)
        _ = await store.executor.execute(["AUTH", "max", maxSecret], session: &max)
        let job = try JSONValue.parse(await store.executor.execute(["IMPORT.COMMIT", "CSV", Self.csv], session: &mia).text ?? "")["job_id"]?.int ?? 0
        #expect(job > 0)
        _ = await ImportRunner.for(store.directory).expireJobs(now: Clock.now() + 31 * Self.day)

        #expect(errorText(await store.executor.execute(["IMPORT.STATUS", String(job)], session: &mia)).contains("import job \(job) expired"))
        #expect(errorText(await store.run(["IMPORT.ERRORS", String(job)])).contains("import job \(job) expired"), "the organization's admin saw it")
        let other = await store.executor.execute(["IMPORT.STATUS", String(job)], session: &max)
        let never = await store.executor.execute(["IMPORT.STATUS", "9000"], session: &max)
        #expect(errorText(other) == errorText(never).replacingOccurrences(of: "9000", with: String(job)), "\(errorText(other))")
        try await store.ok(["ORG.CREATE", "Globex", "ADMIN", "gus"])
        try await store.ok(["USE", "Globex"])
        #expect(errorText(await store.run(["IMPORT.STATUS", String(job)])) == "NOT_FOUND no import job \(job) (IMPORT.JOBS lists yours)",
                "another organization does not learn of it")
    }

    /// A pass that cannot record what it expires (here the record's path is a directory, as a
    /// full disk would refuse it) deletes nothing; the next pass does it.
    @Test func aPassThatCannotRecordItsExpiryDeletesNothing() async throws {
        let store = try await StoreFixture()
        defer { Task { await store.close() } }
        _ = try await store.json(["IMPORT.COMMIT", "CSV", Self.csv])
        let record = store.path + "/imports/expired-jobs.json"
        try FileManager.default.createDirectory(atPath: record + "/blocked", withIntermediateDirectories: true)
        let runner = ImportRunner.for(store.directory)
        #expect(await runner.expireJobs(now: Clock.now() + 31 * Self.day).isEmpty)
        #expect(jobFiles(store) == ["1.errors.csv", "1.json"], "nothing is deleted")
        let imports = try FileManager.default.contentsOfDirectory(atPath: store.path + "/imports").sorted()
        #expect(imports == ["contact-import.log", "expired-jobs.json", "jobs"], "no temporary file is left: \(imports)")
        #expect(try await store.json(["IMPORT.STATUS", "1"])["state"]?.string == "completed")

        try FileManager.default.removeItem(atPath: record)
        #expect(await runner.expireJobs(now: Clock.now() + 31 * Self.day) == [1])
        #expect(jobFiles(store).isEmpty)
    }

    /// `IMPORT.JOBS` pages newest first: paging through more than a hundred jobs gives each
    /// exactly once, in order, also while new jobs start between pages.
    @Test func jobsPageNewestFirstEachExactlyOnce() async throws {
        let store = try await StoreFixture { $0.fsyncPolicy = .no }
        defer { Task { await store.close() } }
        for n in 1...104 {
            // Completed and rejected (nothing stored) jobs alike.
            let phone = String(format: "+1650253%04d", n)
            let reply = await store.run(["IMPORT.COMMIT", "CSV", "Name,Phone\nP\(n),\(n % 3 == 0 ? "bad" : phone)\n", n % 3 == 0 ? "STRICT" : "LENIENT"])
            if case .error(let text) = reply { #expect(text.hasPrefix("IMPORT_REJECTED"), "\(text)") }
        }
        try await store.ok(["DEPT.CREATE", "Sales"])
        let secret = try await store.json(["USER.CREATE", "mia", "ROLE", "manager", "DEPT", "2"])["secret"]?.string ?? ""
        var mia = Session(isLocalOwner: false)
        _ = await store.executor.execute(["AUTH", "mia", secret], session: &mia)
        var miaJobs: [Int] = []
        for n in 1...3 {
            let reply = await store.executor.execute(["IMPORT.COMMIT", "CSV", "Name,Phone\nM\(n),+1650253\(5000 + n)\n"], session: &mia)
            miaJobs.insert(try JSONValue.parse(reply.text ?? "")["job_id"]?.int ?? 0, at: 0)
        }

        let first = try await store.json(["IMPORT.JOBS"])
        #expect(jobIDs(first) == Array((58...107).reversed()), "the default page is the 50 newest")
        #expect(first["count"]?.int == 50 && first["next_cursor"]?.string == "58" && first["total"] == nil)

        var seen: [Int] = []
        var cursor = "0"
        var pages = 0
        while true {
            let page = try await store.json(["IMPORT.JOBS", "CURSOR", cursor, "LIMIT", "10", "COUNT"])
            let ids = jobIDs(page)
            #expect(page["count"]?.int == ids.count && page["total"]?.int == 107 + pages, "\(page.serialized.prefix(200))")
            seen += ids
            pages += 1
            guard let next = page["next_cursor"]?.string else { break }
            #expect(next == String(ids.last ?? 0))
            cursor = next
            // A job started between pages is newer than the cursor: it neither repeats nor shifts.
            _ = try await store.json(["IMPORT.COMMIT", "CSV", "Name,Phone\nLate\(pages),+1650253\(6000 + pages)\n"])
        }
        #expect(seen == Array((1...107).reversed()), "each job exactly once, newest first: \(seen)")
        #expect(pages == 11)

        let all = try await store.json(["IMPORT.JOBS", "LIMIT", "1000"])
        #expect(jobIDs(all).count == 107 + pages - 1 && all["next_cursor"] == .null, "a job was added after each page but the last")

        // A manager pages through their own jobs only.
        var shown: [Int] = []
        cursor = "0"
        for _ in 0..<5 {
            let page = try JSONValue.parse(await store.executor.execute(["IMPORT.JOBS", "CURSOR", cursor, "LIMIT", "2", "COUNT"], session: &mia).text ?? "")
            #expect(page["total"]?.int == 3)
            shown += jobIDs(page)
            guard let next = page["next_cursor"]?.string else { break }
            cursor = next
        }
        #expect(shown == miaJobs)

        for bad in [["LIMIT", "0"], ["LIMIT", "1001"], ["LIMIT", "many"], ["CURSOR", "abc"], ["CURSOR", "-3"], ["SORT", "id"]] {
            #expect(await store.errorCode(["IMPORT.JOBS"] + bad) == "WRONG_ARGS", "\(bad)")
        }
    }
}
