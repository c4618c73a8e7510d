import CallsheetCore
import CallsheetProtocol

/// Contacts (docs/PROTOCOL.md, "Contacts").
extension CommandCatalog {
    static let contacts: [CommandDeclaration] = [
        .write("CONTACT.ADD", "CONTACT.ADD <json>", "contacts", .manager, "Creates a contact: {\"name\", \"phone\", \"email\", \"company\", \"tags\", \"notes\", \"custom_fields\", \"department_id\"}.") { reader throws(CallsheetError) in
            let input = try reader.json()
            return { state, caller, context throws(CallsheetError) in
                let contact = try state.planAdd(input, by: caller, context: context)
                let duplicates = try state.likelyDuplicates(of: contact, by: caller)
                return ([.putContact(contact)], .bulkString(state.contactReplyJSON(contact, for: caller.role, warnings: state.phoneWarnings(input, context: context), duplicates: duplicates)))
            }
        },
        .lookup("CONTACT.GET", "CONTACT.GET <id> [WITH CALLS [<n>]]", "contacts", .agent, "One contact by id; WITH CALLS adds its latest n calls (default 10, at most 1000).") { reader throws(CallsheetError) in
            let id = try reader.id(allowZero: true)
            var calls: Int?
            if let word = reader.optional() {
                guard word.uppercased() == "WITH", reader.optional()?.uppercased() == "CALLS" else { throw reader.wrong }
                calls = try reader.limit(reader.optional(), default: 10, maximum: 1000, option: "WITH CALLS")
            }
            return { [calls] state, caller, _ throws(CallsheetError) in
                let contact = try state.visibleContact(id, for: caller)
                if let calls { return .bulkString(try state.contactWithCallsJSON(contact, calls: calls, for: caller)) }
                return .bulkString(state.contactJSON(contact, for: caller.role))
            }
        },
        .lookup("CONTACT.BYPHONE", "CONTACT.BYPHONE <phone>", "contacts", .agent, "One contact by phone, written in any format.") { reader throws(CallsheetError) in
            let text = try reader.next()
            return { state, caller, context throws(CallsheetError) in
                let id = try state.contactID(byPhone: text, context: context).map(state.survivor(of:))
                // Out of scope reads as missing.
                guard let id, let contact = state.contacts[id], caller.canSee(contact) else {
                    throw CallsheetError(.notFound, "no contact with phone \(text)")
                }
                return .bulkString(state.contactJSON(contact, for: caller.role))
            }
        },
        .write("CONTACT.UPDATE", "CONTACT.UPDATE <id> <json>", "contacts", .manager, "Changes only the members given; null clears an optional one.") { reader throws(CallsheetError) in
            let id = try reader.id(), input = try reader.json()
            return { state, caller, context throws(CallsheetError) in
                let contact = try state.planUpdate(id, input, by: caller, context: context)
                let duplicates = try state.likelyDuplicates(of: contact, before: state.contacts[id], by: caller)
                return ([.putContact(contact)], .bulkString(state.contactReplyJSON(contact, for: caller.role, warnings: state.phoneWarnings(input, context: context), duplicates: duplicates)))
            }
        },
        .write("CONTACT.DELETE", "CONTACT.DELETE <id> [PERMANENT] [FORCE]", "contacts", .manager, "Archives a contact, or removes it for good with PERMANENT (its calls stay, unlinked). A protected contact, or one in a running campaign, needs an admin's FORCE.") { reader throws(CallsheetError) in
            let id = try reader.id()
            let flags = try reader.options([], flags: ["PERMANENT", "FORCE"])
            let permanent = flags["PERMANENT"] != nil, force = flags["FORCE"] != nil
            return { state, caller, context throws(CallsheetError) in ([try state.planDelete(id, permanent: permanent, force: force, by: caller, context: context)], .integer(1)) }
        },
        .write("CONTACT.RESTORE", "CONTACT.RESTORE <id>", "contacts", .manager, "Brings an archived contact back.") { reader throws(CallsheetError) in
            let id = try reader.id()
            return { state, caller, context throws(CallsheetError) in
                let contact = try state.planRestore(id, by: caller, context: context)
                return ([.putContact(contact)], .bulkString(state.contactJSON(contact, for: caller.role)))
            }
        },
        .scan("CONTACT.LIST", "CONTACT.LIST [CURSOR <c>] [LIMIT <n>] [ARCHIVED|ALL]", "contacts", .manager, "Contacts in id order, a page at a time.") { reader throws(CallsheetError) in
            let options = try reader.options(["CURSOR", "LIMIT"], flags: ["ARCHIVED", "ALL"])
            var cursor: ContactID?
            if let text = options["CURSOR"], text != "0" {
                guard let value = UInt64(text) else { throw CallsheetError(.wrongArguments, "CONTACT.LIST: CURSOR is the next_cursor of a previous page, got '\(text)'") }
                cursor = value
            }
            let archived: ArchivedFilter = options["ALL"] != nil ? .all : options["ARCHIVED"] != nil ? .archived : .active
            let limit = try reader.limit(options["LIMIT"])
            return { [cursor] state, caller, _ in .bulkString(state.listJSON(after: cursor, limit: limit, archived: archived, for: caller)) }
        },
        .scan("CONTACT.SEARCH", "CONTACT.SEARCH <text|*> [filters…] [SORT <key> [ASC|DESC]] [LIMIT <n>] [CURSOR <c>] [COUNT] [PRESET <name>] [RETURN <member,…>]", "contacts", .manager, "Quick search (name, phone, email, company contain the text) with filters: TAGS ANY|ALL|NONE <t,…>, DEPT <id,…>, CREATED <range>, CALLED <range>|NEVER, OUTCOME <o,…>, CALLS <n..m>, ARCHIVED yes|no|any, FIELD <name> <op> [value].") { reader throws(CallsheetError) in
            let query = try ContactQuery.parse(reader.rest())
            return { state, caller, _ throws(CallsheetError) in
                let projection = try query.projection.map { words throws(CallsheetError) in try ContactProjection(words, fields: state.fields, role: caller.role) }
                return .bulkString(state.pageJSON(try state.search(query, for: caller), for: caller.role, projection: projection))
            }
        },
        .read("CONTACT.CALLERID", "CONTACT.CALLERID <digits> [LIMIT <n>] [CURSOR <c>]", "contacts", .agent, "Contacts whose phone ends with the 4–12 digits (caller id without country code), in id order, LIMIT 1–100 (default 10) a page; next_cursor leads to the next page.") { reader throws(CallsheetError) in
            let digits = try reader.next()
            let options = try reader.options(["LIMIT", "CURSOR"])
            var after: ContactID?
            if let text = options["CURSOR"], text != "0" {
                guard text.first == "i", let id = ContactID(text.dropFirst()) else {
                    throw CallsheetError(.wrongArguments, "CONTACT.CALLERID: CURSOR is the next_cursor of a previous page, got '\(text.prefix(40))'")
                }
                after = id
            }
            let limit = try reader.limit(options["LIMIT"], default: 10, maximum: 100)
            // Refused before the shard is visited: the digits need no state to check.
            let clean = digits.filter(\.isNumber)
            guard (4...12).contains(clean.count), clean.count == digits.filter({ !" -().+".contains($0) }).count else {
                throw CallsheetError(.badRequest, "CONTACT.CALLERID takes the last 4–12 digits of a phone number, got '\(digits)'")
            }
            return { [after] state, caller, _ throws(CallsheetError) in
                .bulkString(state.pageJSON(state.callerIDMatches(clean, limit: limit, after: after, for: caller), for: caller.role))
            }
        },
        .write("CONTACT.BULKEDIT", "CONTACT.BULKEDIT IDS <id,…>|PRESET <name>|MATCH <text|*> [filters…] DO <actions…> [STRICT]", "contacts", .manager, "Edits many contacts in one atomic change: ADDTAGS <t,…>, REMOVETAGS <t,…>, SET <field> <value>, CLEAR <field>, MOVE <dept> (admin).") { reader throws(CallsheetError) in
            var words = reader.rest()[...]
            let selection = try BulkSelection.parse(&words, command: reader.spec.name)
            guard words.popFirst()?.uppercased() == "DO" else { throw reader.wrong }
            let actions = try BulkAction.parseList(&words)
            let strict = words.popFirst()?.uppercased() == "STRICT"
            guard words.isEmpty else { throw reader.wrong }
            return { state, caller, context throws(CallsheetError) in
                try bulk(try state.planBulkEdit(selection, actions, by: caller, context: context), strict: strict, kind: .bulkEdit, state: state, caller: caller, context: context)
            }
        },
        .write("CONTACT.BULKDELETE", "CONTACT.BULKDELETE IDS <id,…>|PRESET <name>|MATCH <text|*> [filters…] [PERMANENT] [STRICT]", "contacts", .manager, "Archives (or with PERMANENT removes) many contacts in one atomic change.") { reader throws(CallsheetError) in
            var words = reader.rest()[...]
            let selection = try BulkSelection.parse(&words, command: reader.spec.name)
            var permanent = false, strict = false
            while let word = words.popFirst()?.uppercased() {
                switch word {
                case "PERMANENT": permanent = true
                case "STRICT": strict = true
                default: throw reader.wrong
                }
            }
            return { [permanent, strict] state, caller, context throws(CallsheetError) in
                try bulk(try state.planBulkDelete(selection, permanent: permanent, by: caller, context: context), strict: strict, kind: .bulkDelete, state: state, caller: caller, context: context)
            }
        },
        .write("CONTACT.LOGCALL", "CONTACT.LOGCALL <id> <outcome> [AT <iso-time>]", "contacts", .agent, "Records a call (CALL.LOG's shorthand): last call time and outcome, call count, and the call in the history.") { reader throws(CallsheetError) in
            let id = try reader.id()
            let outcome = try reader.next()
            let options = try reader.options(["AT"])
            var time: Timestamp?
            if let text = options["AT"] {
                guard let parsed = TimestampFormat.parse(text) else {
                    throw CallsheetError(.wrongArguments, "CONTACT.LOGCALL: AT expects an ISO 8601 time with its zone, such as 2026-11-24T15:30:00Z, 2026-11-24T16:30+01:00 or 2026-11-24T15:30:00.250Z, got '\(text.prefix(80))'")
                }
                time = parsed
            }
            return { [time] state, caller, context throws(CallsheetError) in
                // Journaled as the call and the call fields alone (docs/STORAGE.md, change tags 18 and 12), not the whole contact.
                let (changes, _, contact, _) = try state.planCall(id, .object([("outcome", .string(outcome))]), at: time, by: caller, context: context)
                return (changes, .bulkString(state.contactJSON(contact, for: caller.role)))
            }
        },
        .scan("CONTACT.COUNT", "CONTACT.COUNT", "contacts", .manager, "How many contacts you can see (active, archived).") { _ throws(CallsheetError) in
            { state, caller, _ in
                let (active, archived) = state.countVisible(for: caller)
                return .bulk(JSONValue.object([("active", .integer(Int64(active))), ("archived", .integer(Int64(archived)))]).serialized)
            }
        },
    ]

    /// A bulk command's change set (with its undo entry) and reply. With STRICT, any refused
    /// contact cancels it all.
    private static func bulk(
        _ report: BulkReport, strict: Bool, kind: UndoEntry.Kind, state: OrganizationState, caller: Caller, context: PlanningContext
    ) throws(CallsheetError) -> ([Change], RESPValue) {
        if strict, let (id, reason) = report.refused.first {
            throw CallsheetError(.conflict, "STRICT: \(report.refused.count) contact\(report.refused.count == 1 ? "" : "s") refused (first: \(id): \(reason)); nothing changed")
        }
        let recorded = state.recordingUndo(report.changes, kind: kind, summary: kind == .bulkEdit ? "CONTACT.BULKEDIT" : "CONTACT.BULKDELETE", by: caller, context: context)
        guard case .object(var members) = report.json else { return (recorded.changes, .bulk(report.json.serialized)) }
        members.append(("undo_id", recorded.undoID.map { .integer(Int64($0)) } ?? .null))
        return (recorded.changes, .bulk(JSONValue.object(members).serialized))
    }
}
