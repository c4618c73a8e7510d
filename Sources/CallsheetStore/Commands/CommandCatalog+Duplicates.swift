import CallsheetCore
import CallsheetProtocol

/// Duplicates, merge and undo (docs/PROTOCOL.md, "Duplicates and merge", "Undo").
extension CommandCatalog {
    static let duplicates: [CommandDeclaration] = [
        .write("DUP.SETTINGS", "DUP.SETTINGS [SET <key> <value> …]", "duplicates", .manager, "Shows the duplicate rules; SET (admin) changes them: rule.<name> on|off, threshold 0–100, gmail_normalization, action warn|block|off, auto_merge, auto_merge_threshold, conflict_rule primary|non_empty|newest|oldest, undo_retention_days.") { reader throws(CallsheetError) in
            var pairs: [(String, String)] = []
            if let word = reader.optional() {
                guard word.uppercased() == "SET" else { throw reader.wrong }
                let rest = reader.rest()
                guard !rest.isEmpty, rest.count % 2 == 0, rest.count <= 32 else { throw reader.wrong }
                for index in stride(from: 0, to: rest.count, by: 2) { pairs.append((rest[index], rest[index + 1])) }
            }
            return { [pairs] state, caller, _ throws(CallsheetError) in
                guard !pairs.isEmpty else { return ([], .bulk(state.duplicateSettings.json.serialized)) }
                try caller.require(.admin, for: "DUP.SETTINGS SET")
                var settings = state.duplicateSettings
                for (key, value) in pairs { settings = try settings.setting(key, to: value) }
                return (settings == state.duplicateSettings ? [] : [.putDuplicateSettings(settings)], .bulk(settings.json.serialized))
            }
        },
        .scan("DUP.CHECK", "DUP.CHECK <json> [LIMIT <n>]", "duplicates", .manager, "The likely duplicates of a contact about to be added ({\"name\",\"phone\",\"email\",\"company\"}), each with its rules, fields and score.") { reader throws(CallsheetError) in
            let input = try reader.json()
            let limit = try reader.limit(try reader.options(["LIMIT"])["LIMIT"], default: 10, maximum: 100)
            guard case .object = input else { throw CallsheetError(.badRequest, "DUP.CHECK expects a JSON object such as {\"name\":\"Jon Doe\",\"email\":\"jon@example.com\"}") }
            return { state, caller, context throws(CallsheetError) in
                let profile = try state.duplicateProfile(of: input, context: context)
                let matches = state.duplicateCandidates(of: profile, for: caller, limit: limit)
                return .bulk(JSONValue.object([
                    ("threshold", .integer(Int64(state.duplicateSettings.threshold))),
                    ("candidates", .array(matches.map(\.json))),
                ]).serialized)
            }
        },
        .organization("DUP.SCAN", "DUP.SCAN [THRESHOLD <n>] [REFRESH] [ASYNC]", "duplicates", .manager, "Groups likely duplicates among the contacts you can see (off the shard: writes go on); DUP.GROUPS pages through them. With auto_merge on, merges the groups above auto_merge_threshold. ASYNC replies the job at once (DUP.STATUS follows it).", writes: true) { reader throws(CallsheetError) in
            let options = try reader.options(["THRESHOLD"], flags: ["REFRESH", "ASYNC"])
            let background = options["ASYNC"] != nil
            var threshold: Int?
            if let text = options["THRESHOLD"] {
                guard let value = Int(text), (0...100).contains(value) else {
                    throw CallsheetError(.wrongArguments, "DUP.SCAN: THRESHOLD is an integer 0–100, got '\(text.prefix(20))'")
                }
                threshold = value
            }
            return { [threshold] organization throws(CallsheetError) in try await organization.scanDuplicates(threshold: threshold, background: background) }
        },
        .organization("DUP.STATUS", "DUP.STATUS [<job>]", "duplicates", .manager, "A duplicate scan job (default: your scope's latest): state running|done|failed|cancelled, phase, contacts scanned of total, comparisons, elapsed ms, and DUP.SCAN's result when done.", writes: false) { reader throws(CallsheetError) in
            let id: DuplicateScanJob.ID? = reader.arguments.isEmpty ? nil : try reader.id("job")
            return { organization throws(CallsheetError) in try organization.scanStatus(id) }
        },
        .organization("DUP.CANCEL", "DUP.CANCEL <job>", "duplicates", .manager, "Stops a running duplicate scan job; DUP.GROUPS keeps serving the scan before it.", writes: false) { reader throws(CallsheetError) in
            let id = try reader.id("job")
            return { organization throws(CallsheetError) in try organization.cancelScan(id) }
        },
        .organization("DUP.GROUPS", "DUP.GROUPS [CURSOR <c>] [LIMIT <n>]", "duplicates", .manager, "A page of the last DUP.SCAN's groups still current: members, score, rules and why each pair matched.", writes: false) { reader throws(CallsheetError) in
            let options = try reader.options(["CURSOR", "LIMIT"])
            var cursor = 0
            if let text = options["CURSOR"] {
                guard let value = Int(text), value >= 0 else { throw CallsheetError(.wrongArguments, "DUP.GROUPS: CURSOR is the next_cursor of a previous page, got '\(text.prefix(20))'") }
                cursor = value
            }
            let limit = try reader.limit(options["LIMIT"], default: 20, maximum: 500)
            return { [cursor] organization throws(CallsheetError) in try await organization.duplicateGroups(cursor: cursor, limit: limit) }
        },
        .write("DUP.IGNORE", "DUP.IGNORE <id> <id> [UNDO]", "duplicates", .manager, "Remembers that two contacts are not duplicates (UNDO forgets it).") { reader throws(CallsheetError) in
            let a = try reader.id(), b = try reader.id()
            let forget = try reader.options([], flags: ["UNDO"])["UNDO"] != nil
            return { state, caller, _ throws(CallsheetError) in
                guard a != b else { throw CallsheetError(.badRequest, "DUP.IGNORE needs two different contacts") }
                _ = try state.visibleContact(a, for: caller)
                _ = try state.visibleContact(b, for: caller)
                let pair = ContactPair(a, b)
                let changed = state.ignoredPairs.contains(pair) == forget
                return (changed ? [.setIgnoredPair(pair, ignored: !forget)] : [], .simpleString("OK"))
            }
        },
        .write("CONTACT.MERGE", "CONTACT.MERGE <primary> <id> [<id> …] [KEEP <field>=<id> …]", "duplicates", .manager, "Merges contacts into the primary: tags and notes from all, call counts added, other values by the conflict rule unless KEEP picks a contact's; the others are archived with merged_into. Replies the survivor and merge_id.") { reader throws(CallsheetError) in
            let words = reader.rest()
            let keepAt = words.firstIndex { $0.uppercased() == "KEEP" } ?? words.endIndex
            var ids: [ContactID] = []
            for word in words[..<keepAt] {
                guard let id = ContactID(word), id > 0 else { throw CallsheetError(.wrongArguments, "CONTACT.MERGE: '\(word.prefix(20))' is not a contact id") }
                ids.append(id)
            }
            guard ids.count >= 2 else { throw reader.wrong }
            guard ids.count <= OrganizationState.maximumMerge else { throw CallsheetError(.limit, "CONTACT.MERGE takes at most \(OrganizationState.maximumMerge) contacts, got \(ids.count)") }
            var keep: [(String, ContactID)] = []
            for word in words[keepAt...].dropFirst() {
                let parts = word.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let id = ContactID(parts[1]) else {
                    throw CallsheetError(.wrongArguments, "CONTACT.MERGE: KEEP takes <field>=<id>, such as email=17, got '\(word.prefix(40))'")
                }
                keep.append((String(parts[0]), id))
            }
            if keepAt != words.endIndex, keep.isEmpty { throw reader.wrong }
            return { [ids, keep] state, caller, context throws(CallsheetError) in
                let plan = try state.planMerge(primary: ids[0], others: Array(ids.dropFirst()), keep: keep, by: caller, context: context)
                return (plan.changes, .bulkString(mergeReply(plan.survivor, entry: plan.entry, state: state, caller: caller)))
            }
        },
        .write("CONTACT.UNMERGE", "CONTACT.UNMERGE <merge_id>", "duplicates", .manager, "Undoes a merge: every contact as it was, except fields of the survivor changed since (kept and listed in conflicts).") { reader throws(CallsheetError) in
            let id = try reader.id("merge_id")
            return { state, caller, context throws(CallsheetError) in
                let report = try state.planUndo(id, kind: .merge, by: caller, context: context, command: "CONTACT.UNMERGE")
                return (report.changes, .bulk(report.json.serialized))
            }
        },
        .read("MERGE.LOG", "MERGE.LOG [CURSOR <c>] [LIMIT <n>]", "duplicates", .manager, "Merges, newest first: who, when, rule, score, which contact's values won, and whether undone.") { reader throws(CallsheetError) in
            let (cursor, limit) = try undoPage(&reader)
            return { state, caller, _ in .bulk(undoPageJSON(state.visibleUndoEntries(for: caller, kind: .merge), cursor: cursor, limit: limit, state: state, key: "merges")) }
        },
        .write("UNDO", "UNDO <undo_id> [FORCE]", "duplicates", .manager, "Reverses a bulk edit or delete, a tag merge, rename or delete, a merge or an import, field by field; fields changed since are kept and listed. FORCE removes created contacts changed since.") { reader throws(CallsheetError) in
            let id = try reader.id("undo_id")
            let force = try reader.options([], flags: ["FORCE"])["FORCE"] != nil
            return { state, caller, context throws(CallsheetError) in
                let report = try state.planUndo(id, force: force, by: caller, context: context)
                return (report.changes, .bulk(report.json.serialized))
            }
        },
        .read("UNDO.LIST", "UNDO.LIST [CURSOR <c>] [LIMIT <n>]", "duplicates", .manager, "Changes you can undo (kept for undo_retention_days), newest first.") { reader throws(CallsheetError) in
            let (cursor, limit) = try undoPage(&reader)
            return { state, caller, _ in .bulk(undoPageJSON(state.visibleUndoEntries(for: caller), cursor: cursor, limit: limit, state: state, key: "entries")) }
        },
        .write("IMPORT.REVERT", "IMPORT.REVERT <job> [FORCE]", "import", .manager, "Reverses a committed import: created contacts removed (those changed since kept unless FORCE), updated ones restored field by field.") { reader throws(CallsheetError) in
            let job = try reader.next()
            let force = try reader.options([], flags: ["FORCE"])["FORCE"] != nil
            return { state, caller, context throws(CallsheetError) in
                guard let entry = state.undoEntries.values.first(where: {
                    $0.kind == .importCommit && $0.summary == OrganizationState.importSummary(job: job) && $0.isVisible(to: caller)
                }) else {
                    throw CallsheetError(.notFound, "no committed import '\(job.prefix(64))' to revert (IMPORT.JOBS lists imports; an import is kept for undo_retention_days)")
                }
                let report = try state.planUndo(entry.id, force: force, by: caller, context: context, command: "IMPORT.REVERT")
                return (report.changes, .bulk(report.json.serialized))
            }
        },
    ]

    static func undoPage(_ reader: inout ArgumentReader) throws(CallsheetError) -> (UInt64?, Int) {
        let options = try reader.options(["CURSOR", "LIMIT"])
        var cursor: UInt64?
        if let text = options["CURSOR"], text != "0" {
            guard let value = UInt64(text) else { throw CallsheetError(.wrongArguments, "\(reader.spec.name): CURSOR is the next_cursor of a previous page, got '\(text.prefix(20))'") }
            cursor = value
        }
        return (cursor, try reader.limit(options["LIMIT"], default: 20, maximum: 200))
    }

    static func undoPageJSON(_ entries: [UndoEntry], cursor: UInt64?, limit: Int, state: OrganizationState, key: String) -> String {
        let after = cursor.map { cursor in entries.filter { $0.id < cursor } } ?? entries
        let page = after.prefix(limit)
        let next: JSONValue = after.count > limit ? .string(String(page.last!.id)) : .null
        return JSONValue.object([(key, .array(page.map(state.undoEntryJSON))), ("next_cursor", next)]).serialized
    }

    static func mergeReply(_ survivor: Contact, entry: UndoEntry, state: OrganizationState, caller: Caller) -> [UInt8] {
        var json = JSONWriter()
        json.openObject()
        json.key("merge_id", first: true); json.integer(Int64(entry.id))
        json.key("merged"); json.write(.array((entry.merge?.merged ?? []).map { .integer(Int64($0)) }))
        json.key("winners"); json.write(.object((entry.merge?.winners ?? []).map { ($0.0, .integer(Int64($0.1))) }))
        json.key("contact")
        state.writeContact(survivor, for: caller.role, into: &json)
        json.closeObject()
        return json.bytes
    }
}
