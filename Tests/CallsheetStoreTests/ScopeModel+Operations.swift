import CallsheetCore
import CallsheetProtocol
import CallsheetStore
import Foundation
import Testing

/// The seeded operations of ``ScopeModelRun``: each sends one command as one user, predicts the
/// reply from the model, and applies the model's change when the command succeeds.
extension ScopeModelRun {
    // MARK: Setting up

    func setUp() async throws {
        owners = [Session(isLocalOwner: true), Session(isLocalOwner: true)]
        for (org, admin) in [(0, "sm-alice"), (1, "sm-bea")] {
            let created = await runOwner(org, ["ORG.CREATE", orgNames[org], "REGION", "US", "ADMIN", admin])
            let secret = try #require(json(created)?["secret"]?.stringValue, "ORG.CREATE \(orgNames[org]): \(Self.text(created))")
            #expect(await runOwner(org, ["USE", orgNames[org]]) == .ok)
            incarnations[admin] = 1
            users.append(MUser(name: admin, org: org, role: .admin, dept: nil, secret: secret, session: Session(isLocalOwner: false), incarnation: 1, signedIn: false))
            for department in departments[org].dropFirst() {
                let reply = await runOwner(org, ["DEPT.CREATE", "Dept \(department)"])
                #expect(json(reply)?["id"]?.intValue == department, "DEPT.CREATE: \(Self.text(reply))")
            }
            for field in [#"{"name":"score","type":"integer","visible_to":"all"}"#, #"{"name":"margin","type":"integer","visible_to":"manager+"}"#] {
                let reply = await runOwner(org, ["FIELD.CREATE", field])
                #expect(Self.code(reply) == nil, "FIELD.CREATE: \(Self.text(reply))")
            }
        }
        for (name, org, role, dept) in [("sm-erin", 0, Role.manager, 2), ("sm-will", 0, .manager, 3), ("sm-ed", 0, .agent, 2),
                                        ("sm-wes", 0, .agent, 3), ("sm-nat", 1, .manager, 2), ("sm-ned", 1, .agent, 2)] {
            let reply = await runOwner(org, ["USER.CREATE", name, "ROLE", role.rawValue, "DEPT", String(dept)])
            let secret = try #require(json(reply)?["secret"]?.stringValue, "USER.CREATE \(name): \(Self.text(reply))")
            incarnations[name] = 1
            users.append(MUser(name: name, org: org, role: role, dept: dept, secret: secret, session: Session(isLocalOwner: false), incarnation: 1, signedIn: false))
        }
        for user in users.indices { await signIn(user) }
    }

    func signIn(_ user: Int) async {
        users[user].session = Session(isLocalOwner: false)
        let reply = await executor.execute(["AUTH", users[user].name, users[user].secret], session: &users[user].session)
        check(reply == .ok, "AUTH \(users[user].name): \(Self.text(reply))")
        users[user].signedIn = true
        users[user].roleChanged = false
    }

    /// Closes the data directory and opens it again from its journal; every session signs in anew.
    func restart() async throws {
        await directory.close()
        directory = try ShardDirectory.open(Self.configuration(path), logger: ScopeModelRun.quietLogger)
        executor = CommandExecutor(directory: directory)
        owners = [Session(isLocalOwner: true), Session(isLocalOwner: true)]
        for org in 0..<2 { check(await runOwner(org, ["USE", orgNames[org]]) == .ok, "USE after restart") }
        staleSessions = []
        for user in users.indices { await signIn(user) }
    }

    /// Sends a command; after USER.SETROLE the session may have been signed out, and then signs in again.
    func send(_ user: Int, _ arguments: [String]) async -> RESPValue {
        let reply = await run(user, arguments)
        if users[user].roleChanged {
            users[user].roleChanged = false
            if Self.code(reply) == "NOAUTH" {
                await signIn(user)
                return await run(user, arguments)
            }
        }
        return reply
    }

    // MARK: The run

    func runOperations(_ total: Int, restartEvery: Int) async throws {
        while step < total, failure == nil {
            step += 1
            if restartEvery > 0, step % restartEvery == 0 {
                try await restart()
                await audit()
                continue
            }
            let user = pickUser()
            let roll = random.int(1000)
            switch roll {
            case 0..<60: await get(user)
            case 60..<68: await orgInfo(user)
            case 68..<78: await fieldRead(user)
            case 78..<90: await listPage(user)
            case 980..<990: await bulkAdd(user)
            case 990..<1000: await importJobCommand(user)
            case 90..<150: await byPhone(user)
            case 150..<158: await list(user)
            case 158..<230: await search(user)
            case 230..<280: await callerID(user)
            case 280..<310: await count(user)
            case 310..<340: await tagList(user)
            case 340..<355: await deptList(user)
            case 355..<445: await add(user)
            case 445..<515: await update(user)
            case 515..<555: await delete(user)
            case 555..<580: await restore(user)
            case 580..<620: await logCall(user)
            case 620..<690: await bulk(user, delete: false)
            case 690..<725: await bulk(user, delete: true)
            case 725..<790: await tagChange(user)
            case 790..<850: await presetOperation(user)
            case 850..<870: await importValidate(user)
            case 870..<878: await importCommit(user)
            case 878..<905: await importStatus(user)
            case 905..<930: await adminOnly(user)
            case 930..<960 where userChanges != .none: await changeUser()
            case 960..<980 where userChanges == .openSessions: await staleCommand()
            default: await get(user)
            }
            // Every contact against the model now and then (writes are checked at once by the
            // owner's TAG.LIST and CONTACT.COUNT, which are cheaper).
            if step % 500 == 0 { await audit() }
        }
        if failure == nil { await audit() }
    }

    func pickUser() -> Int {
        let org = random.chance(85) ? 0 : 1
        let candidates = users.indices.filter { users[$0].org == org }
        return random.pick(candidates)
    }

    /// A contact id for a command: mostly of the user's organization (in scope or not), sometimes
    /// one only the other organization has, sometimes one nobody has.
    func pickID(_ user: Int) -> Int {
        let org = users[user].org
        let roll = random.int(100)
        if roll < 75, !contacts[org].isEmpty { return random.pick(contacts[org].keys.sorted()) }
        if roll < 90 {
            let foreign = contacts[1 - org].keys.filter { contacts[org][$0] == nil }.sorted()
            if !foreign.isEmpty { return random.pick(foreign) }
        }
        return 9_500_000 + random.int(1000)
    }

    func randomPhone() -> String { Self.phone(area: random.pick(Self.areas), suffix: random.pick(Self.suffixes)) }

    /// A phone for a lookup or a write: one a contact of either organization has, or a free one.
    func pickPhone() -> String {
        let org = random.int(2)
        if random.chance(70), !contacts[org].isEmpty { return random.pick(contacts[org].values.map(\.phone).sorted()) }
        return randomPhone()
    }

    /// The text a user may type for a phone: E.164 or the national format.
    func written(_ phone: String) -> String {
        guard random.chance(30) else { return phone }
        let digits = Array(phone.dropFirst(2))
        return "(\(String(digits[0..<3]))) \(String(digits[3..<6]))-\(String(digits[6...]))"
    }

    /// Expects NOT_FOUND, and the very reply a missing id gets.
    func expectMissing(_ user: Int, _ reply: RESPValue, _ arguments: [String], id: Int) async {
        expectError(reply, "NOT_FOUND")
        guard id < 9_000_000 else { return }
        let missing = String(9_000_000 + id)
        await expectSameAsMissing(reply, user: user, control: arguments.map { $0 == String(id) ? missing : $0 }, swaps: [(missing, String(id))])
    }

    /// A command the role may not run: FORBIDDEN (or, for a signed-out session, any error).
    func expectRefused(_ user: Int, _ reply: RESPValue) {
        if users[user].signedIn { expectError(reply, "FORBIDDEN") } else { check(Self.code(reply) != nil, "a signed-out session was answered \(Self.text(reply))") }
    }

    // MARK: Reads

    func get(_ user: Int) async {
        let id = pickID(user)
        let arguments = ["CONTACT.GET", String(id)]
        let reply = await send(user, arguments)
        guard users[user].signedIn else { return expectRefused(user, reply) }
        if let contact = visible(user, id) {
            checkContact(json(reply), contact, role: users[user].role, org: users[user].org)
        } else {
            await expectMissing(user, reply, arguments, id: id)
        }
    }

    func byPhone(_ user: Int) async {
        let phone = pickPhone()
        let text = written(phone)
        let reply = await send(user, ["CONTACT.BYPHONE", text])
        guard users[user].signedIn else { return expectRefused(user, reply) }
        let org = users[user].org
        if let contact = owner(ofPhone: phone, org: org), let shown = visible(user, contact.id) {
            checkContact(json(reply), shown, role: users[user].role, org: org)
            return
        }
        expectError(reply, "NOT_FOUND")
        // The same phone with the exchange 253 changed to 254: a number nobody has.
        let missingText = text.replacingOccurrences(of: "253", with: "254")
        await expectSameAsMissing(reply, user: user, control: ["CONTACT.BYPHONE", missingText], swaps: [(missingText, text)])
    }

    func list(_ user: Int) async {
        let reply = await send(user, ["CONTACT.LIST", "ALL", "LIMIT", "1000"])
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        guard let page = json(reply), let items = page["contacts"]?.arrayValue else { return fail("CONTACT.LIST: \(Self.text(reply))") }
        let ids = checkListed(items, user: user)
        check(ids == inScope(user).map(\.id), "CONTACT.LIST shows \(ids); in scope: \(inScope(user).map(\.id))")
    }

    func search(_ user: Int) async {
        let active = inScope(user).filter { !$0.archived }
        var arguments = ["CONTACT.SEARCH"]
        let expected: [MContact]
        var missingPreset: String?
        var forbiddenDept = false
        switch random.int(5) {
        case 0:
            let tag = random.pick(Self.tags)
            switch random.int(3) {
            case 0:
                arguments += ["*", "TAGS", "ANY", tag]
                expected = active.filter { $0.tags.contains(tag) }
            case 1:
                arguments += ["*", "TAGS", "NONE", tag, "ARCHIVED", "any"]
                expected = inScope(user).filter { !$0.tags.contains(tag) }
            default:
                arguments += ["*", "TAGS", "ANY", tag, "ARCHIVED", "yes"]
                expected = inScope(user).filter { $0.archived && $0.tags.contains(tag) }
            }
        case 3:
            // A department filter: a manager may name only their own.
            let dept = random.pick(departments[users[user].org])
            arguments += ["*", "DEPT", String(dept)]
            expected = active.filter { $0.dept == dept }
            forbiddenDept = users[user].role != .admin && dept != users[user].dept
        case 4:
            // Sorted: the same matches, the page from the sorted order.
            let tag = random.pick(Self.tags)
            arguments += ["*", "TAGS", "ALL", tag, "SORT", random.pick(["name", "created", "called"]), random.pick(["ASC", "DESC"])]
            expected = active.filter { $0.tags.contains(tag) }
        case 1:
            let word = random.pick(Self.names).split(separator: " ")[1].lowercased()
            arguments += [word]
            expected = active.filter { $0.name.lowercased().contains(word) }
        default:
            let name = pickPresetName(user)
            arguments += ["*", "PRESET", name]
            if let preset = users[user].presets[name.lowercased()] {
                expected = active.filter { $0.tags.contains(preset.tag) }
            } else {
                expected = []
                missingPreset = name
            }
        }
        arguments += ["COUNT", "LIMIT", "3"]
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        if forbiddenDept { return expectError(reply, "FORBIDDEN") }
        if let name = missingPreset {
            expectError(reply, "NOT_FOUND")
            await expectSameAsMissing(reply, user: user, control: arguments.map { $0 == name ? "nopreset" : $0 }, swaps: [("nopreset", name)])
            return
        }
        guard let page = json(reply), let items = page["contacts"]?.arrayValue else { return fail("CONTACT.SEARCH: \(Self.text(reply))") }
        let ids = Set(checkListed(items, user: user))
        check(page["total"]?.intValue == expected.count, "COUNT is \(page["total"]?.serialized ?? "nil"); the model counts \(expected.count)")
        check(ids.isSubset(of: Set(expected.map(\.id))) && ids.count == min(3, expected.count),
              "search shows \(ids.sorted()); the matches in scope are \(expected.map(\.id))")
    }

    /// CONTACT.CALLERID: the matches in scope in id order, a page at a time, with a cursor only when
    /// a match in scope follows.
    func callerID(_ user: Int) async {
        let phone = pickPhone()
        let digits = String(phone.suffix([4, 7, 10][random.int(3)]))
        let limit = [1, 2, 5][random.int(3)]
        let all = inScope(user).filter { $0.phone.hasSuffix(digits) }.map(\.id)
        let after = random.chance(70) || all.isEmpty ? 0 : random.pick(all)
        var arguments = ["CONTACT.CALLERID", digits, "LIMIT", String(limit)]
        if after > 0 { arguments += ["CURSOR", "i\(after)"] }
        let reply = await send(user, arguments)
        guard atLeast(user, .agent) else { return expectRefused(user, reply) }
        let following = all.filter { $0 > after }
        let expected = Array(following.prefix(limit))
        guard let page = json(reply), let items = page["contacts"]?.arrayValue else { return fail("CONTACT.CALLERID: \(Self.text(reply))") }
        let ids = checkListed(items, user: user)
        check(ids == expected, "CONTACT.CALLERID \(digits) shows \(ids); the matches in scope after \(after) are \(following)")
        let next: JSONValue = following.count > limit ? .string("i\(expected.last ?? 0)") : .null
        check(page["next_cursor"] == next, "CONTACT.CALLERID next_cursor is \(page["next_cursor"]?.serialized ?? "nil"); expected \(next.serialized)")
    }

    func count(_ user: Int) async {
        let reply = await send(user, ["CONTACT.COUNT"])
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        let mine = inScope(user)
        let archived = mine.filter(\.archived).count
        let expected = JSONValue.object([("active", .integer(Int64(mine.count - archived))), ("archived", .integer(Int64(archived)))]).serialized
        check(reply.string == expected, "CONTACT.COUNT is \(Self.text(reply)); the model has \(expected)")
    }

    /// TAG.LIST as the product must answer it for the user: tags in scope with their counts, by name.
    func expectedTagList(_ user: Int) -> String {
        let mine = inScope(user)
        var rows: [JSONValue] = []
        for tag in Self.tagsByName {
            let count = mine.filter { $0.tags.contains(tag) }.count
            if count > 0 { rows.append(.object([("tag", .string(tag)), ("contacts", .integer(Int64(count)))])) }
        }
        return JSONValue.array(rows).serialized
    }

    func tagList(_ user: Int) async {
        let reply = await send(user, ["TAG.LIST"])
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        let expected = expectedTagList(user)
        check(reply.string == expected, "TAG.LIST is \(Self.text(reply)); the model has \(expected)")
    }

    func deptList(_ user: Int) async {
        let reply = await send(user, ["DEPT.LIST"])
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        guard let items = json(reply)?.arrayValue else { return fail("DEPT.LIST: \(Self.text(reply))") }
        let org = users[user].org
        let ids = items.compactMap { $0["id"]?.intValue }
        let expected = users[user].role == .admin ? departments[org] : [users[user].dept ?? 0]
        check(ids == expected, "DEPT.LIST shows departments \(ids); the model expects \(expected)")
        for item in items {
            let id = item["id"]?.intValue ?? 0
            let count = contacts[org].values.filter { $0.dept == id }.count
            check(item["contacts"]?.intValue == count, "DEPT.LIST counts \(item.serialized); the model has \(count) contacts")
        }
    }

    // MARK: Contact writes

    func add(_ user: Int) async {
        let org = users[user].org
        let phone = randomPhone()
        let name = random.pick(Self.names)
        var tags: [String] = []
        for tag in Self.tags where random.chance(30) { tags.append(tag) }
        var members = [#""name":"\#(name)""#, #""phone":"\#(written(phone))""#, #""tags":[\#(tags.map { "\"\($0)\"" }.joined(separator: ","))]"#]
        let score = random.chance(40) ? random.int(100) : nil
        let margin = random.chance(30) ? random.int(100) : nil
        var fields: [String] = []
        if let score { fields.append(#""score":\#(score)"#) }
        if let margin { fields.append(#""margin":\#(margin)"#) }
        if !fields.isEmpty { members.append(#""custom_fields":{\#(fields.joined(separator: ","))}"#) }
        var dept = users[user].dept ?? 1
        if random.chance(40) {
            dept = random.pick(departments[org])
            members.append(#""department_id":\#(dept)"#)
        }
        let reply = await send(user, ["CONTACT.ADD", "{" + members.joined(separator: ",") + "}"])
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        if let holder = owner(ofPhone: phone, org: org) {
            return expectPhoneTaken(user, reply, holder: holder)
        }
        if users[user].role != .admin, dept != users[user].dept { return expectError(reply, "FORBIDDEN") }
        let contact = MContact(id: nextID[org], dept: dept, name: name, phone: phone, tags: tags, archived: false, calls: 0, score: score, margin: margin)
        checkContact(json(reply), contact, role: users[user].role, org: org)
        contacts[org][contact.id] = contact
        nextID[org] += 1
        await auditCounts(org)
    }

    /// DUPLICATE_PHONE; naming the holder only when the user may see it.
    func expectPhoneTaken(_ user: Int, _ reply: RESPValue, holder: MContact) {
        expectError(reply, "DUPLICATE_PHONE")
        let text = Self.text(reply)
        if visible(user, holder.id) == nil {
            check(!text.contains("contact \(holder.id)") && text.contains("another department"),
                  "a phone taken in another department is answered \(text)")
        } else {
            check(text.contains("contact \(holder.id)"), "a phone taken in scope does not name its contact: \(text)")
        }
    }

    func update(_ user: Int) async {
        let org = users[user].org
        let id = pickID(user)
        var change: (inout MContact) -> Void
        let body: String
        var newPhone: String?
        var newDept: Int?
        switch random.int(5) {
        case 0:
            let name = random.pick(Self.names)
            body = #"{"name":"\#(name)"}"#
            change = { $0.name = name }
        case 1:
            let tags = Self.tags.filter { _ in random.chance(30) }
            body = #"{"tags":[\#(tags.map { "\"\($0)\"" }.joined(separator: ","))]}"#
            change = { $0.tags = tags }
        case 2:
            let phone = pickPhone()
            newPhone = phone
            body = #"{"phone":"\#(written(phone))"}"#
            change = { $0.phone = phone }
        case 3:
            let score = random.int(100)
            body = #"{"custom_fields":{"score":\#(score)}}"#
            change = { $0.score = score }
        default:
            let dept = random.pick(departments[org])
            newDept = dept
            body = #"{"department_id":\#(dept)}"#
            change = { $0.dept = dept }
        }
        let arguments = ["CONTACT.UPDATE", String(id), body]
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        guard var contact = visible(user, id) else { return await expectMissing(user, reply, arguments, id: id) }
        if let newPhone, let holder = owner(ofPhone: newPhone, org: org), holder.id != id {
            return expectPhoneTaken(user, reply, holder: holder)
        }
        if let newDept, users[user].role != .admin, newDept != users[user].dept { return expectError(reply, "FORBIDDEN") }
        change(&contact)
        checkContact(json(reply), contact, role: users[user].role, org: org)
        contacts[org][id] = contact
        await auditCounts(org)
    }

    func delete(_ user: Int) async {
        let org = users[user].org
        let id = pickID(user)
        let permanent = random.chance(30)
        let arguments = ["CONTACT.DELETE", String(id)] + (permanent ? ["PERMANENT"] : [])
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        guard let contact = visible(user, id) else { return await expectMissing(user, reply, arguments, id: id) }
        if !permanent, contact.archived { return expectError(reply, "CONFLICT") }
        check(reply == .integer(1), "CONTACT.DELETE: \(Self.text(reply))")
        if permanent { contacts[org][id] = nil } else { contacts[org][id]?.archived = true }
        await auditCounts(org)
    }

    func restore(_ user: Int) async {
        let org = users[user].org
        let id = pickID(user)
        let arguments = ["CONTACT.RESTORE", String(id)]
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        guard var contact = visible(user, id) else { return await expectMissing(user, reply, arguments, id: id) }
        guard contact.archived else { return expectError(reply, "CONFLICT") }
        contact.archived = false
        checkContact(json(reply), contact, role: users[user].role, org: org)
        contacts[org][id] = contact
        await auditCounts(org)
    }

    func logCall(_ user: Int) async {
        let org = users[user].org
        let id = pickID(user)
        let arguments = ["CONTACT.LOGCALL", String(id), random.pick(["answered", "voicemail", "no_answer"])]
        let reply = await send(user, arguments)
        // Logging a call is the one write an agent has.
        guard var contact = visible(user, id) else { return await expectMissing(user, reply, arguments, id: id) }
        contact.calls += 1
        checkContact(json(reply), contact, role: users[user].role, org: org)
        contacts[org][id] = contact
    }

    // MARK: Bulk edit and delete

    func bulk(_ user: Int, delete: Bool) async {
        let org = users[user].org
        // The selection.
        var selection: [String]
        var ids: [Int] = []
        var selectedTag: String?
        var selectedWord: String?
        var presetName: String?
        switch random.int(3) {
        case 0:
            ids = (0...random.int(4)).map { _ in pickID(user) }
            selection = ["IDS", ids.map(String.init).joined(separator: ",")]
        case 1:
            if random.chance(50) {
                let tag = random.pick(Self.tags)
                selectedTag = tag
                selection = ["MATCH", "*", "TAGS", "ANY", tag]
            } else {
                let word = random.pick(Self.names).split(separator: " ")[1].lowercased()
                selectedWord = word
                selection = ["MATCH", word]
            }
        default:
            let name = pickPresetName(user)
            presetName = name
            selection = ["PRESET", name]
        }
        // The actions.
        var actions: [String] = []
        var edit: (inout MContact) -> Void = { _ in }
        var moves = false
        if !delete {
            let tag = random.pick(Self.tags)
            let value = random.int(100)
            switch random.int(6) {
            case 0: actions = ["ADDTAGS", tag]; edit = { if !$0.tags.contains(tag) { $0.tags.append(tag) } }
            case 1: actions = ["REMOVETAGS", tag]; edit = { $0.tags.removeAll { $0 == tag } }
            case 2: actions = ["SET", "score", String(value)]; edit = { $0.score = value }
            case 3: actions = ["CLEAR", "score"]; edit = { $0.score = nil }
            case 4: actions = ["SET", "margin", String(value)]; edit = { $0.margin = value }
            default:
                let dept = random.pick(departments[org])
                moves = true
                actions = ["MOVE", String(dept)]
                edit = { $0.dept = dept }
            }
        }
        let permanent = delete && random.chance(40)
        let strict = random.chance(25)
        let arguments = [delete ? "CONTACT.BULKDELETE" : "CONTACT.BULKEDIT"] + selection + (delete ? [] : ["DO"] + actions)
            + (permanent ? ["PERMANENT"] : []) + (strict ? ["STRICT"] : [])
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }

        // What the model selects.
        var found: [MContact] = []
        var refused: [Int] = []
        if let presetName, users[user].presets[presetName.lowercased()] == nil {
            expectError(reply, "NOT_FOUND")
            return await expectSameAsMissing(reply, user: user, control: arguments.map { $0 == presetName ? "nopreset" : $0 }, swaps: [("nopreset", presetName)])
        }
        if let presetName { selectedTag = users[user].presets[presetName.lowercased()]?.tag }
        if let selectedTag {
            found = inScope(user).filter { !$0.archived && $0.tags.contains(selectedTag) }
        } else if let selectedWord {
            found = inScope(user).filter { !$0.archived && $0.name.lowercased().contains(selectedWord) }
        } else {
            for id in Set(ids).sorted() {
                if let contact = visible(user, id) { found.append(contact) } else { refused.append(id) }
            }
        }
        if moves, users[user].role != .admin { return expectError(reply, "FORBIDDEN") }
        if strict, !refused.isEmpty {
            // Refused for ids out of scope or missing: the same refusal a missing id gets.
            expectError(reply, "CONFLICT")
            var control = arguments
            control[2] = ids.map { $0 < 9_000_000 && visible(user, $0) == nil ? 9_000_000 + $0 : $0 }.map(String.init).joined(separator: ",")
            let swaps = ids.filter { $0 < 9_000_000 && visible(user, $0) == nil }.map { (String(9_000_000 + $0), String($0)) }
            return await expectSameAsMissing(reply, user: user, control: control, swaps: swaps)
        }
        var changed: [MContact] = []
        var removed: [Int] = []
        for contact in found {
            if delete {
                if permanent { removed.append(contact.id) } else if !contact.archived {
                    var archived = contact
                    archived.archived = true
                    changed.append(archived)
                }
            } else {
                var edited = contact
                edit(&edited)
                if edited != contact { changed.append(edited) }
            }
        }
        let report = JSONValue.object([
            ("matched", .integer(Int64(found.count))),
            ("changed", .integer(Int64(changed.count + removed.count))),
            ("refused", .array(refused.map { .object([("id", .integer(Int64($0))), ("reason", .string("no contact with id \($0)"))]) })),
        ]).serialized
        let (rest, undoID) = Self.withoutUndoID(reply)
        check(rest == report, "\(arguments[0]) replied \(Self.text(reply)); the model's report is \(report)")
        check((undoID != nil) == (changed.count + removed.count > 0), "\(arguments[0]) undo_id \(String(describing: undoID)) for \(changed.count + removed.count) changes")
        for contact in changed { contacts[org][contact.id] = contact }
        for id in removed { contacts[org][id] = nil }
        await auditCounts(org)
    }

    // MARK: Tags

    func tagChange(_ user: Int) async {
        let org = users[user].org
        let mine = inScope(user)
        func carriers(_ tag: String) -> [MContact] { mine.filter { $0.tags.contains(tag) } }
        var arguments: [String]
        var sources: [String]
        var target: String?
        var force = false
        switch random.int(3) {
        case 0:
            sources = [random.pick(Self.tags)]
            target = random.pick(Self.tags)
            arguments = ["TAG.RENAME", sources[0], target ?? ""]
        case 1:
            sources = (0...random.int(2)).map { _ in random.pick(Self.tags) }
            let into = random.chance(50) ? random.pick(sources) : random.pick(Self.tags)
            target = into
            arguments = ["TAG.MERGE"] + sources + ["INTO", into]
        default:
            sources = [random.pick(Self.tags)]
            force = random.chance(70)
            arguments = ["TAG.DELETE", sources[0]] + (force ? ["FORCE"] : [])
        }
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        let unseen = sources.filter { carriers($0).isEmpty }
        if !unseen.isEmpty {
            expectError(reply, "NOT_FOUND")
            // Each source no contact in scope carries becomes a name nobody uses.
            var control = arguments
            var swaps: [(String, String)] = []
            let positions = arguments[0] == "TAG.MERGE" ? Array(1..<(arguments.count - 2)) : [1]
            for position in positions where unseen.contains(arguments[position]) {
                control[position] = "Nosuch" + arguments[position]
                swaps.append(("Nosuch" + arguments[position], arguments[position]))
            }
            return await expectSameAsMissing(reply, user: user, control: control, swaps: swaps)
        }
        var changed: [MContact] = []
        if let target {
            for contact in mine where contact.tags.contains(where: sources.contains) {
                var tags: [String] = []
                var placed = false
                for tag in contact.tags {
                    if sources.contains(tag) || tag == target {
                        if !placed { tags.append(target); placed = true }
                    } else {
                        tags.append(tag)
                    }
                }
                if tags != contact.tags {
                    var edited = contact
                    edited.tags = tags
                    changed.append(edited)
                }
            }
        } else {
            let carrying = carriers(sources[0])
            guard force else {
                expectError(reply, "CONFLICT")
                check(Self.text(reply).contains("is on \(carrying.count) contact"), "TAG.DELETE without FORCE counts \(Self.text(reply)); in scope: \(carrying.count)")
                return
            }
            changed = carrying.map { contact in
                var edited = contact
                edited.tags.removeAll { $0 == sources[0] }
                return edited
            }
        }
        let (rest, undoID) = Self.withoutUndoID(reply)
        check(rest == JSONValue.object([("changed", .integer(Int64(changed.count)))]).serialized && (undoID != nil) == !changed.isEmpty,
              "\(arguments[0]) replied \(Self.text(reply)); the model changes \(changed.map(\.id))")
        for contact in changed { contacts[org][contact.id] = contact }
        await auditCounts(org)
    }

    // MARK: Presets

    /// A preset name: the user's own, another user's (of either organization), or none.
    func pickPresetName(_ user: Int) -> String {
        let roll = random.int(100)
        if roll < 50, let own = users[user].presets.values.map(\.name).sorted().randomElement(using: &random) { return own }
        if roll < 85, let theirs = users.indices.filter({ $0 != user }).flatMap({ users[$0].presets.values.map(\.name) }).sorted().randomElement(using: &random) {
            return theirs
        }
        return random.pick(Self.presetNames)
    }

    func presetOperation(_ user: Int) async {
        let manager = atLeast(user, .manager)
        switch random.int(5) {
        case 0:
            let name = random.pick(Self.presetNames)
            let tag = random.pick(Self.tags)
            let reply = await send(user, ["PRESET.SAVE", name, "*", "TAGS", "ANY", tag])
            guard manager else { return expectRefused(user, reply) }
            check(json(reply)?["name"]?.stringValue == name, "PRESET.SAVE: \(Self.text(reply))")
            users[user].presets[name.lowercased()] = MPreset(name: name, tag: tag)
        case 1:
            let reply = await send(user, ["PRESET.LIST"])
            guard manager else { return expectRefused(user, reply) }
            let names = json(reply)?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            let expected = users[user].presets.values.map(\.name).sorted { $0.lowercased() < $1.lowercased() }
            check(names == expected, "PRESET.LIST shows \(names); the model has \(expected)")
        default:
            let name = pickPresetName(user)
            let kind = random.int(3)
            let newName = random.pick(Self.presetNames.filter { users[user].presets[$0] == nil } + ["renamed"])
            let arguments = kind == 0 ? ["PRESET.GET", name] : kind == 1 ? ["PRESET.DELETE", name] : ["PRESET.RENAME", name, newName]
            let reply = await send(user, arguments)
            guard manager else { return expectRefused(user, reply) }
            guard let preset = users[user].presets[name.lowercased()] else {
                expectError(reply, "NOT_FOUND")
                var control = arguments
                control[1] = "nopreset"
                return await expectSameAsMissing(reply, user: user, control: control, swaps: [("nopreset", name)])
            }
            switch kind {
            case 0: check(json(reply)?["arguments"] == .array(["*", "TAGS", "ANY", preset.tag].map { .string($0) }), "PRESET.GET: \(Self.text(reply))")
            case 1:
                check(reply == .ok, "PRESET.DELETE: \(Self.text(reply))")
                users[user].presets[name.lowercased()] = nil
            default:
                if newName.lowercased() == name.lowercased() { return }
                guard users[user].presets[newName.lowercased()] == nil else {
                    return check(Self.code(reply) != nil, "PRESET.RENAME onto a taken name: \(Self.text(reply))")
                }
                check(reply == .ok, "PRESET.RENAME: \(Self.text(reply))")
                users[user].presets[name.lowercased()] = nil
                users[user].presets[newName.lowercased()] = MPreset(name: newName, tag: preset.tag)
            }
        }
    }

    // MARK: Import

    /// 1–4 rows with distinct phones: of the user's contacts, of other departments', of the other
    /// organization's, or free.
    func importRows() -> [(name: String, phone: String)] {
        var rows: [(name: String, phone: String)] = []
        for _ in 0...random.int(4) {
            let phone = pickPhone()
            if !rows.contains(where: { $0.phone == phone }) { rows.append((random.pick(Self.names), phone)) }
        }
        return rows
    }

    func csv(_ rows: [(name: String, phone: String)]) -> String {
        "Name,Phone\n" + rows.map { "\($0.name),\($0.phone)\n" }.joined()
    }

    func importValidate(_ user: Int) async {
        let org = users[user].org
        let rows = importRows()
        let reply = await send(user, ["IMPORT.VALIDATE", "CSV", csv(rows), "DUPLICATES", "skip", "NOTAG"])
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        guard let report = json(reply), let lines = report["rows"]?.arrayValue, lines.count == rows.count else {
            return fail("IMPORT.VALIDATE: \(Self.text(reply))")
        }
        for (row, line) in zip(rows, lines) {
            let duplicate = line["duplicate_of_contact"]
            if let holder = owner(ofPhone: row.phone, org: org) {
                let expected: JSONValue = visible(user, holder.id) == nil ? .string("another department") : .integer(Int64(holder.id))
                check(duplicate == expected, "IMPORT.VALIDATE row \(row.phone): \(line.serialized); expected duplicate_of_contact \(expected.serialized)")
            } else {
                check(duplicate == nil && line["outcome"]?.stringValue == "create", "IMPORT.VALIDATE row \(row.phone) of no contact: \(line.serialized)")
            }
        }
    }

    /// IMPORT.COMMIT: free phones become contacts; with DUPLICATES update the user's own duplicates
    /// take the row's name, and another department's are rejected without naming the contact.
    func importCommit(_ user: Int) async {
        let org = users[user].org
        let rows = importRows()
        let updating = random.chance(40)
        let dept = users[user].role == .admin ? random.pick(departments[org]) : (users[user].dept ?? 1)
        let arguments = ["IMPORT.COMMIT", "CSV", csv(rows), "DUPLICATES", updating ? "update" : "skip", "NOTAG"]
            + (users[user].role == .admin ? ["DEPT", String(dept)] : [])
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        let fresh = rows.filter { owner(ofPhone: $0.phone, org: org) == nil }
        let duplicates = rows.compactMap { row in owner(ofPhone: row.phone, org: org).map { (row, $0) } }
        let mine = duplicates.filter { visible(user, $0.1.id) != nil }
        let theirs = duplicates.count - mine.count
        guard let summary = json(reply), let job = summary["job_id"]?.intValue else { return fail("IMPORT.COMMIT: \(Self.text(reply))") }
        let expected: [String: Int] = [
            "created": fresh.count,
            "updated": updating ? mine.count : 0,
            "skipped": updating ? 0 : duplicates.count,
            "rejected": updating ? theirs : 0,
        ]
        for (key, count) in expected {
            check(summary[key]?.intValue == count, "IMPORT.COMMIT \(key) is \(summary[key]?.serialized ?? "nil"); the model expects \(count): \(summary.serialized)")
        }
        for row in fresh {
            let id = nextID[org]
            contacts[org][id] = MContact(id: id, dept: dept, name: row.name, phone: row.phone, tags: [], archived: false, calls: 0)
            nextID[org] += 1
        }
        if updating { for (row, contact) in mine { contacts[org][contact.id]?.name = row.name } }
        jobs[job] = MJob(org: org, user: users[user].name, incarnation: users[user].incarnation)
        if updating, theirs > 0 {
            // The rejection of another department's phone does not name its contact.
            let errors = await send(user, ["IMPORT.ERRORS", String(job)])
            let text = errors.string ?? ""
            for (_, contact) in duplicates where visible(user, contact.id) == nil {
                check(!text.contains("contact \(contact.id)") && !text.contains(contact.name), "IMPORT.ERRORS names another department's contact: \(text)")
            }
            check(text.contains("another department"), "IMPORT.ERRORS: \(Self.text(errors))")
        }
        await auditCounts(org)
    }

    func jobVisible(_ user: Int, _ id: Int) -> Bool {
        guard let job = jobs[id], job.org == users[user].org, users[user].signedIn else { return false }
        return users[user].role == .admin || (job.user == users[user].name && job.incarnation == users[user].incarnation)
    }

    func importStatus(_ user: Int) async {
        if random.chance(30) {
            // Page through with a small LIMIT: every page, the cursor and the total are in scope.
            let limit = 1 + random.int(4)
            var shown: [Int] = []
            var cursor = "0"
            let expected = jobs.keys.filter { jobVisible(user, $0) }.sorted(by: >)
            for _ in 0...(expected.count / limit + 1) {
                let reply = await send(user, ["IMPORT.JOBS", "CURSOR", cursor, "LIMIT", String(limit), "COUNT"])
                guard atLeast(user, .manager) else { return expectRefused(user, reply) }
                guard let page = json(reply), let items = page["jobs"]?.arrayValue else { return fail("IMPORT.JOBS: \(Self.text(reply))") }
                shown += items.compactMap { $0["job_id"]?.intValue }
                check(page["total"]?.intValue == expected.count, "IMPORT.JOBS COUNT says \(Self.text(reply)); the model expects \(expected.count)")
                guard let next = page["next_cursor"]?.stringValue else { break }
                cursor = next
            }
            check(shown == expected, "IMPORT.JOBS shows \(shown); the model expects \(expected)")
            return
        }
        let id = random.chance(85) ? (jobs.keys.sorted().randomElement(using: &random) ?? 1) : 8_000_000 + random.int(1000)
        let arguments = ["IMPORT.STATUS", String(id)]
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        if jobVisible(user, id) {
            check(json(reply)?["job_id"]?.intValue == id, "IMPORT.STATUS \(id): \(Self.text(reply))")
        } else {
            await expectMissing(user, reply, arguments, id: id)
        }
    }

    // MARK: Administration

    /// Commands only an admin may run: refused to everyone else, and harmless reads for admins.
    func adminOnly(_ user: Int) async {
        let org = users[user].org
        let other = users.first { $0.org == org && $0.role != .admin }?.name ?? "nobody"
        let requests: [[String]] = [
            ["USER.LIST"], ["DEPT.CREATE", "Sneaky"], ["FIELD.CREATE", #"{"name":"sneaky","type":"text"}"#], ["FIELD.DELETE", "score"],
            ["USER.CREATE", "sm-sneaky", "ROLE", "admin"], ["USER.SETROLE", other, "admin"], ["USER.DELETE", other],
            ["USER.RESETSECRET", other], ["ORG.SET", "region", "GB"], ["DEPT.DELETE", "1"], ["FIELD.REORDER", "margin", "score"],
        ]
        if users[user].role == .admin, users[user].signedIn {
            let reply = await send(user, ["USER.LIST"])
            let names = Set(json(reply)?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
            let expected = Set(users.filter { $0.org == org }.map(\.name))
            check(names == expected, "USER.LIST shows \(names.sorted()); the organization's users are \(expected.sorted())")
            return
        }
        let reply = await send(user, random.pick(requests))
        expectRefused(user, reply)
        await auditCounts(org)
    }

    /// An admin changes a user with an open session: their role, their department, their secret,
    /// or deletes and re-creates them. The very next command of that session must follow.
    func changeUser() async {
        let admin = random.chance(85) ? 0 : 1
        let org = users[admin].org
        // Indices 0 and 1 are the organizations' admins, who stay; everyone else may change.
        let candidates = users.indices.filter { users[$0].org == org && $0 > 1 }
        guard let user = candidates.randomElement(using: &random) else { return }
        let name = users[user].name
        switch random.int(4) {
        case 0, 1:
            let role: Role = random.chance(50) ? .manager : .agent
            let dept = random.pick(Array(departments[org].dropFirst()))
            let reply = await send(admin, ["USER.SETROLE", name, role.rawValue, "DEPT", String(dept)])
            check(reply == .ok, "USER.SETROLE: \(Self.text(reply))")
            users[user].role = role
            users[user].dept = dept
            users[user].roleChanged = true
            if userChanges == .signInAgain { await signIn(user) }
        case 2:
            let reply = await send(admin, ["USER.RESETSECRET", name])
            guard let secret = reply.string, Self.code(reply) == nil else { return fail("USER.RESETSECRET: \(Self.text(reply))") }
            if userChanges == .openSessions { staleSessions.append((user, users[user].session)) }
            users[user].secret = secret
            await signIn(user)
        default:
            let deleted = await send(admin, ["USER.DELETE", name])
            check(deleted == .ok, "USER.DELETE: \(Self.text(deleted))")
            if userChanges == .openSessions { staleSessions.append((user, users[user].session)) }
            users[user].presets = [:]
            let role: Role = random.chance(50) ? .manager : .agent
            let dept = random.pick(Array(departments[org].dropFirst()))
            let created = await send(admin, ["USER.CREATE", name, "ROLE", role.rawValue, "DEPT", String(dept)])
            guard let secret = json(created)?["secret"]?.stringValue else { return fail("USER.CREATE: \(Self.text(created))") }
            incarnations[name, default: 1] += 1
            users[user].incarnation = incarnations[name] ?? 1
            users[user].role = role
            users[user].dept = dept
            users[user].secret = secret
            await signIn(user)
        }
    }

    /// A session whose user was deleted or got a new secret: every command fails and changes nothing.
    func staleCommand() async {
        guard !staleSessions.isEmpty else { return }
        let index = random.int(staleSessions.count)
        let org = users[staleSessions[index].user].org
        let id = contacts[org].keys.sorted().randomElement(using: &random) ?? 1
        let requests: [[String]] = [
            ["CONTACT.GET", String(id)], ["CONTACT.UPDATE", String(id), #"{"name":"Stale"}"#], ["CONTACT.DELETE", String(id), "PERMANENT"],
            ["TAG.DELETE", random.pick(Self.tags), "FORCE"], ["CONTACT.BULKDELETE", "MATCH", "*", "PERMANENT"], ["CONTACT.COUNT"], ["TAG.LIST"],
            ["CONTACT.ADD", #"{"name":"Stale","phone":"\#(randomPhone())"}"#], ["PRESET.LIST"], ["IMPORT.JOBS"],
        ]
        let request = random.pick(requests)
        lastCommand = ["stale session of \(users[staleSessions[index].user].name)"] + request
        operations += 1
        let reply = await executor.execute(request, session: &staleSessions[index].session)
        check(Self.code(reply) != nil, "a deleted or reset user's session was answered \(Self.text(reply))")
        await auditCounts(org)
    }

    // MARK: More reads

    /// ORG.INFO: an admin's counts are the organization's; anyone else's are their department's.
    func orgInfo(_ user: Int) async {
        let reply = await send(user, ["ORG.INFO"])
        guard atLeast(user, .agent) else { return expectRefused(user, reply) }
        guard let info = json(reply) else { return }
        let org = users[user].org
        let admin = users[user].role == .admin
        let own = users[user].dept
        let expected: [String: Int] = [
            "departments": admin ? departments[org].count : 1,
            "users": admin ? users.filter { $0.org == org }.count : users.filter { $0.org == org && $0.dept != nil && $0.dept == own }.count,
            "contacts": admin ? contacts[org].count : contacts[org].values.filter { $0.dept == own }.count,
        ]
        for (key, count) in expected {
            check(info[key]?.intValue == count, "ORG.INFO \(key) is \(info[key]?.serialized ?? "nil"); in \(users[user].name)'s scope: \(count)")
        }
        check(info["name"]?.stringValue == orgNames[org], "ORG.INFO: \(info.serialized)")
    }

    /// FIELD.LIST and FIELD.GET: agents see only fields visible to agents; a hidden field reads as missing.
    func fieldRead(_ user: Int) async {
        let agent = users[user].role == .agent
        if random.chance(40) {
            let reply = await send(user, ["FIELD.LIST"])
            guard atLeast(user, .agent) else { return expectRefused(user, reply) }
            let names = json(reply)?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            check(names == (agent ? ["score"] : ["score", "margin"]), "FIELD.LIST shows \(names) to \(users[user].role)")
            return
        }
        let name = random.pick(["score", "margin", "nofield"])
        let reply = await send(user, ["FIELD.GET", name])
        guard atLeast(user, .agent) else { return expectRefused(user, reply) }
        if name == "nofield" || (name == "margin" && agent) {
            expectError(reply, "NOT_FOUND")
            if name != "nofield" { await expectSameAsMissing(reply, user: user, control: ["FIELD.GET", "nofield"], swaps: [("nofield", name)]) }
        } else {
            check(json(reply)?["name"]?.stringValue == name, "FIELD.GET \(name): \(Self.text(reply))")
        }
    }

    /// CONTACT.LIST a page at a time: exactly the next contacts in scope, and a cursor only when
    /// more contacts in scope follow (not when only other departments' do).
    func listPage(_ user: Int) async {
        let mine = inScope(user)
        let filter = random.pick(["", "ARCHIVED", "ALL"])
        let cursor = random.chance(60) ? 0 : (contacts[users[user].org].keys.sorted().randomElement(using: &random) ?? 0)
        let limit = 1 + random.int(6)
        var arguments = ["CONTACT.LIST", "LIMIT", String(limit)]
        if cursor > 0 { arguments += ["CURSOR", String(cursor)] }
        if !filter.isEmpty { arguments.append(filter) }
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        let matching = mine.filter { $0.id > cursor && (filter == "ALL" || $0.archived == (filter == "ARCHIVED")) }.map(\.id)
        let expected = Array(matching.prefix(limit))
        guard let page = json(reply), let items = page["contacts"]?.arrayValue else { return fail("CONTACT.LIST: \(Self.text(reply))") }
        let ids = checkListed(items, user: user)
        check(ids == expected, "CONTACT.LIST page \(ids); the model's \(expected)")
        let next: JSONValue = matching.count > limit ? .string(String(expected.last ?? 0)) : .null
        check(page["next_cursor"] == next, "CONTACT.LIST next_cursor is \(page["next_cursor"]?.serialized ?? "nil"); \(matching.count) contacts in scope follow the cursor, the page holds \(limit)")
    }

    /// CONTACT.BULK: each item as CONTACT.ADD checks it; refusals for another department's phone
    /// do not name its contact.
    func bulkAdd(_ user: Int) async {
        let org = users[user].org
        var items: [String] = []
        var planned: [(phone: String, name: String, dept: Int, given: Bool)] = []
        for _ in 0...random.int(3) {
            let phone = random.chance(50) ? pickPhone() : randomPhone()
            let name = random.pick(Self.names)
            var dept = users[user].dept ?? 1
            var given = false
            var members = [#""name":"\#(name)""#, #""phone":"\#(phone)""#]
            if random.chance(40) {
                dept = random.pick(departments[org])
                given = true
                members.append(#""department_id":\#(dept)"#)
            }
            items.append("{" + members.joined(separator: ",") + "}")
            planned.append((phone, name, dept, given))
        }
        let reply = await send(user, ["CONTACT.BULK", "[" + items.joined(separator: ",") + "]"])
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        guard let report = json(reply) else { return }
        var created: [Int] = []
        var errors: [(Int, String)] = []
        var batch: Set<String> = []
        var next = nextID[org]
        var added: [MContact] = []
        for (index, item) in planned.enumerated() {
            if let holder = owner(ofPhone: item.phone, org: org) {
                errors.append((index, "DUPLICATE_PHONE"))
                let message = report["errors"]?.arrayValue?.first { $0["index"]?.intValue == index }?["message"]?.stringValue ?? ""
                if visible(user, holder.id) == nil {
                    check(!message.contains("contact \(holder.id)"), "CONTACT.BULK names another department's contact: \(message)")
                }
            } else if batch.contains(item.phone) {
                errors.append((index, "DUPLICATE_PHONE"))
            } else if users[user].role != .admin, item.dept != users[user].dept {
                errors.append((index, "FORBIDDEN"))
            } else {
                batch.insert(item.phone)
                created.append(next)
                added.append(MContact(id: next, dept: item.dept, name: item.name, phone: item.phone, tags: [], archived: false, calls: 0))
                next += 1
            }
        }
        let shownErrors = report["errors"]?.arrayValue?.map { ($0["index"]?.intValue ?? -1, $0["code"]?.stringValue ?? "") } ?? []
        check(report["ids"] == .array(created.map { .integer(Int64($0)) }) && shownErrors.map(\.0) == errors.map(\.0) && shownErrors.map(\.1) == errors.map(\.1),
              "CONTACT.BULK replied \(report.serialized); the model creates \(created), refuses \(errors)")
        for contact in added { contacts[org][contact.id] = contact }
        nextID[org] = next
        await auditCounts(org)
    }

    /// IMPORT.ERRORS and IMPORT.CANCEL of jobs of the user, of others, of the other organization, or of none.
    func importJobCommand(_ user: Int) async {
        let id = random.chance(85) ? (jobs.keys.sorted().randomElement(using: &random) ?? 1) : 8_000_000 + random.int(1000)
        let arguments = [random.pick(["IMPORT.ERRORS", "IMPORT.CANCEL"]), String(id)]
        let reply = await send(user, arguments)
        guard atLeast(user, .manager) else { return expectRefused(user, reply) }
        guard jobVisible(user, id) else { return await expectMissing(user, reply, arguments, id: id) }
        if arguments[0] == "IMPORT.ERRORS" {
            check(Self.code(reply) == nil, "IMPORT.ERRORS of a finished job: \(Self.text(reply))")
        } else {
            expectError(reply, "CONFLICT")  // every job of the model has ended: it was stored
        }
    }

    // MARK: Audits

    /// After a write: the organization's tag counts and contact counts, as its owner reads them.
    func auditCounts(_ org: Int) async {
        guard failure == nil else { return }
        let saved = lastCommand
        defer { lastCommand = saved }
        var rows: [JSONValue] = []
        let all = contacts[org].values
        for tag in Self.tagsByName {
            let count = all.filter { $0.tags.contains(tag) }.count
            if count > 0 { rows.append(.object([("tag", .string(tag)), ("contacts", .integer(Int64(count)))])) }
        }
        let tags = await runOwner(org, ["TAG.LIST"])
        check(tags.string == JSONValue.array(rows).serialized, "after the command, \(orgNames[org])'s TAG.LIST is \(Self.text(tags)); the model has \(JSONValue.array(rows).serialized)")
        let archived = all.filter(\.archived).count
        let expected = JSONValue.object([("active", .integer(Int64(all.count - archived))), ("archived", .integer(Int64(archived)))]).serialized
        let counted = await runOwner(org, ["CONTACT.COUNT"])
        check(counted.string == expected, "after the command, \(orgNames[org])'s CONTACT.COUNT is \(Self.text(counted)); the model has \(expected)")
    }

    /// Every contact of both organizations, as their owners read them, against the model.
    func audit() async {
        defer { lastAudit = step }
        for org in 0..<2 where failure == nil {
            let reply = await runOwner(org, ["CONTACT.LIST", "ALL", "LIMIT", "1000"])
            guard let items = json(reply)?["contacts"]?.arrayValue else { return fail("audit CONTACT.LIST: \(Self.text(reply))") }
            var ids: [Int] = []
            for item in items {
                let id = item["id"]?.intValue ?? 0
                ids.append(id)
                guard let expected = contacts[org][id] else { return fail("audit (a command since step \(lastAudit)): \(orgNames[org]) has contact \(id), which the model does not: \(item.serialized)") }
                checkContact(item, expected, role: .admin, org: org)
            }
            check(ids == contacts[org].keys.sorted(), "audit (a command since step \(lastAudit)): \(orgNames[org]) has contacts \(ids); the model \(contacts[org].keys.sorted())")
            await auditCounts(org)
        }
    }
}

extension ScopeModelRun {
    /// A bulk or tag command's reply without its `undo_id` (which the model does not number),
    /// and that id (nil when the reply's is null or missing).
    static func withoutUndoID(_ reply: RESPValue) -> (String?, Int64?) {
        guard let text = reply.string, case .object(let members)? = try? JSONValue.parse(text) else { return (reply.string, nil) }
        let undo = members.first { $0.0 == "undo_id" }.flatMap { if case .integer(let id) = $0.1 { id } else { nil } }
        return (JSONValue.object(members.filter { $0.0 != "undo_id" }).serialized, undo)
    }
}
