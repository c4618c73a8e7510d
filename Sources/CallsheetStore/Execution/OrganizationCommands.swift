import CallsheetCore
import CallsheetProtocol
import PhoneNumbers

/// Runs the commands that act inside one organization, on its shard, for one caller.
struct OrganizationCommands {
    let shard: OrganizationShard
    let caller: Caller
    let directory: ShardDirectory
    let phones: PhoneNumberNormalizer

    private var context: PlanningContext { PlanningContext(now: Clock.now(), phones: phones) }

    func run(_ command: Command) async throws(CallsheetError) -> RESPValue {
        let caller = self.caller
        let context = self.context
        switch command {
        // MARK: Contacts
        case .contactGet, .contactByPhone:
            return try await shard.read { state throws(CallsheetError) in try Self.lookup(command, in: state, for: caller, context: context) }
        case .contactAdd(let input):
            return try await write { state throws(CallsheetError) in
                let contact = try state.planAdd(input, by: caller, context: context)
                return ([.putContact(contact)], .bulkString(state.contactReplyJSON(contact, for: caller.role, warnings: state.phoneWarnings(input, context: context))))
            }
        case .contactUpdate(let id, let input):
            return try await write { state throws(CallsheetError) in
                let contact = try state.planUpdate(id, input, by: caller, context: context)
                return ([.putContact(contact)], .bulkString(state.contactReplyJSON(contact, for: caller.role, warnings: state.phoneWarnings(input, context: context))))
            }
        case .contactRestore(let id):
            return try await writeContact { state throws(CallsheetError) in try state.planRestore(id, by: caller, context: context) }
        case .contactLogCall(let id, let outcome, let time):
            let role = caller.role
            return try await write { state throws(CallsheetError) in
                // Journaled as the call fields alone (docs/STORAGE.md, change tag 12), not the whole contact.
                let contact = try state.planLogCall(id, outcome: outcome, at: time, by: caller, context: context)
                return ([.setCallFields(CallFields(of: contact))], RESPValue.bulkString(state.contactJSON(contact, for: role)))
            }
        case .contactDelete(let id, let permanent):
            return try await write { state throws(CallsheetError) in
                ([try state.planDelete(id, permanent: permanent, by: caller, context: context)], RESPValue.integer(1))
            }
        case .contactList(let cursor, let limit, let archived):
            return try await shard.read { state in .bulkString(state.listJSON(after: cursor, limit: limit, archived: archived, for: caller)) }
        case .contactSearch(let query):
            return try await shard.read { state throws(CallsheetError) in
                .bulkString(state.pageJSON(try state.search(query, for: caller), for: caller.role))
            }
        case .contactCallerID(let digits, let limit, let after):
            try caller.require(.agent, for: "CONTACT.CALLERID")
            let clean = digits.filter(\.isNumber)
            guard (4...12).contains(clean.count), clean.count == digits.filter({ !" -().+".contains($0) }).count else {
                throw CallsheetError(.badRequest, "CONTACT.CALLERID takes the last 4–12 digits of a phone number, got '\(digits)'")
            }
            return try await shard.read { state in
                return .bulkString(state.pageJSON(state.callerIDMatches(clean, limit: limit, after: after, for: caller), for: caller.role))
            }
        case .contactBulkEdit(let selection, let actions, let strict):
            return try await bulk(strict: strict) { state throws(CallsheetError) in
                try state.planBulkEdit(selection, actions, by: caller, context: context)
            }
        case .contactBulkDelete(let selection, let permanent, let strict):
            return try await bulk(strict: strict) { state throws(CallsheetError) in
                try state.planBulkDelete(selection, permanent: permanent, by: caller, context: context)
            }
        case .contactCount:
            return try await shard.read { state in
                let (active, archived) = state.countVisible(for: caller)
                return .bulk(JSONValue.object([("active", .integer(Int64(active))), ("archived", .integer(Int64(archived)))]).serialized)
            }

        // MARK: Fields and tags
        case .fieldCreate(let input):
            return try await write { state throws(CallsheetError) in
                let field = try state.planCreateField(input, by: caller)
                return ([.putField(field)], RESPValue.bulk(state.fieldJSON(field).serialized))
            }
        case .fieldUpdate(let name, let input, let force):
            return try await write { state throws(CallsheetError) in
                let (field, changes) = try state.planUpdateField(name, input, force: force, by: caller, context: context)
                return (changes, RESPValue.bulk(state.fieldJSON(field).serialized))
            }
        case .fieldArchive(let name), .fieldUnarchive(let name):
            let archived = if case .fieldArchive = command { true } else { false }
            return try await write { state throws(CallsheetError) in
                ([.putField(try state.planArchiveField(name, archived: archived, by: caller))], RESPValue.ok)
            }
        case .fieldReorder(let names):
            return try await write { state throws(CallsheetError) in (try state.planReorderFields(names, by: caller), RESPValue.ok) }
        case .fieldDelete(let name):
            return try await write { state throws(CallsheetError) in
                let changes = try state.planDeleteField(name, by: caller, context: context)
                return (changes, RESPValue.integer(Int64(changes.count - 1)))
            }
        case .fieldList:
            return try await shard.read { state in
                let visible = state.orderedFields.filter { caller.role == .admin || $0.isVisible(to: caller.role) }
                return .bulk(JSONValue.array(visible.map { state.fieldJSON($0) }).serialized)
            }
        case .fieldGet(let name):
            return try await shard.read { state throws(CallsheetError) in
                let field = try state.field(named: name)
                guard caller.role == .admin || field.isVisible(to: caller.role) else {
                    throw CallsheetError(.notFound, "no custom field named '\(name)' (FIELD.LIST shows them)")
                }
                return .bulk(state.fieldJSON(field).serialized)
            }
        case .tagList:
            return try await shard.read { state in .bulk(state.tagListJSON(for: caller).serialized) }
        case .tagMerge(let sources, let target):
            return try await write { state throws(CallsheetError) in
                let changes = try state.planMergeTags(sources, into: target, by: caller, context: context)
                return (changes, RESPValue.integer(Int64(changes.count)))
            }
        case .tagDelete(let tag, let force):
            return try await write { state throws(CallsheetError) in
                let changes = try state.planDeleteTag(tag, force: force, by: caller, context: context)
                return (changes, RESPValue.integer(Int64(changes.count)))
            }

        // MARK: Presets
        case .presetSave(let name, let arguments):
            return try await write { state throws(CallsheetError) in
                let preset = try state.planSavePreset(name, arguments, by: caller, context: context)
                return ([.putPreset(preset)], RESPValue.bulk(state.presetJSON(preset).serialized))
            }
        case .presetList:
            return try await shard.read { state in
                let mine = (state.presets[caller.userID] ?? [:]).values.sorted { $0.name.lowercased() < $1.name.lowercased() }
                return .bulk(JSONValue.array(mine.map { state.presetJSON($0) }).serialized)
            }
        case .presetGet(let name):
            return try await shard.read { state throws(CallsheetError) in .bulk(state.presetJSON(try state.preset(name, for: caller)).serialized) }
        case .presetRename(let name, let newName):
            return try await write { state throws(CallsheetError) in (try state.planRenamePreset(name, to: newName, by: caller), RESPValue.ok) }
        case .presetDelete(let name):
            return try await write { state throws(CallsheetError) in
                let preset = try state.preset(name, for: caller)
                return ([.removePreset(userID: caller.userID, name: preset.name)], RESPValue.ok)
            }

        // MARK: Organization
        case .orgInfo:
            return try await shard.read { state in .bulk(state.organizationJSON(for: caller).serialized) }
        case .orgSet(let key, let value):
            let phones = self.phones
            let renaming = key.lowercased() == "name"
            if renaming { try await directory.checkOrganizationName(value, for: shard.id) }
            let reply = try await write { state throws(CallsheetError) in
                let organization = try state.planSetting(key, value, by: caller, phones: phones)
                return ([.putOrganization(organization)], RESPValue.ok)
            }
            if renaming, let name = try? await shard.read({ $0.organization.name }) { await directory.organizationRenamed(shard.id, to: name) }
            return reply
        case .deptCreate(let name):
            return try await write { state throws(CallsheetError) in
                let department = try state.planCreateDepartment(name, by: caller)
                return ([.putDepartment(department)], RESPValue.bulk(state.departmentJSON(department).serialized))
            }
        case .deptRename(let id, let name):
            return try await write { state throws(CallsheetError) in ([.putDepartment(try state.planRenameDepartment(id, to: name, by: caller))], RESPValue.ok) }
        case .deptDelete(let id):
            return try await write { state throws(CallsheetError) in ([try state.planDeleteDepartment(id, by: caller)], RESPValue.ok) }
        case .deptList:
            return try await shard.read { state in
                let visible = state.departments.values.filter { caller.role == .admin || $0.id == caller.departmentID }.sorted { $0.id < $1.id }
                return .bulk(JSONValue.array(visible.map { state.departmentJSON($0) }).serialized)
            }
        case .userList:
            return try await shard.read { state in
                .bulk(JSONValue.array(state.users.values.sorted { $0.id < $1.id }.map { state.userJSON($0) }).serialized)
            }
        case .userCreate(let name, let role, let department):
            try await directory.reserveLogin(name, for: shard.id)
            let secret = SecretHash.generateSecret()
            let hash = SecretHash.make(secret: secret)
            do {
                return try await write { state throws(CallsheetError) in
                    let user = try state.planCreateUser(name, role: role, department: department, secret: hash, by: caller, context: context)
                    var members = state.userJSON(user)
                    if case .object(var list) = members { list.append(("secret", .string(secret))); members = .object(list) }
                    return ([.putUser(user)], RESPValue.bulk(members.serialized))
                }
            } catch {
                await directory.releaseLogin(name)
                throw error
            }
        case .userDelete(let name):
            let reply = try await write { state throws(CallsheetError) in
                let removal = try state.planDeleteUser(name, by: caller)
                guard case .removeUser(let id) = removal else { return ([removal], RESPValue.ok) }
                // The user's saved searches go with them.
                let presets = (state.presets[id] ?? [:]).values.map { Change.removePreset(userID: id, name: $0.name) }
                return ([removal] + presets, RESPValue.ok)
            }
            await directory.releaseLogin(name)
            return reply
        case .userResetSecret(let name):
            let secret = SecretHash.generateSecret()
            let hash = SecretHash.make(secret: secret)
            return try await write { state throws(CallsheetError) in
                ([.putUser(try state.planResetSecret(name, secret: hash, by: caller))], RESPValue.bulk(secret))
            }
        case .userSetRole(let name, let role, let department):
            return try await write { state throws(CallsheetError) in
                ([.putUser(try state.planSetRole(name, role: role, department: department, by: caller))], RESPValue.ok)
            }
        default:
            throw CallsheetError(.badRequest, "command not available in an organization context")
        }
    }

    /// True for the lookups a dialer pipelines, which ``lookup(_:in:for:context:)`` answers.
    static func isLookup(_ command: Command) -> Bool {
        switch command {
        case .contactGet, .contactByPhone: true
        default: false
        }
    }

    /// Answers a lookup against the state, on the shard. Out of scope reads as missing.
    static func lookup(_ command: Command, in state: OrganizationState, for caller: Caller, context: PlanningContext) throws(CallsheetError) -> RESPValue {
        switch command {
        case .contactGet(let id):
            return .bulkString(state.contactJSON(try state.visibleContact(id, for: caller), for: caller.role))
        case .contactByPhone(let text):
            let id = try state.contactID(byPhone: text, context: context)
            guard let id, let contact = state.contacts[id], caller.canSee(contact) else {
                throw CallsheetError(.notFound, "no contact with phone \(text)")
            }
            return .bulkString(state.contactJSON(contact, for: caller.role))
        default:
            throw CallsheetError(.internal, "not a lookup")
        }
    }

    /// A bulk command: one atomic change set. With STRICT, any refused contact cancels it all.
    private func bulk(strict: Bool, _ plan: @Sendable @escaping (OrganizationState) throws(CallsheetError) -> BulkReport) async throws(CallsheetError) -> RESPValue {
        try await write { state throws(CallsheetError) in
            let report = try plan(state)
            if strict, let (id, reason) = report.refused.first {
                throw CallsheetError(.conflict, "STRICT: \(report.refused.count) contact\(report.refused.count == 1 ? "" : "s") refused (first: \(id): \(reason)); nothing changed")
            }
            return (report.changes, RESPValue.bulk(report.json.serialized))
        }
    }

    /// A write whose result is one contact, replied as JSON.
    private func writeContact(_ plan: @Sendable (OrganizationState) throws(CallsheetError) -> Contact) async throws(CallsheetError) -> RESPValue {
        let role = caller.role
        return try await write { state throws(CallsheetError) in
            let contact = try plan(state)
            return ([.putContact(contact)], RESPValue.bulkString(state.contactJSON(contact, for: role)))
        }
    }

    private func write(_ plan: @Sendable (OrganizationState) throws(CallsheetError) -> ([Change], RESPValue)) async throws(CallsheetError) -> RESPValue {
        let reply = try await shard.write { state throws(CallsheetError) in
            let (changes, reply) = try plan(state)
            return (changes: changes, result: reply)
        }
        directory.counters.writes.add(1, ordering: .relaxed)
        return reply
    }
}
