import CallsheetCore
import CallsheetProtocol
import CallsheetServer
import CallsheetStore
import Foundation
import Logging
import Synchronization
import Testing
import TestSupport

/// `callsheet serve`'s control socket (docs/PROTOCOL.md, "The control socket"): the owner's
/// commands while the server runs, online backups, and the socket file's life cycle. Real
/// processes, real sockets.
@Suite("Control socket", .serialized)
struct ControlSocketTests {
    static func socket(_ server: ServeProcess) -> String { server.data.path + "/control.sock" }

    @Test("the owner runs every command over the control socket without AUTH; TCP logins cannot; the socket is private and goes at a clean stop")
    func ownerCommandsOverTheControlSocket() async throws {
        let server = try await ServeProcess.start()
        defer { server.stop() }
        let path = Self.socket(server)
        var status = stat()
        #expect(lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFSOCK, "\(path) is a socket")
        #expect(status.st_mode & 0o777 == 0o600, "mode \(String(status.st_mode & 0o777, radix: 8))")
        #expect(stat(server.data.path, &status) == 0 && status.st_mode & 0o777 == 0o700)

        let owner = try await CallsheetClient.connect(unixDomainSocketPath: path)
        #expect(try await owner.send(["WHOAMI"]).json?["role"] as? String == "owner")
        let organizations = try await owner.send(["ORG.LIST"])
        #expect(organizations.string?.contains(#""name":"Acme""#) == true, "\(organizations)")
        let created = try await owner.send(["ORG.CREATE", "Globex", "REGION", "GB", "ADMIN", "gina"])
        let secret = try #require(created.json?["secret"] as? String, "\(created)")
        #expect(try await owner.send(["USE", "Acme"]) == .ok)
        _ = try await owner.addContact(#"{"name":"Ann Lee","phone":"+16502530000"}"#)
        let compacted = try await owner.send(["COMPACT"])
        #expect(compacted.json?["bytes_after"] is Int, "\(compacted)")

        // Over TCP, even an admin gets FORBIDDEN, with the way to do it.
        let admin = try await server.connectAdmin()
        for command in [["COMPACT"], ["BACKUP", server.data.path + "-b"], ["ORG.LIST"]] {
            let reply = try await admin.send(command)
            #expect(reply.errorText?.hasPrefix("FORBIDDEN") == true && reply.errorText?.contains("control socket") == true, "\(command[0]): \(reply)")
        }
        // The organization created online signs in over TCP.
        let gina = try await CallsheetClient.connect(host: "127.0.0.1", port: try #require(server.port))
        #expect(try await gina.send(["AUTH", "gina", secret]) == .ok)
        await gina.close()
        await admin.close()
        await owner.close()

        server.process.kill(SIGTERM)
        #expect(try await server.process.waitForExit(timeout: .seconds(60)) == .exited(0), "\(server.log.suffix(2000))")
        #expect(!FileManager.default.fileExists(atPath: path), "a clean stop removes the control socket")
    }

    @Test("callsheet backup goes online through the control socket while clients write; restore brings back every acknowledged write")
    func onlineBackupThroughARealServer() async throws {
        let executable = try #require(BuiltProduct.path("callsheet"))
        let server = try await ServeProcess.start()
        defer { server.stop() }
        let output = try TemporaryDirectory(prefix: "online-backup")
        defer { output.remove() }
        let writer = try await server.connectAdmin()
        let acknowledged = Mutex<[Int]>([])
        let stop = Atomic<Bool>(false)
        let writes = Task {
            var n = 0
            while !stop.load(ordering: .relaxed) {
                let reply = try await writer.send(["CONTACT.ADD", #"{"name":"Busy \#(n)","phone":"+1650253\#(String(format: "%04d", n % 10000))"}"#])
                if let id = reply.json?["id"] as? Int { acknowledged.withLock { $0.append(id) } }
                n += 1
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let ackedBefore = acknowledged.withLock { $0 }
        let file = output.appending("acme.csbackup")
        let backup = try await ChildProcess.run(executable, ["backup", "--data", server.data.path, "--to", file], timeout: .seconds(120))
        stop.store(true, ordering: .relaxed)
        try await writes.value
        #expect(backup.status == .exited(0), "\(backup.error)")
        let reply = try #require((try? JSONSerialization.jsonObject(with: Data(backup.output.utf8))) as? [String: Any], "\(backup.output)")
        #expect(reply["file"] as? String == file)
        let sequence = try #require(reply["sequence"] as? Int)
        #expect(server.process.isRunning, "the server kept running")
        #expect(!ackedBefore.isEmpty)

        let restored = output.appending("restored")
        let restore = try await ChildProcess.run(executable, ["restore", "--from", file, "--data", restored], timeout: .seconds(120))
        #expect(restore.status == .exited(0), "\(restore.error)")
        #expect(restore.output.contains("everything through journal sequence \(sequence)"), "\(restore.output)")
        #expect(!restore.output.contains("LOST"))
        let directory = try ShardDirectory.open(StoreConfiguration(directory: restored), logger: Logger(label: "test"))
        let shard = try #require(await directory.organization(named: "Acme"))
        let ids = Set(try await shard.read { Array($0.contacts.keys) }.map { Int($0) })
        #expect(Set(ackedBefore).isSubset(of: ids), "every contact acknowledged before the backup is restored")
        let all = Set(acknowledged.withLock { $0 })
        #expect(ids.isSubset(of: all), "nothing that was not written")
        await directory.close()
    }

    @Test("a socket file left by a killed server is replaced at the next start")
    func aStaleSocketIsReplaced() async throws {
        let executable = try #require(BuiltProduct.path("callsheet"))
        let server = try await ServeProcess.start()
        defer { server.stop() }
        let path = Self.socket(server)
        server.process.kill(SIGKILL)
        _ = try await server.process.waitForExit(timeout: .seconds(30))
        #expect(FileManager.default.fileExists(atPath: path), "kill -9 leaves the socket file")
        // Nothing answers on it: an offline command takes the lock and works.
        let compacted = try await ChildProcess.run(executable, ["compact", "--data", server.data.path], timeout: .seconds(120))
        #expect(compacted.status == .exited(0), "\(compacted.error)")
        #expect(compacted.output.contains(#""bytes_before""#), "\(compacted.output)")

        let port = try TCPConnection.freePort()
        let restarted = try ChildProcess.start(executable, ["serve", "--data", server.data.path, "--port", "\(port)", "--fsync", "no", "--log-level", "warning"])
        defer { restarted.kill() }
        _ = try await TCPConnection.waitUntilAccepting(port: port, timeout: .seconds(60))
        let owner = try await CallsheetClient.connect(unixDomainSocketPath: path)
        #expect(try await owner.send(["PING"]) == .simpleString("PONG"))
        await owner.close()
        restarted.kill(SIGTERM)
        #expect(try await restarted.waitForExit(timeout: .seconds(60)) == .exited(0), "\(restarted.errorOutput)")
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
