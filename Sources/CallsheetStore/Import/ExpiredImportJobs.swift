import CallsheetCore

/// What a data directory remembers of import jobs whose files expired
/// (`<data>/imports/expired-jobs.json`, docs/STORAGE.md "Import files and their expiry"):
/// the next job id, so that no id is handed out twice once every job file is gone, and each
/// expired job's organization and user, so that `IMPORT.STATUS` can tell those who could see
/// the job that it expired, and tell everyone else what it tells for an id that never existed.
///
/// No personal data: ids and a time. An entry is forgotten one retention period after its job
/// expired; the id then reads as unknown.
struct ExpiredImportJobs: Sendable, Hashable {
    struct Entry: Sendable, Hashable {
        var organizationID: OrganizationID
        var userID: UserID
        var expiredAt: Timestamp
    }

    /// Every job id below this was handed out once.
    var nextJobID: ImportJobID = 1
    var entries: [ImportJobID: Entry] = [:]

    init() {}

    var json: JSONValue {
        .object([
            ("next_job_id", .integer(Int64(nextJobID))),
            ("expired", .array(entries.keys.sorted().compactMap { id in
                entries[id].map { entry in
                    .object([
                        ("job_id", .integer(Int64(id))),
                        ("organization_id", .integer(Int64(entry.organizationID))),
                        ("user_id", .integer(Int64(entry.userID))),
                        ("expired_at", .integer(entry.expiredAt)),
                    ])
                }
            })),
        ])
    }

    /// Reads what ``json`` wrote, checking every number as job files are checked: ids 1 through
    /// 2^53 (user ids from 0, the data directory's owner), times in the timestamp range.
    /// - Throws: `INTERNAL` naming the member that is missing or out of range.
    init(decoding json: JSONValue) throws(CallsheetError) {
        func fail(_ what: String) -> CallsheetError { CallsheetError(.internal, "expired import jobs file: \(what)") }
        func integer(_ key: String, in object: JSONValue, range: ClosedRange<Int64>) throws(CallsheetError) -> Int64 {
            guard case .integer(let value)? = object[key] else { throw fail("\(key) is missing or not an integer") }
            guard range.contains(value) else { throw fail("\(key) \(value) is out of range (\(range.lowerBound)–\(range.upperBound))") }
            return value
        }
        let ids = 1...Int64(BinaryReader.maximumID)
        nextJobID = ImportJobID(try integer("next_job_id", in: json, range: ids))
        guard case .array(let list)? = json["expired"] else { throw fail("expired is missing or not a list") }
        for item in list {
            let id = ImportJobID(try integer("job_id", in: item, range: ids))
            entries[id] = Entry(
                organizationID: OrganizationID(try integer("organization_id", in: item, range: ids)),
                userID: UserID(try integer("user_id", in: item, range: 0...Int64(BinaryReader.maximumID))),
                expiredAt: try integer("expired_at", in: item, range: BinaryReader.timestampRange))
        }
    }
}
