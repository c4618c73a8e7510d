import CallsheetCore
import Foundation

/// The import files of a data directory (docs/PROTOCOL.md, "Import"):
///
/// ```
/// <data>/imports/jobs/<id>.json        one job's state and counts, replaced atomically
/// <data>/imports/jobs/<id>.errors.csv  its per-row problems: row,column,code,reason
/// <data>/imports/contact-import.log    one line per finished import, append-only
/// <data>/imports/expired-jobs.json     the next job id and the jobs expired lately (``ExpiredImportJobs``)
/// ```
///
/// A finished job's two files are deleted once it is older than the retention
/// (``StoreConfiguration/importRetention``); the log keeps its line.
///
/// A store without a data directory (tests of the command language) keeps nothing on disk.
struct ImportFiles: Sendable {
    let root: String?

    init(dataDirectory: String) {
        root = dataDirectory.isEmpty ? nil : dataDirectory + "/imports"
    }

    private var jobsDirectory: String? { root.map { $0 + "/jobs" } }

    /// Every job file that can be read; unreadable ones are skipped.
    func loadJobs() -> [ImportJob] {
        guard let directory = jobsDirectory, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        return names.filter { $0.hasSuffix(".json") }.compactMap { name in
            guard let data = FileManager.default.contents(atPath: directory + "/" + name),
                  let json = try? JSONValue.parse(String(decoding: data, as: UTF8.self)) else { return nil }
            return ImportJob(json: json)
        }
    }

    func save(_ job: ImportJob) {
        guard let directory = jobsDirectory else { return }
        write(job.json.serialized + "\n", to: directory + "/\(job.id).json")
    }

    func saveErrors(_ csv: String, job: ImportJobID) {
        guard let directory = jobsDirectory else { return }
        write(csv, to: directory + "/\(job).errors.csv")
    }

    func loadErrors(job: ImportJobID) -> String? {
        guard let directory = jobsDirectory, let data = FileManager.default.contents(atPath: directory + "/\(job).errors.csv") else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Deletes a job's file and its error report.
    func remove(job: ImportJobID) {
        guard let directory = jobsDirectory else { return }
        for path in [directory + "/\(job).json", directory + "/\(job).errors.csv"] {
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    /// `expired-jobs.json`, if there is one that reads; nil otherwise (an unreadable one is
    /// replaced at the next expiry, and the job files still give the next id).
    func loadExpired() -> ExpiredImportJobs? {
        guard let root, let data = FileManager.default.contents(atPath: root + "/expired-jobs.json"),
              let json = try? JSONValue.parse(String(decoding: data, as: UTF8.self)) else { return nil }
        return try? ExpiredImportJobs(decoding: json)
    }

    /// Replaces `expired-jobs.json`; false when it could not be written (a full disk).
    func saveExpired(_ expired: ExpiredImportJobs) -> Bool {
        guard let root else { return true }
        return write(expired.json.serialized + "\n", to: root + "/expired-jobs.json")
    }

    /// Appends one line to `contact-import.log`.
    func log(_ line: String) {
        guard let root else { return }
        ensureDirectory(root)
        let path = root + "/contact-import.log"
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        defer { try? handle.close() }
        _ = try? handle.seekToEnd()
        try? handle.write(contentsOf: Data((line + "\n").utf8))
    }

    /// Writes `text` to a temporary file, then renames it over `path`: readers see old or new, whole.
    @discardableResult
    private func write(_ text: String, to path: String) -> Bool {
        ensureDirectory((path as NSString).deletingLastPathComponent)
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            return true
        } catch {
            return false
        }
    }

    private func ensureDirectory(_ path: String) {
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
}
