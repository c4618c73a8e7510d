import CallsheetCore
import CallsheetProtocol

/// Export (docs/PROTOCOL.md, "Export").
extension CommandCatalog {
    static let exportOptionWords: Set<String> = ["COLUMNS", "ARCHIVED", "DNC", "BOM", "DELIMITER", "VERSION"]

    /// `EXPORT.START`'s arguments after the format: a selection (default everything) and options.
    static func exportArguments(_ reader: inout ArgumentReader) throws(CallsheetError) -> (OrganizationState.ExportSelection, ExportRunner.Options) {
        var words = reader.rest()[...]
        var selection = OrganizationState.ExportSelection.all
        if let first = words.first?.uppercased(), ["IDS", "PRESET", "MATCH"].contains(first) {
            selection = .some(try BulkSelection.parse(&words, command: "EXPORT.START", until: exportOptionWords))
        } else if words.first?.uppercased() == "ALL" {
            words = words.dropFirst()
        }
        var options = ExportRunner.Options()
        func value(_ option: String) throws(CallsheetError) -> String {
            guard let next = words.popFirst() else { throw CallsheetError(.wrongArguments, "EXPORT.START: \(option) needs a value") }
            return next
        }
        func inOut(_ option: String) throws(CallsheetError) -> Bool {
            switch try value(option).lowercased() {
            case "include", "in", "yes": return true
            case "exclude", "out", "no": return false
            case let other: throw CallsheetError(.wrongArguments, "EXPORT.START: \(option) is include or exclude, got '\(other.prefix(40))'")
            }
        }
        while let word = words.popFirst() {
            switch word.uppercased() {
            case "COLUMNS":
                let list = try value("COLUMNS").split(separator: ",").map { String($0).filter { $0 != " " } }.filter { !$0.isEmpty }
                guard (1...200).contains(list.count) else { throw CallsheetError(.wrongArguments, "EXPORT.START: COLUMNS takes 1–200 columns separated by commas") }
                options.columns = list
            case "ARCHIVED": options.archived = try inOut("ARCHIVED")
            case "DNC": options.dnc = try inOut("DNC")
            case "BOM": options.byteOrderMark = true
            case "DELIMITER":
                let text = try value("DELIMITER")
                let delimiter: UInt8? = switch text.lowercased() {
                case ",", "comma": UInt8(ascii: ",")
                case ";", "semicolon": UInt8(ascii: ";")
                case "tab", "\t": 0x09
                case "|", "pipe": UInt8(ascii: "|")
                default: nil
                }
                guard let delimiter else { throw CallsheetError(.wrongArguments, "EXPORT.START: DELIMITER is comma, semicolon, tab or pipe, got '\(text.prefix(20))'") }
                options.delimiter = delimiter
            case "VERSION":
                switch try value("VERSION") {
                case "3.0", "3": options.vcard4 = false
                case "4.0", "4": options.vcard4 = true
                case let other: throw CallsheetError(.wrongArguments, "EXPORT.START: VERSION is 3.0 or 4.0 (vCard), got '\(other.prefix(20))'")
                }
            default:
                throw CallsheetError(.wrongArguments, "EXPORT.START: unknown option '\(word.prefix(40))'; usage: \(reader.spec.usage)")
            }
        }
        return (selection, options)
    }

    static let export: [CommandDeclaration] = [
        .organization("EXPORT.START", "EXPORT.START csv|xlsx|vcard [ALL|IDS <id,…>|PRESET <name>|MATCH <text|*> [filters…]] [COLUMNS <c,…>] [ARCHIVED include|exclude] [DNC include|exclude] [BOM] [DELIMITER comma|semicolon|tab|pipe] [VERSION 3.0|4.0]", "export", .manager, "Starts an export of the contacts you can see (all, or a selection as bulk edit takes) and returns its job at once; EXPORT.FETCH downloads it.", writes: false) { reader throws(CallsheetError) in
            let formatText = try reader.next()
            guard let format = ExportFormat(rawValue: formatText.lowercased()) ?? (formatText.lowercased() == "vcf" ? .vcard : formatText.lowercased() == "excel" ? .xlsx : nil) else {
                throw CallsheetError(.wrongArguments, "EXPORT.START: the format is csv, xlsx or vcard, got '\(formatText.prefix(20))'")
            }
            let (selection, options) = try exportArguments(&reader)
            if format == .vcard, options.columns != nil { throw CallsheetError(.wrongArguments, "EXPORT.START: COLUMNS is for csv and xlsx; a vCard holds every field") }
            return { context throws(CallsheetError) in
                try context.caller.require(.manager, for: "EXPORT.START")
                let state = await context.shard.view()
                let caller = context.caller, now = Clock.now()
                let layout = try ExportLayout(format: format, requested: options.columns, state: state, role: caller.role)
                // A whole export is a backup (archived and do-not-call in); a selection a calling list (out).
                let isAll = selection == .all
                let ids = try state.exportIDs(selection, archived: options.archived ?? isAll, dnc: options.dnc ?? isAll, by: caller, at: now)
                let runner = ExportRunner.for(context.directory)
                let job = try runner.start(state: state, ids: ids, layout: layout, options: options, caller: caller, region: state.organization.defaultRegion, now: now)
                return .bulk(job.json.serialized)
            }
        },
        .organization("EXPORT.STATUS", "EXPORT.STATUS <job>", "export", .manager, "An export's state (running, done, failed, cancelled), rows done of total, bytes, when its file expires.", writes: false) { reader throws(CallsheetError) in
            let id = try reader.id("job")
            return { context throws(CallsheetError) in
                .bulk(try ExportRunner.for(context.directory).status(id, organization: context.shard.id, caller: context.caller).serialized)
            }
        },
        .organization("EXPORT.FETCH", "EXPORT.FETCH <job> [CURSOR <offset>]", "export", .manager, "Up to 1 MiB of a finished export from the cursor (default 0): [next cursor (\"0\" at the end), bytes].", writes: false) { reader throws(CallsheetError) in
            let id = try reader.id("job")
            let options = try reader.options(["CURSOR"])
            var offset = 0
            if let text = options["CURSOR"] {
                guard let value = Int(text), value >= 0 else { throw CallsheetError(.wrongArguments, "EXPORT.FETCH: CURSOR is the offset the previous chunk gave, got '\(text.prefix(40))'") }
                offset = value
            }
            return { [offset] context throws(CallsheetError) in
                let (bytes, next) = try ExportRunner.for(context.directory).fetch(id, offset: offset, organization: context.shard.id, caller: context.caller)
                return .array([.bulk(next.map(String.init) ?? "0"), .bulkString(bytes)])
            }
        },
        .organization("EXPORT.CANCEL", "EXPORT.CANCEL <job>", "export", .manager, "Stops a running export, or deletes a finished one's file.", writes: false) { reader throws(CallsheetError) in
            let id = try reader.id("job")
            return { context throws(CallsheetError) in
                .bulk(try ExportRunner.for(context.directory).cancel(id, organization: context.shard.id, caller: context.caller).serialized)
            }
        },
        .organization("EXPORT.JOBS", "EXPORT.JOBS", "export", .manager, "Your exports (an admin: the organization's), newest first.", writes: false) { _ throws(CallsheetError) in
            { context throws(CallsheetError) in
                .bulk(JSONValue.array(ExportRunner.for(context.directory).jobs(organization: context.shard.id, caller: context.caller).map(\.json)).serialized)
            }
        },
    ]
}
