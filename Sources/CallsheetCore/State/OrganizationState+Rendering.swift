/// JSON renderings of the organization's records, filtered by what the caller's role may read.
/// Member names follow the seed's schema (snake_case); timestamps are ISO 8601 UTC.
extension OrganizationState {
    /// Writes one contact as a JSON object. Custom fields the caller's role cannot read are left out.
    /// - Complexity: O(fields of the contact).
    public func writeContact(_ contact: Contact, for role: Role, into json: inout JSONWriter) {
        json.openObject()
        json.key("id", first: true); json.integer(Int64(contact.id))
        json.key("organization_id"); json.integer(Int64(contact.organizationID))
        json.key("department_id"); json.integer(Int64(contact.departmentID))
        json.key("created_by_user_id"); json.integer(Int64(contact.createdByUserID))
        json.key("name"); json.string(contact.name)
        json.key("phone"); json.string(contact.phone)
        if let phoneExtension = contact.phoneExtension { json.key("phone_extension"); json.string(phoneExtension) }
        json.key("email"); optional(contact.email, &json)
        json.key("company"); optional(contact.company, &json)
        json.key("tags"); json.openArray()
        for (position, tag) in contact.tags.enumerated() {
            if position > 0 { json.comma() }
            json.string(tag)
        }
        json.closeArray()
        json.key("notes"); optional(contact.notes, &json)
        json.key("custom_fields"); json.openObject()
        var first = true
        if !contact.customFields.isEmpty {
            for field in fieldOrder where field.isVisible(to: role) {
                guard let value = contact.customFields[field.name] else { continue }
                if !first { json.comma() }
                first = false
                json.string(field.name)
                json.raw(":")
                json.write(value.json)
            }
        }
        json.closeObject()
        json.key("last_called_at"); optionalTime(contact.lastCalledAt, &json)
        json.key("last_call_outcome"); optional(contact.lastCallOutcome, &json)
        json.key("total_calls"); json.integer(Int64(contact.totalCalls))
        json.key("created_at"); json.timestamp(contact.createdAt)
        json.key("updated_at"); json.timestamp(contact.updatedAt)
        json.key("archived_at"); optionalTime(contact.archivedAt, &json)
        if let survivor = contact.mergedInto { json.key("merged_into"); json.integer(Int64(survivor)) }
        json.key("dnc")
        let listed = hasDoNotCallTag(contact.id) || (doNotCall.count > 0 && doNotCall.match(phone: contact.phone, contact: contact.id, at: Self.currentTime()) != nil)
        json.raw(listed ? "true" : "false")
        json.key("consent"); json.openArray()
        if let history = consents[contact.id] {
            for (position, record) in history.current.enumerated() {
                if position > 0 { json.comma() }
                json.openObject()
                json.key("channel", first: true); json.string(record.channel)
                json.key("purpose"); json.string(record.purpose)
                json.key("granted"); json.raw(record.granted ? "true" : "false")
                json.key("at"); json.timestamp(record.at)
                json.closeObject()
            }
        }
        json.closeArray()
        if protectedContacts.contains(contact.id) { json.key("protected"); json.raw("true") }
        json.closeObject()
    }

    /// One contact as JSON text bytes.
    public func contactJSON(_ contact: Contact, for role: Role) -> [UInt8] {
        var json = JSONWriter(capacity: 640)
        writeContact(contact, for: role, into: &json)
        return json.bytes
    }

    private func optional(_ text: String?, _ json: inout JSONWriter) {
        if let text { json.string(text) } else { json.raw("null") }
    }

    private func optionalTime(_ time: Timestamp?, _ json: inout JSONWriter) {
        if let time { json.timestamp(time) } else { json.raw("null") }
    }

    public func fieldJSON(_ field: FieldDefinition) -> JSONValue {
        .object([
            ("name", .string(field.name)),
            ("label", .string(field.label)),
            ("type", .string(field.type.rawValue)),
            ("options", .array(field.options.map { .string($0) })),
            ("required", .bool(field.required)),
            ("visible_to", .array(Role.allCases.filter { field.visibleTo.contains($0) }.map { .string($0.rawValue) })),
            ("order", .integer(Int64(field.order))),
            ("archived", .bool(field.archived)),
        ])
    }

    public func departmentJSON(_ department: Department) -> JSONValue {
        .object([
            ("id", .integer(Int64(department.id))),
            ("name", .string(department.name)),
            ("contacts", .integer(Int64(departmentIndex[department.id]?.count ?? 0))),
            ("users", .integer(Int64(users.values.filter { $0.departmentID == department.id }.count))),
        ])
    }

    public func userJSON(_ user: User) -> JSONValue {
        .object([
            ("id", .integer(Int64(user.id))),
            ("name", .string(user.name)),
            ("role", .string(user.role.rawValue)),
            ("department_id", user.departmentID.map { .integer(Int64($0)) } ?? .null),
            ("created_at", .string(TimestampFormat.iso8601(user.createdAt))),
        ])
    }

    /// `ORG.INFO` for `caller`: an admin's counts are the organization's; a manager's or an agent's
    /// are those of their scope (their department, its users and contacts), so that other
    /// departments' activity does not show in them.
    public func organizationJSON(for caller: Caller) -> JSONValue {
        guard caller.role != .admin, case .object(var members) = organizationJSON() else { return organizationJSON() }
        let own = caller.departmentID
        let scoped: [String: Int] = [
            "departments": own.map { departments[$0] == nil ? 0 : 1 } ?? 0,
            "users": users.values.filter { $0.departmentID != nil && $0.departmentID == own }.count,
            "contacts": own.flatMap { departmentIndex[$0]?.count } ?? 0,
        ]
        for index in members.indices {
            if let count = scoped[members[index].0] { members[index].1 = .integer(Int64(count)) }
        }
        return .object(members)
    }

    /// The organization's settings and counts, whole (the owner's and an admin's view).
    public func organizationJSON() -> JSONValue {
        .object([
            ("id", .integer(Int64(organization.id))),
            ("name", .string(organization.name)),
            ("region", .string(organization.defaultRegion)),
            ("phone_validation", .string(organization.settings.phoneValidation.rawValue)),
            ("max_import_rows", .integer(Int64(organization.settings.maxImportRows))),
            ("max_import_bytes", .integer(Int64(organization.settings.maxImportBytes))),
            ("import_duplicates", .string(organization.settings.importing.duplicates.rawValue)),
            ("import_strictness", .string(organization.settings.importing.strictness.rawValue)),
            ("import_auto_tag", organization.settings.importing.autoTag.map { .string($0) } ?? .null),
            ("departments", .integer(Int64(departments.count))),
            ("users", .integer(Int64(users.count))),
            ("contacts", .integer(Int64(contacts.count))),
            ("created_at", .string(TimestampFormat.iso8601(organization.createdAt))),
        ])
    }
}
