import CallsheetProtocol
import Foundation
import Testing
import TestSupport

/// Duplicates, merge and undo as a user drives them: `redis-cli` against a real `callsheet
/// serve`, `kill -9` of the server after the merge, and the merge log and unmerge after restart.
@Suite("Duplicates over redis-cli, across kill -9")
struct DuplicatesServerTests {
    @Test("redis-cli: a write's duplicate warning, DUP.SCAN and DUP.GROUPS, CONTACT.MERGE, kill -9, MERGE.LOG, the merged phone, CONTACT.UNMERGE, UNDO of a bulk edit")
    func mergeSurvivesKill() async throws {
        let redisCLI = try #require(ExternalProcess.which("redis-cli"), "redis-cli (Debian redis-tools) is not installed")
        let executable = try #require(BuiltProduct.path("callsheet"))
        let server = try await ServeProcess.start()
        defer { server.stop() }
        func cli(_ port: Int, _ arguments: [String]) async throws -> String {
            let run = try await ExternalProcess.run(redisCLI, ["-h", "127.0.0.1", "-p", "\(port)", "--no-auth-warning", "--user", ServeProcess.admin, "--pass", server.adminSecret] + arguments)
            #expect(run.status == 0, "\(arguments): \(run.errorOutput)")
            return run.output
        }
        let port = try #require(server.port)
        #expect(try await cli(port, ["CONTACT.ADD", #"{"name":"John Doe","phone":"+16502530001","email":"john.doe@gmail.com","tags":"VIP"}"#]).contains(#""id":1"#))
        let second = try await cli(port, ["CONTACT.ADD", #"{"name":"Jon Doe","phone":"(650) 253-0002","email":"JohnDoe@gmail.com","tags":"DNC"}"#])
        #expect(second.contains(#""duplicates":[{"id":1"#), "\(second)")
        #expect(try await cli(port, ["DUP.SCAN"]).contains(#""groups":1"#))
        #expect(try await cli(port, ["DUP.GROUPS"]).contains(#""members":[1,2]"#))
        let merged = try await cli(port, ["CONTACT.MERGE", "1", "2"])
        #expect(merged.contains(#""merge_id":1"#) && merged.contains(#""tags":["VIP","DNC"]"#), "\(merged)")

        // The merge was acknowledged: a kill -9 right after keeps it.
        server.process.kill(SIGKILL)
        _ = try await server.process.waitForExit(timeout: .seconds(30))
        let again = try TCPConnection.freePort()
        let restarted = try ChildProcess.start(executable, ["serve", "--data", server.data.path, "--port", "\(again)", "--fsync", "no", "--log-level", "warning"])
        defer { restarted.kill() }
        _ = try await TCPConnection.waitUntilAccepting(port: again, timeout: .seconds(60))
        #expect(try await cli(again, ["MERGE.LOG"]).contains(#""survivor":1,"merged":[2],"rule":"manual""#))
        #expect(try await cli(again, ["CONTACT.BYPHONE", "650-253-0002"]).contains(#""id":1,"#), "the merged-away number finds the survivor")
        let unmerged = try await cli(again, ["CONTACT.UNMERGE", "1"])
        #expect(unmerged.contains(#""conflicts":[]"#), "\(unmerged)")
        #expect(try await cli(again, ["CONTACT.BYPHONE", "650-253-0002"]).contains(#""id":2,"#))
        let edit = try await cli(again, ["CONTACT.BULKEDIT", "IDS", "1,2", "DO", "ADDTAGS", "Q1"])
        #expect(edit.contains(#""undo_id":2"#), "\(edit)")
        #expect(try await cli(again, ["UNDO", "2"]).contains(#""restored":2"#))
        #expect(try await cli(again, ["CONTACT.GET", "2"]).contains(#""tags":["DNC"]"#))
        let info = try await cli(again, ["INFO", "JSON"])
        #expect(info.contains(#""duplicates":{"found":0,"merged":0,"unmerged":1}"#), "\(info)")
    }

    @Test("redis-cli: DUP.SCAN ASYNC replies a job at once; DUP.STATUS follows it to the result the synchronous scan replies; DUP.CANCEL of a finished job is CONFLICT")
    func scanJob() async throws {
        let redisCLI = try #require(ExternalProcess.which("redis-cli"), "redis-cli (Debian redis-tools) is not installed")
        let server = try await ServeProcess.start()
        defer { server.stop() }
        let port = try #require(server.port)
        func cli(_ arguments: [String]) async throws -> String {
            let run = try await ExternalProcess.run(redisCLI, ["-h", "127.0.0.1", "-p", "\(port)", "--no-auth-warning", "--user", ServeProcess.admin, "--pass", server.adminSecret] + arguments)
            #expect(run.status == 0, "\(arguments): \(run.errorOutput)")
            return run.output
        }
        _ = try await cli(["CONTACT.ADD", #"{"name":"John Doe","phone":"+16502530001","email":"john.doe@gmail.com"}"#])
        _ = try await cli(["CONTACT.ADD", #"{"name":"Doe, Jon","phone":"+16502530002","email":"JohnDoe+crm@gmail.com"}"#])
        let started = try await cli(["DUP.SCAN", "ASYNC"])
        #expect(started.contains(#""job":1,"state":"running","scope":"organization""#), "\(started)")
        var status = ""
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            status = try await cli(["DUP.STATUS", "1"])
            if !status.contains(#""state":"running""#) { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(status.contains(#""state":"done""#) && status.contains(#""result":{"groups":1,"contacts_in_groups":2,"contacts_scanned":2"#), "\(status)")
        #expect(try await cli(["DUP.GROUPS"]).contains(#""members":[1,2]"#))
        #expect(try await cli(["DUP.CANCEL", "1"]).contains("CONFLICT"))
        #expect(try await cli(["DUP.SCAN"]).contains(#""groups":1,"contacts_in_groups":2"#), "the synchronous reply as before")
    }
}
