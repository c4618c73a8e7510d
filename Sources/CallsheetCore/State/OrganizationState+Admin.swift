import PhoneNumbers

/// Planning organization, department and user administration (admin only).
extension OrganizationState {
    public func department(_ id: DepartmentID) throws(CallsheetError) -> Department {
        guard let department = departments[id] else { throw CallsheetError(.notFound, "no department with id \(id) (DEPT.LIST shows them)") }
        return department
    }

    public func user(named name: String) throws(CallsheetError) -> User {
        guard let user = users.values.first(where: { $0.name == name }) else {
            throw CallsheetError(.notFound, "no user named '\(name)' in this organization (USER.LIST shows them)")
        }
        return user
    }

    public func planCreateDepartment(_ name: String, by caller: Caller) throws(CallsheetError) -> Department {
        try caller.require(.admin, for: "DEPT.CREATE")
        let clean = try Self.departmentName(name)
        try checkDepartmentNameFree(clean)
        return Department(id: nextDepartmentID, name: clean)
    }

    public func planRenameDepartment(_ id: DepartmentID, to name: String, by caller: Caller) throws(CallsheetError) -> Department {
        try caller.require(.admin, for: "DEPT.RENAME")
        var department = try department(id)
        department.name = try Self.departmentName(name)
        try checkDepartmentNameFree(department.name, excluding: id)
        return department
    }

    public func planDeleteDepartment(_ id: DepartmentID, by caller: Caller) throws(CallsheetError) -> Change {
        try caller.require(.admin, for: "DEPT.DELETE")
        _ = try department(id)
        let contactCount = departmentIndex[id]?.count ?? 0
        let userCount = users.values.filter { $0.departmentID == id }.count
        guard contactCount == 0, userCount == 0 else {
            throw CallsheetError(.conflict, "department \(id) still has \(contactCount) contacts and \(userCount) users; move or delete them first")
        }
        return .removeDepartment(id)
    }

    private static func departmentName(_ name: String) throws(CallsheetError) -> String {
        let clean = name.trimmingSpaces()
        guard !clean.isEmpty, TextLimit.name.admits(clean) else { throw CallsheetError(.badRequest, "a department name is not blank and holds \(TextLimit.name.phrase)") }
        return clean
    }

    /// Checks that no department of this organization already uses `name` (case-insensitive).
    public func checkDepartmentNameFree(_ name: String, excluding: DepartmentID? = nil) throws(CallsheetError) {
        if let other = departments.values.first(where: { $0.name.lowercased() == name.lowercased() && $0.id != excluding }) {
            throw CallsheetError(.conflict, "department '\(other.name)' already exists with id \(other.id)")
        }
    }

    /// Plans `USER.CREATE`; the caller must check the name is free across the data directory.
    public func planCreateUser(_ name: String, role: Role, department: DepartmentID?, secret: SecretHash, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> User {
        try caller.require(.admin, for: "USER.CREATE")
        try Self.validateUserName(name)
        try checkUserDepartment(role: role, department: department)
        return User(id: nextUserID, name: name, role: role, departmentID: department, secret: secret, createdAt: context.now)
    }

    public func planSetRole(_ name: String, role: Role, department: DepartmentID?, by caller: Caller) throws(CallsheetError) -> User {
        try caller.require(.admin, for: "USER.SETROLE")
        var user = try user(named: name)
        try checkUserDepartment(role: role, department: department ?? user.departmentID)
        if user.role == .admin, role != .admin { try checkNotLastAdmin(user) }
        user.role = role
        user.departmentID = department ?? user.departmentID
        return user
    }

    public func planDeleteUser(_ name: String, by caller: Caller) throws(CallsheetError) -> Change {
        try caller.require(.admin, for: "USER.DELETE")
        let user = try user(named: name)
        guard caller.isOwner || user.id != caller.userID else {
            throw CallsheetError(.conflict, "you cannot delete your own login while signed in with it; another admin can (USER.DELETE \(name))")
        }
        if user.role == .admin { try checkNotLastAdmin(user) }
        return .removeUser(user.id)
    }

    public func planResetSecret(_ name: String, secret: SecretHash, by caller: Caller) throws(CallsheetError) -> User {
        try caller.require(.admin, for: "USER.RESETSECRET")
        var user = try user(named: name)
        user.secret = secret
        return user
    }

    private func checkNotLastAdmin(_ user: User) throws(CallsheetError) {
        guard users.values.contains(where: { $0.role == .admin && $0.id != user.id }) else {
            throw CallsheetError(.conflict, "'\(user.name)' is the organization's last admin; make another admin first")
        }
    }

    private func checkUserDepartment(role: Role, department: DepartmentID?) throws(CallsheetError) {
        if let department { _ = try self.department(department) }
        if role != .admin, department == nil {
            throw CallsheetError(.badRequest, "\(role == .manager ? "a" : "an") \(role.rawValue) belongs to a department: add DEPT <id> (DEPT.LIST shows them)")
        }
    }

    /// Login names: 1–64 of a-z, 0-9, `.`, `_`, `-`, `@`.
    public static func validateUserName(_ name: String) throws(CallsheetError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
        guard !name.isEmpty, name.count <= 64, name.allSatisfy({ allowed.contains($0) }) else {
            throw CallsheetError(.badRequest, "user name '\(name)' must be 1–64 of a-z, 0-9, '.', '_', '-', '@'")
        }
    }

    /// Plans `ORG.SET key value`.
    public func planSetting(_ key: String, _ value: String, by caller: Caller, phones: PhoneNumberNormalizer) throws(CallsheetError) -> Organization {
        try caller.require(.admin, for: "ORG.SET")
        var organization = organization
        switch key.lowercased() {
        case "name":
            let clean = value.trimmingSpaces()
            guard !clean.isEmpty, TextLimit.name.admits(clean) else { throw CallsheetError(.badRequest, "an organization name is not blank and holds \(TextLimit.name.phrase)") }
            organization.name = clean
        case "region":
            let region = value.uppercased()
            guard phones.isSupportedRegion(region) else {
                throw CallsheetError(.badRequest, "'\(value)' is not a region libphonenumber knows; use an ISO 3166 code such as US, GB, DE")
            }
            organization.defaultRegion = region
        case "phone_validation":
            guard let validation = PhoneValidation(rawValue: value.lowercased()) else {
                throw CallsheetError(.badRequest, "phone_validation is 'valid' (assigned numbers only) or 'possible' (plausible length)")
            }
            organization.settings.phoneValidation = validation
        case "max_import_rows":
            guard let rows = Int(value), rows > 0, rows <= 10_000_000 else { throw CallsheetError(.badRequest, "max_import_rows is a whole number from 1 to 10000000") }
            organization.settings.maxImportRows = rows
        case "max_import_bytes":
            guard let bytes = Int(value), bytes > 0, bytes <= 4 << 30 else { throw CallsheetError(.badRequest, "max_import_bytes is a whole number of bytes up to 4 GiB") }
            organization.settings.maxImportBytes = bytes
        case let importKey where ImportSettings.keys.contains(importKey.lowercased()):
            organization.settings.importing = try organization.settings.importing.setting(importKey, value)
        default:
            throw CallsheetError(.badRequest, "unknown setting '\(key)'; settings: name, region, phone_validation, max_import_rows, max_import_bytes, \(ImportSettings.keys.joined(separator: ", "))")
        }
        return organization
    }
}
