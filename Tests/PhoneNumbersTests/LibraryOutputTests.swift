#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import PhoneNumbers
import Testing

/// libphonenumber logs warnings ("Invalid or unknown region code provided")
/// for ordinary bad input; a server must not print them per request.
@Suite struct LibraryOutputTests {
    /// Phrases libphonenumber 8.12 logs (strings in libphonenumber.so).
    static let libraryPhrases = [
        "Invalid or unknown region code", "The string supplied", "Number type unknown",
        "Phone number had an IDD", "Trying to format number", "Invalid or unknown country calling code",
        "Number is a", "Error parsing example number",
    ]

    @Test("Bad input writes nothing to stdout or stderr")
    func silent() throws {
        let directory = try TemporaryDirectory()
        let captured = try directory.capturingStandardOutputAndError {
            let normalizer = PhoneNumberNormalizer()
            for (text, region) in [
                ("650 253 0000", "XX"), ("abc", "US"), ("+999 123", "US"), ("011 44", "US"),
                ("(555) 12", "US"), ("6502530000123456789", "US"), ("+1 555 555 0100", "US"),
                ("650 253 0000", "001"), ("(650) 253-0000", "US"),
            ] {
                _ = try? normalizer.parse(text, defaultRegion: region)
            }
            _ = normalizer.exampleNumber(region: "XX", type: .mobile)
            _ = normalizer.isSupportedRegion("001")
        }
        for phrase in Self.libraryPhrases {
            #expect(!captured.contains(phrase), "libphonenumber printed: \(captured)")
        }
    }
}

/// A directory of its own for one test, removed afterwards.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        var template = Array("/tmp/phone-numbers-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure(message: "mkdtemp failed: \(errno)") }
        path = String(cString: made)
    }

    deinit {
        for name in ["out"] { unlink(path + "/" + name) }
        rmdir(path)
    }

    /// Runs `body` with fd 1 and 2 pointed at a file in this directory, then
    /// restores them, writes what was captured back to the real stderr (other
    /// tests may be printing at the same time) and returns it.
    func capturingStandardOutputAndError(_ body: () -> Void) throws -> String {
        let file = path + "/out"
        let capture = open(file, O_CREAT | O_TRUNC | O_RDWR, 0o600)
        guard capture >= 0 else { throw Failure(message: "open \(file) failed: \(errno)") }
        defer { close(capture) }
        fflush(nil)
        let savedOut = dup(1)
        let savedError = dup(2)
        dup2(capture, 1)
        dup2(capture, 2)
        body()
        fflush(nil)
        dup2(savedOut, 1)
        dup2(savedError, 2)
        close(savedOut)
        close(savedError)

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        lseek(capture, 0, SEEK_SET)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(capture, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        if !bytes.isEmpty {
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    struct Failure: Error {
        let message: String
    }
}
