import CallsheetProtocol
import CallsheetServer
import Foundation
import Testing

/// Clients nobody here wrote: Debian's `redis-cli` and Python's `redis` package.
@Suite("Third-party Redis clients")
struct ThirdPartyClientTests {
    @Test("redis-cli signs in, adds a contact, reads it back, and pipes inline commands")
    func redisCLI() async throws {
        let redisCLI = try #require(ExternalProcess.which("redis-cli"), "redis-cli (Debian redis-tools) is not installed")
        try await withServer { server in
            let base = ["-h", "127.0.0.1", "-p", "\(server.port)", "--no-auth-warning", "--user", ServerFixture.admin, "--pass", server.adminSecret]
            let add = try await ExternalProcess.run(redisCLI, base + ["CONTACT.ADD", #"{"name":"Ann Lee","phone":"+16502530000"}"#])
            #expect(add.status == 0, "\(add.errorOutput)")
            #expect(add.output.contains(#""name":"Ann Lee""#), "\(add.output)")
            let get = try await ExternalProcess.run(redisCLI, base + ["CONTACT.BYPHONE", "650-253-0000"])
            #expect(get.output.contains(#""phone":"+16502530000""#), "\(get.output)")
            // Commands read from standard input, one per line.
            let piped = try await ExternalProcess.run(redisCLI, base, input: "PING\nCONTACT.GET 1\nCONTACT.GET 2\n")
            let lines = piped.output.split(separator: "\n")
            #expect(lines.first == "PONG", "\(piped.output)")
            #expect(piped.output.contains("Ann Lee"))
            #expect(piped.output.contains("NOT_FOUND"), "\(piped.output)")
            let noAuth = try await ExternalProcess.run(redisCLI, ["-h", "127.0.0.1", "-p", "\(server.port)", "CONTACT.GET", "1"])
            #expect(noAuth.output.contains("NOAUTH"), "\(noAuth.output) \(noAuth.errorOutput)")
        }
    }

    static let pythonScript = #"""
import json, os, sys
import redis
r = redis.Redis(host="127.0.0.1", port=int(os.environ["CS_PORT"]), username=os.environ["CS_USER"], password=os.environ["CS_SECRET"], decode_responses=True, protocol=2)
assert r.ping() is True
ids = []
for i in range(20):
    reply = r.execute_command("CONTACT.ADD", json.dumps({"name": "Py %d" % i, "phone": "+1650253%04d" % i}))
    ids.append(json.loads(reply)["id"])
pipe = r.pipeline(transaction=False)
for contact_id in ids:
    pipe.execute_command("CONTACT.GET", contact_id)
names = [json.loads(reply)["name"] for reply in pipe.execute()]
assert names == ["Py %d" % i for i in range(20)], names
try:
    r.execute_command("CONTACT.GET", 999999)
    sys.exit("expected an error")
except redis.exceptions.ResponseError as error:
    assert str(error).startswith("NOT_FOUND"), str(error)
try:
    redis.Redis(host="127.0.0.1", port=int(os.environ["CS_PORT"]), username="nobody", password="wrong", protocol=2).ping()
    sys.exit("expected AUTH to fail")
except (redis.exceptions.ResponseError, redis.exceptions.AuthenticationError):
    pass
print("ok", len(names))
"""#

    @Test("Python's redis package: AUTH, CONTACT.ADD with execute_command, a pipeline of GETs")
    func pythonRedis() async throws {
        let python = try #require(ExternalProcess.which("python3"), "python3 is not installed")
        let check = try await ExternalProcess.run(python, ["-c", "import redis"])
        if check.status != 0 {
            // Set-up: the package is on PyPI.
            var install = try await ExternalProcess.run(python, ["-m", "pip", "install", "--quiet", "redis"])
            if install.status != 0 {
                install = try await ExternalProcess.run(python, ["-m", "pip", "install", "--quiet", "--user", "--break-system-packages", "redis"])
            }
            try #require(install.status == 0, "pip install redis failed: \(install.errorOutput)")
        }
        try await withServer { server in
            let run = try await ExternalProcess.run(python, ["-c", Self.pythonScript], environment: [
                "CS_PORT": "\(server.port)", "CS_USER": ServerFixture.admin, "CS_SECRET": server.adminSecret,
            ])
            // redis-py 8 speaks RESP3 by default; Callsheet answers `HELLO 3` with NOPROTO, so say protocol=2.
            #expect(run.status == 0, "\(run.output)\n\(run.errorOutput)")
            #expect(run.output.contains("ok 20"))
        }
    }
}
