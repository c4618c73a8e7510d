// callsheet-fuzz: the driver of the fuzz targets in CallsheetFuzzing.
//
// Built by scripts/fuzz with `-sanitize=fuzzer,address -D CALLSHEET_LIBFUZZER`, it is a
// libFuzzer binary: CALLSHEET_FUZZ_TARGET names the target, the arguments are libFuzzer's.
// SwiftPM links executables with `main` bound to this file's entry point, so instead of
// libFuzzer's own `main` this calls `LLVMFuzzerRunDriver`, the entry point libFuzzer offers
// for programs with a main of their own.
//
// Built as ordinary code (`swift build`), it replays inputs without libFuzzer:
//   callsheet-fuzz TARGET FILE-OR-DIRECTORY...   run each file through TARGET
// Either way:
//   callsheet-fuzz --write-seeds DIRECTORY        regenerate the seed corpora
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CallsheetFuzzing

/// Writes a line to standard error.
func printError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { buffer in _ = write(2, buffer.baseAddress, buffer.count) }
}

/// Reports a broken property and aborts, which libFuzzer records as a crash with its input.
func failed(_ failure: FuzzFailure) -> Never {
    printError("callsheet-fuzz: property failed: \(failure)")
    abort()
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.count == 2, arguments[0] == "--write-seeds" {
    do {
        let count = try CorpusFiles.writeSeeds(to: arguments[1])
        print("wrote \(count) seed files under \(arguments[1])")
        exit(0)
    } catch {
        printError("callsheet-fuzz: cannot write the seeds: \(error)")
        exit(1)
    }
}

#if CALLSHEET_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

enum Selected {
    static let target: FuzzTarget = {
        let name = getenv("CALLSHEET_FUZZ_TARGET").map { String(cString: $0) } ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            printError("callsheet-fuzz: set CALLSHEET_FUZZ_TARGET to one of: \(names)")
            exit(2)
        }
        return target
    }()
}

_ = Selected.target
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    do throws(FuzzFailure) {
        try Selected.target.run(UnsafeRawBufferPointer(start: data, count: size))
    } catch {
        failed(error)
    }
    return 0
})
#else
let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
if let first = arguments.first, let target = FuzzTarget(rawValue: first), arguments.count > 1 {
    let files = CorpusFiles.list(Array(arguments.dropFirst()))
    var failures = 0
    for file in files {
        do {
            try target.run(try CorpusFiles.read(file))
        } catch {
            failures += 1
            printError("\(file): \(error)")
        }
    }
    print("\(target.rawValue): \(files.count) inputs, \(failures) failed")
    exit(failures == 0 ? 0 : 1)
} else {
    printError("usage: callsheet-fuzz \(names) FILE-OR-DIRECTORY...\n       callsheet-fuzz --write-seeds DIRECTORY")
    exit(2)
}
#endif
