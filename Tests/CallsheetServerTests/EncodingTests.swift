import CallsheetCore
import CallsheetProtocol
import CallsheetServer
import Testing

/// Arguments that are not UTF-8 are never replaced silently on their way to a command.
@Suite("Bytes that are not UTF-8")
struct EncodingTests {
    func request(_ arguments: [[UInt8]]) -> [UInt8] {
        var bytes = Array("*\(arguments.count)\r\n".utf8)
        for argument in arguments {
            bytes += Array("$\(argument.count)\r\n".utf8) + argument + Array("\r\n".utf8)
        }
        return bytes
    }

    @Test("a Windows-1252 CSV over TCP reaches the import byte for byte; elsewhere such bytes are refused")
    func windows1252OverTCP() async throws {
        try await withServer { server in
            let client = try await server.connectAdmin()
            // "Name,Phone\r\nJosé,+16502530000\r\n" with é as Windows-1252 0xE9.
            let csv = Array("Name,Phone\r\nJos".utf8) + [0xE9] + Array(",+16502530000\r\n".utf8)
            let strict = try await client.sendRaw(request([Array("IMPORT.PREVIEW".utf8), Array("CSV".utf8), csv]), expectingReplies: 1)
            // Not silently mangled: the import sees the real byte and says where it is.
            #expect(strict[0].errorText?.contains("byte 0xE9 at offset 15") == true, "\(strict[0])")
            let decoded = try await client.sendRaw(
                request([Array("IMPORT.PREVIEW".utf8), Array("CSV".utf8), csv, Array("ENCODING".utf8), Array("windows-1252".utf8)]), expectingReplies: 1)
            #expect(decoded[0].string?.contains("José") == true, "\(decoded[0])")
            let ping = try await client.sendRaw(request([Array("PING".utf8), [0x66, 0xFF]]), expectingReplies: 1)
            #expect(ping[0].errorText?.hasPrefix("BAD_REQUEST argument 2 is not valid UTF-8") == true, "\(ping[0])")
            let info = try await client.send(["INFO", "JSON"])
            #expect((info.json?["connections"] as? Int ?? 0) >= 1, "\(info)")
            await client.close()
        }
    }
}
