import CallsheetCore
import CallsheetStorage
import Foundation
import PhoneNumbers
import Synchronization

/// Export jobs of one data directory (`EXPORT.START`, docs/PROTOCOL.md "Export"): each writes its
/// file from a read view of the organization (taken in O(1); writers go on) on a thread of its own
/// at background priority, into `<data>/exports/<job>.<ext>` (a temporary directory for a store
/// without one). Files are fetched in chunks of at most 1 MiB and removed when they expire.
public final class ExportRunner: Sendable {
    public typealias JobID = UInt64

    public enum State: String, Sendable, CaseIterable { case running, done, failed, cancelled }

    public struct Job: Sendable {
        public var id: JobID
        public var organizationID: OrganizationID
        public var userID: UserID
        public var format: ExportFormat
        public var state: State = .running
        public var rowsDone = 0
        public var rowsTotal = 0
        public var bytes = 0
        public var path: String
        public var createdAt: Timestamp
        public var finishedAt: Timestamp?
        public var error: String?

        var json: JSONValue {
            .object([
                ("job", .integer(Int64(id))), ("format", .string(format.rawValue)), ("state", .string(state.rawValue)),
                ("rows_done", .integer(Int64(rowsDone))), ("rows_total", .integer(Int64(rowsTotal))), ("bytes", .integer(Int64(bytes))),
                ("created_at", .string(TimestampFormat.iso8601(createdAt))),
                ("finished_at", finishedAt.map { .string(TimestampFormat.iso8601($0)) } ?? .null),
                ("expires_at", .string(TimestampFormat.iso8601((finishedAt ?? createdAt) + ExportRunner.retention))),
                ("milliseconds", finishedAt.map { .integer($0 - createdAt) } ?? .null),
                ("error", error.map(JSONValue.string) ?? .null),
            ])
        }
    }

    /// Options of one export.
    public struct Options: Sendable {
        public var columns: [String]?
        public var archived: Bool?
        public var dnc: Bool?
        public var byteOrderMark = false
        public var delimiter: UInt8 = UInt8(ascii: ",")
        public var vcard4 = false
        public init() {}
    }

    /// How long a finished export's file is kept (an hour).
    public static let retention: Timestamp = 3_600_000
    /// The most bytes one `EXPORT.FETCH` returns.
    public static let chunkSize = 1 << 20
    /// Jobs running at once in a directory; more are refused with `LIMIT`.
    public static let maximumRunning = 4
    /// Exports one user keeps at once (running, or finished and not expired): their files hold
    /// disk until they expire, so a user exporting in a loop cannot fill it.
    public static let maximumKeptPerUser = 8

    private let root: String
    private let jobs = Mutex<[JobID: Job]>([:])
    private let nextID = Mutex<JobID>(1)
    private let cancelled = Mutex<Set<JobID>>([])
    /// Exports started, finished, and contacts written, since this process started (INFO).
    let started = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
    let rowsWritten = Atomic<Int>(0)

    init(dataDirectory: String) {
        root = (dataDirectory.isEmpty ? NSTemporaryDirectory() + "callsheet-exports-\(UUID().uuidString)" : dataDirectory) + "/exports"
        // Files of a previous run have no job any more: nobody can fetch them.
        try? FileManager.default.removeItem(atPath: root)
    }

    private static let registry = Mutex<[ObjectIdentifier: ExportRunner]>([:])

    static func `for`(_ directory: ShardDirectory) -> ExportRunner {
        registry.withLock { runners in
            if let runner = runners[ObjectIdentifier(directory)] { return runner }
            let runner = ExportRunner(dataDirectory: directory.configuration.directory)
            runners[ObjectIdentifier(directory)] = runner
            return runner
        }
    }

    static func existing(for directory: ShardDirectory) -> ExportRunner? {
        registry.withLock { $0[ObjectIdentifier(directory)] }
    }

    /// Starts an export of `ids` from `state` (a view) and returns its job at once.
    func start(
        state: OrganizationState, ids: [ContactID], layout: ExportLayout, options: Options, caller: Caller, region: String, now: Timestamp
    ) throws(CallsheetError) -> Job {
        let (running, kept) = jobs.withLock { jobs in
            (jobs.values.filter { $0.state == .running }.count,
             jobs.values.filter { $0.userID == caller.userID && $0.organizationID == state.organization.id && ($0.state == .running || $0.state == .done) }.count)
        }
        guard running < Self.maximumRunning else {
            throw CallsheetError(.limit, "\(running) exports are running; try again when one has finished (EXPORT.STATUS)")
        }
        guard kept < Self.maximumKeptPerUser else {
            throw CallsheetError(.limit, "you keep \(kept) exports, the most at once; EXPORT.CANCEL one you have downloaded (EXPORT.JOBS lists them), or wait an hour for them to expire")
        }
        if layout.format == .xlsx, ids.count > XLSXExportWriter.maximumRows {
            throw CallsheetError(.limit, "an Excel sheet holds at most \(XLSXExportWriter.maximumRows) contacts and this export has \(ids.count); export CSV, or a smaller selection")
        }
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CallsheetError(.unavailable, "the export directory cannot be created: \(error.localizedDescription)")
        }
        let id = nextID.withLock { value in defer { value += 1 }; return value }
        var job = Job(id: id, organizationID: state.organization.id, userID: caller.userID, format: layout.format, path: root + "/\(id).\(layout.format.fileExtension)", createdAt: now)
        job.rowsTotal = ids.count
        jobs.withLock { $0[id] = job }
        started.add(1, ordering: .relaxed)
        let thread = Thread { [self] in
            BackgroundPriority.lowerCurrentThread()
            self.run(id, state: state, ids: ids, layout: layout, options: options, caller: caller, region: region)
        }
        thread.name = "callsheet export \(id)"
        thread.start()
        return job
    }

    private func update(_ id: JobID, _ body: (inout Job) -> Void) {
        jobs.withLock { jobs in if var job = jobs[id] { body(&job); jobs[id] = job } }
    }

    private func run(_ id: JobID, state: OrganizationState, ids: [ContactID], layout: ExportLayout, options: Options, caller: Caller, region: String) {
        guard let path = jobs.withLock({ $0[id]?.path }) else { return }
        let temporary = path + ".part"
        let now = OrganizationState.currentTime()
        let fields = state.fieldOrder.filter { $0.isVisible(to: caller.role) && !$0.archived }
        do throws(CallsheetError) {
            func isCancelled() -> Bool { cancelled.withLock { $0.contains(id) } }
            switch layout.format {
            case .xlsx:
                let writer = try XLSXExportWriter(path: temporary, headers: layout.headers, columns: layout.columns, temporaryDirectory: root)
                for (index, contactID) in ids.enumerated() {
                    guard let contact = state.contacts[contactID] else { continue }
                    try writer.write(layout.values(contact, state: state, dnc: layout.needsDoNotCall && state.isDoNotCall(contact, at: now)))
                    if index & 1023 == 1023 {
                        if isCancelled() { throw CallsheetError(.conflict, "cancelled") }
                        update(id) { $0.rowsDone = index + 1 }
                    }
                }
                try writer.close()
            case .csv, .vcard:
                guard let file = FileHandle(forWritingAtPath: temporary) ?? {
                    FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600])
                    return FileHandle(forWritingAtPath: temporary)
                }() else { throw CallsheetError(.unavailable, "the export file cannot be created") }
                defer { try? file.close() }
                var buffer: [UInt8] = []
                buffer.reserveCapacity(Self.chunkSize + 65_536)
                let csv = CSVExportWriter(delimiter: options.delimiter, byteOrderMark: options.byteOrderMark)
                let vcard = VCardExportWriter(version4: options.vcard4)
                let phones = PhoneNumberNormalizer()
                if layout.format == .csv { csv.header(layout.headers, into: &buffer) }
                for (index, contactID) in ids.enumerated() {
                    guard let contact = state.contacts[contactID] else { continue }
                    if layout.format == .csv {
                        csv.row(layout.values(contact, state: state, dnc: layout.needsDoNotCall && state.isDoNotCall(contact, at: now)), into: &buffer)
                    } else {
                        let type = (try? phones.parse(contact.phone, defaultRegion: region, validation: .possible).type).map(Self.vcardType) ?? "voice"
                        vcard.card(contact, phoneType: type, fields: fields, into: &buffer)
                    }
                    if buffer.count >= Self.chunkSize {
                        try Self.write(buffer, to: file)
                        buffer.removeAll(keepingCapacity: true)
                    }
                    if index & 1023 == 1023 {
                        if isCancelled() { throw CallsheetError(.conflict, "cancelled") }
                        update(id) { $0.rowsDone = index + 1 }
                    }
                }
                try Self.write(buffer, to: file)
            }
            guard rename(temporary, path) == 0 else { throw CallsheetError(.unavailable, "the export file could not be named") }
            let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? Int) ?? 0
            update(id) { job in
                job.state = .done
                job.rowsDone = ids.count
                job.bytes = size
                job.finishedAt = OrganizationState.currentTime()
            }
            finished.add(1, ordering: .relaxed)
            rowsWritten.add(ids.count, ordering: .relaxed)
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            let wasCancelled = cancelled.withLock { $0.remove(id) != nil }
            update(id) { job in
                job.state = wasCancelled ? .cancelled : .failed
                job.error = wasCancelled ? nil : error.message
                job.finishedAt = OrganizationState.currentTime()
            }
        }
    }

    private static func write(_ bytes: [UInt8], to file: FileHandle) throws(CallsheetError) {
        do {
            try file.write(contentsOf: bytes)
        } catch {
            throw CallsheetError(.unavailable, "the export file could not be written: \(error.localizedDescription)")
        }
    }

    /// libphonenumber's number type as a vCard TEL type.
    static func vcardType(_ type: PhoneNumberType) -> String {
        switch type {
        case .mobile: "cell"
        case .fixedLine: "work"
        case .pager: "pager"
        case .tollFree, .premiumRate, .sharedCost, .uan: "work"
        case .voip: "voice"
        default: "voice"
        }
    }

    /// The job if `caller` may see it: its owner's, or any of the organization's for an admin.
    func job(_ id: JobID, organization: OrganizationID, caller: Caller) throws(CallsheetError) -> Job {
        guard let job = jobs.withLock({ $0[id] }), job.organizationID == organization, caller.role == .admin || job.userID == caller.userID else {
            throw CallsheetError(.notFound, "no export job \(id) (EXPORT.JOBS lists yours)")
        }
        return job
    }

    func jobs(organization: OrganizationID, caller: Caller) -> [Job] {
        jobs.withLock { $0.values.filter { $0.organizationID == organization && (caller.role == .admin || $0.userID == caller.userID) } }.sorted { $0.id > $1.id }
    }

    func status(_ id: JobID, organization: OrganizationID, caller: Caller) throws(CallsheetError) -> JSONValue {
        try job(id, organization: organization, caller: caller).json
    }

    /// Up to ``chunkSize`` bytes of a finished export from `offset`, and the next offset (nil at the end).
    func fetch(_ id: JobID, offset: Int, organization: OrganizationID, caller: Caller) throws(CallsheetError) -> (bytes: [UInt8], next: Int?) {
        let job = try job(id, organization: organization, caller: caller)
        guard job.state == .done else {
            throw CallsheetError(.conflict, "export \(id) is \(job.state.rawValue)\(job.error.map { ": \($0)" } ?? ""); EXPORT.STATUS \(id) says when it is done")
        }
        guard offset >= 0, offset <= job.bytes else { throw CallsheetError(.badRequest, "CURSOR \(offset) is past the export's \(job.bytes) bytes") }
        guard let file = FileHandle(forReadingAtPath: job.path) else { throw CallsheetError(.notFound, "export \(id)'s file is gone (it expired)") }
        defer { try? file.close() }
        do {
            try file.seek(toOffset: UInt64(offset))
            let data = try file.read(upToCount: Self.chunkSize) ?? Data()
            let next = offset + data.count
            return ([UInt8](data), next < job.bytes ? next : nil)
        } catch {
            throw CallsheetError(.unavailable, "export \(id)'s file could not be read: \(error.localizedDescription)")
        }
    }

    func cancel(_ id: JobID, organization: OrganizationID, caller: Caller) throws(CallsheetError) -> JSONValue {
        let job = try job(id, organization: organization, caller: caller)
        switch job.state {
        case .running: cancelled.withLock { _ = $0.insert(id) }
        case .done:
            try? FileManager.default.removeItem(atPath: job.path)
            update(id) { $0.state = .cancelled }
        case .failed, .cancelled: break
        }
        return .object([("job", .integer(Int64(id))), ("cancelled", .bool(true))])
    }

    /// Stops the organization's running exports and deletes its finished ones' files: an erasure
    /// must not leave the person in an export written from a view taken before it.
    func purge(organization: OrganizationID) {
        let affected = jobs.withLock { $0.values.filter { $0.organizationID == organization } }
        for job in affected {
            switch job.state {
            case .running: cancelled.withLock { _ = $0.insert(job.id) }
            case .done:
                try? FileManager.default.removeItem(atPath: job.path)
                update(job.id) { $0.state = .cancelled; $0.error = "removed by an erasure (CONTACT.ERASE)" }
            case .failed, .cancelled: break
            }
        }
    }

    /// Removes jobs (and files) finished more than ``retention`` ago.
    func expire(now: Timestamp) {
        let old = jobs.withLock { jobs -> [Job] in
            let expired = jobs.values.filter { $0.state != .running && ($0.finishedAt ?? $0.createdAt) + Self.retention <= now }
            for job in expired { jobs[job.id] = nil }
            return expired
        }
        for job in old { try? FileManager.default.removeItem(atPath: job.path) }
    }

    /// Export jobs kept (the last hour's, up to 8 a user) by state, for `INFO` and the metrics.
    public var countsByState: [String: Int] {
        let states = jobs.withLock { $0.values.map(\.state.rawValue) }
        var counts = Dictionary(uniqueKeysWithValues: State.allCases.map { ($0.rawValue, 0) })
        for state in states { counts[state, default: 0] += 1 }
        return counts
    }

    var runningCount: Int { jobs.withLock { $0.values.filter { $0.state == .running }.count } }
}
