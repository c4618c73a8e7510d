import CallsheetCore
import CallsheetProtocol

/// Organizations, departments and users (docs/PROTOCOL.md, "Organizations and users").
extension CommandCatalog {
    static let organization: [CommandDeclaration] = [
        .signedIn("ORG.CREATE", "ORG.CREATE <name> [REGION <cc>] [ADMIN <user>]", "organization", .owner, "Creates an organization and its first admin; prints the admin's secret once.", writes: true) { reader throws(CallsheetError) in
            let name = try reader.next()
            let options = try reader.options(["REGION", "ADMIN"])
            let region = options["REGION"] ?? "US", admin = options["ADMIN"] ?? "admin"
            return { _, session, executor throws(CallsheetError) in
                let (id, secret) = try await executor.directory.createOrganization(name: name, region: region, admin: admin)
                if session.shard == nil { session.shard = await executor.directory.shard(id) }
                return .bulk(JSONValue.object([("organization_id", .integer(Int64(id))), ("admin", .string(admin)), ("secret", .string(secret))]).serialized)
            }
        },
        .signedIn("ORG.LIST", "ORG.LIST", "organization", .owner, "The organizations of the data directory.") { _ throws(CallsheetError) in
            { _, _, executor throws(CallsheetError) in
                var list: [JSONValue] = []
                for id in await executor.directory.organizationIDs {
                    guard let shard = await executor.directory.shard(id) else { continue }
                    list.append(try await shard.read { state in state.organizationJSON() })
                }
                return .bulk(JSONValue.array(list).serialized)
            }
        },
        .read("ORG.INFO", "ORG.INFO", "organization", .agent, "The organization's settings and counts.") { _ throws(CallsheetError) in
            { state, caller, _ in .bulk(state.organizationJSON(for: caller).serialized) }
        },
        .organization("ORG.SET", "ORG.SET <name|region|phone_validation|max_import_rows|max_import_bytes|duplicates|strictness|auto_tag> <value>", "organization", .admin, "Changes an organization setting.", writes: true) { reader throws(CallsheetError) in
            let key = try reader.next(), value = try reader.next()
            return { organization throws(CallsheetError) in try await organization.setSetting(key, value) }
        },
        .write("DEPT.CREATE", "DEPT.CREATE <name>", "organization", .admin, "Creates a department.") { reader throws(CallsheetError) in
            let name = try reader.next()
            return { state, caller, _ throws(CallsheetError) in
                let department = try state.planCreateDepartment(name, by: caller)
                return ([.putDepartment(department)], .bulk(state.departmentJSON(department).serialized))
            }
        },
        .read("DEPT.LIST", "DEPT.LIST", "organization", .manager, "Departments with their contact and user counts.") { _ throws(CallsheetError) in
            { state, caller, _ in
                let visible = state.departments.values.filter { caller.role == .admin || $0.id == caller.departmentID }.sorted { $0.id < $1.id }
                return .bulk(JSONValue.array(visible.map { state.departmentJSON($0) }).serialized)
            }
        },
        .write("DEPT.RENAME", "DEPT.RENAME <id> <name>", "organization", .admin, "Renames a department.") { reader throws(CallsheetError) in
            let id = try reader.id("department id"), name = try reader.next()
            return { state, caller, _ throws(CallsheetError) in ([.putDepartment(try state.planRenameDepartment(id, to: name, by: caller))], .ok) }
        },
        .write("DEPT.DELETE", "DEPT.DELETE <id>", "organization", .admin, "Deletes an empty department.") { reader throws(CallsheetError) in
            let id = try reader.id("department id")
            return { state, caller, _ throws(CallsheetError) in ([try state.planDeleteDepartment(id, by: caller)], .ok) }
        },
        .organization("USER.CREATE", "USER.CREATE <name> ROLE <admin|manager|agent> [DEPT <id>]", "organization", .admin, "Creates a user and prints their secret once.", writes: true) { reader throws(CallsheetError) in
            let name = try reader.next()
            let options = try reader.options(["ROLE", "DEPT"])
            guard let roleText = options["ROLE"] else { throw reader.wrong }
            let role = try Role.parse(roleText), department = try reader.department(options["DEPT"])
            return { organization throws(CallsheetError) in try await organization.createUser(name, role: role, department: department) }
        },
        .read("USER.LIST", "USER.LIST", "organization", .admin, "The organization's users.") { _ throws(CallsheetError) in
            { state, _, _ in .bulk(JSONValue.array(state.users.values.sorted { $0.id < $1.id }.map { state.userJSON($0) }).serialized) }
        },
        .organization("USER.DELETE", "USER.DELETE <name>", "organization", .admin, "Deletes a user.", writes: true) { reader throws(CallsheetError) in
            let name = try reader.next()
            return { organization throws(CallsheetError) in try await organization.deleteUser(name) }
        },
        .organization("USER.RESETSECRET", "USER.RESETSECRET <name>", "organization", .admin, "Gives a user a new secret, printed once.", writes: true) { reader throws(CallsheetError) in
            let name = try reader.next()
            return { organization throws(CallsheetError) in
                let secret = SecretHash.generateSecret()
                let hash = SecretHash.make(secret: secret)
                return try await organization.write { state, caller, _ throws(CallsheetError) in
                    ([.putUser(try state.planResetSecret(name, secret: hash, by: caller))], .bulk(secret))
                }
            }
        },
        .write("USER.SETROLE", "USER.SETROLE <name> <role> [DEPT <id>]", "organization", .admin, "Changes a user's role or department.") { reader throws(CallsheetError) in
            let name = try reader.next()
            let role = try Role.parse(try reader.next())
            let department = try reader.department(try reader.options(["DEPT"])["DEPT"])
            return { state, caller, _ throws(CallsheetError) in
                ([.putUser(try state.planSetRole(name, role: role, department: department, by: caller))], .ok)
            }
        },
    ]
}

extension OrganizationContext {
    /// `ORG.SET`: a new name is checked against the directory's other organizations first, and
    /// the directory learns it once stored.
    func setSetting(_ key: String, _ value: String) async throws(CallsheetError) -> RESPValue {
        let phones = self.phones
        let renaming = key.lowercased() == "name"
        if renaming { try await directory.checkOrganizationName(value, for: shard.id) }
        let reply = try await write { state, caller, _ throws(CallsheetError) in
            ([.putOrganization(try state.planSetting(key, value, by: caller, phones: phones))], .ok)
        }
        if renaming, let name = try? await shard.read({ $0.organization.name }) { await directory.organizationRenamed(shard.id, to: name) }
        return reply
    }

    /// `USER.CREATE`: the login is reserved across the directory while the user is planned, and
    /// released if the plan is refused. The reply carries the new secret, once.
    func createUser(_ name: String, role: Role, department: DepartmentID?) async throws(CallsheetError) -> RESPValue {
        try await directory.reserveLogin(name, for: shard.id)
        let secret = SecretHash.generateSecret()
        let hash = SecretHash.make(secret: secret)
        do {
            return try await write { state, caller, context throws(CallsheetError) in
                let user = try state.planCreateUser(name, role: role, department: department, secret: hash, by: caller, context: context)
                var members = state.userJSON(user)
                if case .object(var list) = members { list.append(("secret", .string(secret))); members = .object(list) }
                return ([.putUser(user)], .bulk(members.serialized))
            }
        } catch {
            await directory.releaseLogin(name)
            throw error
        }
    }

    /// `USER.DELETE`: the user's saved searches go with them, and their login is released.
    func deleteUser(_ name: String) async throws(CallsheetError) -> RESPValue {
        let reply = try await write { state, caller, _ throws(CallsheetError) in
            let removal = try state.planDeleteUser(name, by: caller)
            guard case .removeUser(let id) = removal else { return ([removal], .ok) }
            let presets = (state.presets[id] ?? [:]).values.map { Change.removePreset(userID: id, name: $0.name) }
            return ([removal] + presets, .ok)
        }
        await directory.releaseLogin(name)
        return reply
    }
}
