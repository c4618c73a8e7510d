/// Which contacts a bulk command acts on.
public enum BulkSelection: Sendable, Hashable {
    case ids([ContactID])
    case query(ContactQuery)
}

/// One change a bulk edit makes to each selected contact.
public enum BulkAction: Sendable, Hashable {
    case addTags([String])
    case removeTags([String])
    case setField(String, String)
    case clearField(String)
    case move(DepartmentID)
}

/// What a bulk command did: changed contacts, and the ids it refused with the reason.
public struct BulkReport: Sendable {
    public var matched = 0
    public var changes: [Change] = []
    public var refused: [(ContactID, String)] = []

    public var json: JSONValue {
        .object([
            ("matched", .integer(Int64(matched))),
            ("changed", .integer(Int64(changes.count))),
            ("refused", .array(refused.map { .object([("id", .integer(Int64($0.0))), ("reason", .string($0.1))]) })),
        ])
    }
}

extension BulkSelection {
    /// `IDS 1,2,3`, `PRESET name`, or `MATCH <text|*> [clauses…]`, up to `DO` (edit) or the end.
    /// - Parameter until: the words that end the selection (the command's own options).
    public static func parse(_ words: inout ArraySlice<String>, command: String, until: Set<String> = ["DO", "PERMANENT", "STRICT"]) throws(CallsheetError) -> BulkSelection {
        guard let kind = words.popFirst()?.uppercased() else {
            throw CallsheetError(.wrongArguments, "\(command) needs IDS <id,…>, PRESET <name> or MATCH <text|*> [filters]")
        }
        let end = words.firstIndex { until.contains($0.uppercased()) } ?? words.endIndex
        let part = Array(words[words.startIndex..<end])
        words = words[end...]
        switch kind {
        case "IDS":
            var ids: [ContactID] = []
            for piece in part.joined(separator: ",").split(separator: ",") {
                guard let id = ContactID(String(piece).trimmingSpaces()), id > 0 else {
                    throw CallsheetError(.wrongArguments, "\(command): IDS expects ids such as 4,8,15; got '\(piece)'")
                }
                ids.append(id)
            }
            guard !ids.isEmpty, ids.count <= 100_000 else { throw CallsheetError(.wrongArguments, "\(command): IDS takes 1–100000 ids") }
            return .ids(ids)
        case "PRESET":
            guard part.count == 1 else { throw CallsheetError(.wrongArguments, "\(command): PRESET takes one preset name") }
            var query = ContactQuery()
            query.preset = part[0]
            return .query(query)
        case "MATCH":
            let query = try ContactQuery.parse(part)
            guard query.cursor == nil, query.sort == nil, query.projection == nil else {
                throw CallsheetError(.wrongArguments, "\(command): MATCH takes text and filters, not SORT, CURSOR or RETURN")
            }
            return .query(query)
        default:
            throw CallsheetError(.wrongArguments, "\(command): select with IDS <id,…>, PRESET <name> or MATCH <text|*> [filters], not '\(kind)'")
        }
    }
}

extension BulkAction {
    /// `ADDTAGS a,b`, `REMOVETAGS a,b`, `SET field value`, `CLEAR field`, `MOVE dept`.
    public static func parseList(_ words: inout ArraySlice<String>) throws(CallsheetError) -> [BulkAction] {
        var actions: [BulkAction] = []
        while let word = words.first, word.uppercased() != "STRICT" {
            words = words.dropFirst()
            func next(_ expected: String) throws(CallsheetError) -> String {
                guard let value = words.popFirst() else { throw CallsheetError(.wrongArguments, "\(word.uppercased()) needs \(expected)") }
                return value
            }
            switch word.uppercased() {
            case "ADDTAGS":
                // The same rule as every other path that creates a tag, checked once up front.
                let tags = TagKey.splitList(try next("tags separated by commas"))
                guard !tags.isEmpty, tags.count <= ContactText.maximumTags else {
                    throw CallsheetError(.wrongArguments, "ADDTAGS takes 1 to \(ContactText.maximumTags) tags separated by commas")
                }
                for tag in tags { try TagKey.validate(tag) }
                actions.append(.addTags(tags))
            case "REMOVETAGS": actions.append(.removeTags(TagKey.splitList(try next("tags separated by commas"))))
            case "SET": actions.append(.setField(try next("a custom field name"), try next("a value")))
            case "CLEAR": actions.append(.clearField(try next("a custom field name")))
            case "MOVE":
                let text = try next("a department id")
                guard let id = DepartmentID(text), id > 0 else { throw CallsheetError(.wrongArguments, "MOVE expects a department id, got '\(text)'") }
                actions.append(.move(id))
            default:
                throw CallsheetError(.wrongArguments, "'\(word)' is not a bulk action; actions: ADDTAGS <t,…>, REMOVETAGS <t,…>, SET <field> <value>, CLEAR <field>, MOVE <dept>")
            }
        }
        guard !actions.isEmpty else { throw CallsheetError(.wrongArguments, "CONTACT.BULKEDIT needs DO and at least one action") }
        return actions
    }
}

extension OrganizationState {
    /// The contacts a selection names, and the ids it names that the caller cannot see.
    func select(_ selection: BulkSelection, by caller: Caller) throws(CallsheetError) -> ([Contact], [(ContactID, String)]) {
        switch selection {
        case .ids(let ids):
            var found: [Contact] = []
            var refused: [(ContactID, String)] = []
            for id in Array(Set(ids)).sorted() {
                if let contact = contacts[id], caller.canSee(contact) { found.append(contact) } else { refused.append((id, "no contact with id \(id)")) }
            }
            return (found, refused)
        case .query(let query):
            return (allMatches(try resolve(query, for: caller)), [])
        }
    }

    /// Plans `CONTACT.BULKEDIT`: each selected contact gets every action; a contact an action
    /// cannot apply to (validation) is refused with the reason and left unchanged.
    public func planBulkEdit(_ selection: BulkSelection, _ actions: [BulkAction], by caller: Caller, context: PlanningContext) throws(CallsheetError) -> BulkReport {
        try caller.require(.manager, for: "CONTACT.BULKEDIT")
        let (selected, refused) = try select(selection, by: caller)
        var report = BulkReport(matched: selected.count, refused: refused)
        for action in actions {
            switch action {
            case .move(let department):
                guard caller.role == .admin else { throw CallsheetError(.forbidden, "moving contacts between departments needs the admin role") }
                guard departments[department] != nil else { throw CallsheetError(.notFound, "no department with id \(department) (DEPT.LIST shows them)") }
            case .setField(let name, let value):
                // Checked once, up front: a value wrong for the field is wrong for every contact.
                _ = try resolveCustomFields(.object([(name, .string(value))]), onto: [:], caller: caller, creating: false)
            case .clearField(let name):
                _ = try resolveCustomFields(.object([(name, .null)]), onto: [:], caller: caller, creating: false)
            case .addTags, .removeTags:
                break
            }
        }
        for original in selected {
            var contact = original
            do throws(CallsheetError) {
                for action in actions {
                    switch action {
                    case .addTags(let tags):
                        contact.tags = canonicalTags(contact.tags + tags)
                        guard contact.tags.count <= ContactText.maximumTags else {
                            throw CallsheetError(.invalidField, "a contact carries at most \(ContactText.maximumTags) tags")
                        }
                    case .removeTags(let tags):
                        let keys = Set(tags.compactMap(TagKey.init))
                        contact.tags.removeAll { TagKey($0).map(keys.contains) ?? false }
                    case .setField(let name, let value):
                        contact.customFields = try resolveCustomFields(.object([(name, .string(value))]), onto: contact.customFields, caller: caller, creating: false)
                    case .clearField(let name):
                        contact.customFields = try resolveCustomFields(.object([(name, .null)]), onto: contact.customFields, caller: caller, creating: false)
                    case .move(let department): contact.departmentID = department
                    }
                }
            } catch {
                report.refused.append((original.id, error.message))
                continue
            }
            // A listed contact keeps its DNC tag: REMOVETAGS DNC does not take it off the list.
            contact = flaggingDoNotCall(contact, at: context.now)
            guard contact != original else { continue }
            contact.updatedAt = context.now
            report.changes.append(.putContact(contact))
        }
        return report
    }

    /// Plans `CONTACT.BULKDELETE`: archive, or remove for good with PERMANENT.
    public func planBulkDelete(_ selection: BulkSelection, permanent: Bool, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> BulkReport {
        try caller.require(.manager, for: "CONTACT.BULKDELETE")
        let (selected, refused) = try select(selection, by: caller)
        var report = BulkReport(matched: selected.count, refused: refused)
        for contact in selected {
            if let blocker = try deleteBlocker(contact.id, force: false, by: caller) {
                report.refused.append((contact.id, blocker))
            } else if permanent {
                report.changes.append(.removeContact(contact.id))
            } else if contact.archivedAt == nil {
                var archived = contact
                archived.archivedAt = context.now
                archived.updatedAt = context.now
                report.changes.append(.putContact(archived))
            }
        }
        return report
    }
}
