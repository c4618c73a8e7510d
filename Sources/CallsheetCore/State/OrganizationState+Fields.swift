/// Planning `FIELD.*` commands (admin only).
extension OrganizationState {
    static let fieldInputKeys: Set<String> = ["name", "label", "type", "options", "required", "visible_to"]

    public func field(named name: String) throws(CallsheetError) -> FieldDefinition {
        guard let field = fields[name] else {
            throw CallsheetError(.notFound, "no custom field named '\(name)' (FIELD.LIST shows them)")
        }
        return field
    }

    /// Plans `FIELD.CREATE {"name":…, "label":…, "type":…, "options":[…], "required":…, "visible_to":[…]}`.
    public func planCreateField(_ input: JSONValue, by caller: Caller) throws(CallsheetError) -> FieldDefinition {
        try caller.require(.admin, for: "FIELD.CREATE")
        let members = try Self.objectMembers(input, allowed: Self.fieldInputKeys, what: "field")
        guard case .string(let name)? = members["name"] else { throw CallsheetError(.invalidField, "field definition needs 'name', e.g. \"customer_id\"") }
        try FieldDefinition.validateName(name)
        guard !Self.reservedFieldNames.contains(name) else {
            throw CallsheetError(.invalidField, "'\(name)' is a built-in contact field; give the custom field another name, e.g. '\(name)_2' or 'crm_\(name)'")
        }
        guard fields[name] == nil else { throw CallsheetError(.conflict, "a custom field named '\(name)' already exists") }
        guard case .string(let typeText)? = members["type"] else {
            throw CallsheetError(.invalidField, "field definition needs 'type': one of \(FieldType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let type = try FieldType.parse(typeText)
        var field = FieldDefinition(name: name, label: name, type: type, order: (fields.values.map(\.order).max() ?? 0) + 1)
        try apply(members, to: &field)
        return field
    }

    /// Names a custom field cannot take: the contact's own members and the import's targets, so
    /// that a name means one thing in JSON, filters, mappings and exports.
    static let reservedFieldNames: Set<String> = [
        "id", "organization_id", "department_id", "created_by_user_id", "name", "phone", "email", "company",
        "tags", "notes", "custom_fields", "last_called_at", "last_call_outcome", "total_calls", "created_at",
        "updated_at", "archived_at", "first_name", "last_name", "ignore", "custom",
    ]

    /// Plans `FIELD.UPDATE name {…} [FORCE]` with its consequences for contacts: removing a
    /// dropdown option that contacts hold is refused with their count (`CONFLICT`), unless
    /// `force` clears the option from them in the same change set (one journal record).
    public func planUpdateField(_ name: String, _ input: JSONValue, force: Bool, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> (FieldDefinition, [Change]) {
        let field = try planUpdateField(name, input, by: caller)
        guard field.type == .dropdown else { return (field, [.putField(field)]) }
        let kept = Set(field.options.map { $0.lowercased() })
        var stranded: [Contact] = []
        for contact in contacts.values {
            if case .text(let value)? = contact.customFields[name], !kept.contains(value.lowercased()) { stranded.append(contact) }
        }
        guard !stranded.isEmpty else { return (field, [.putField(field)]) }
        guard force else {
            let values = Set(stranded.compactMap { contact -> String? in
                if case .text(let value)? = contact.customFields[name] { value } else { nil }
            }).sorted().prefix(5)
            throw CallsheetError(.conflict, "\(stranded.count) contact\(stranded.count == 1 ? " holds" : "s hold") an option this removes (\(values.joined(separator: ", "))); keep it, move them to another option first, or add FORCE to clear it from them")
        }
        guard !field.required else {
            throw CallsheetError(.conflict, "field '\(name)' is required: FORCE cannot leave \(stranded.count) contacts without a value; move them to another option first")
        }
        var changes: [Change] = [.putField(field)]
        for var contact in stranded.sorted(by: { $0.id < $1.id }) {
            contact.customFields[name] = nil
            contact.updatedAt = context.now
            changes.append(.putContact(contact))
        }
        return (field, changes)
    }

    /// Plans `FIELD.UPDATE name {…}`: label, options, required, visible_to. The type never changes.
    public func planUpdateField(_ name: String, _ input: JSONValue, by caller: Caller) throws(CallsheetError) -> FieldDefinition {
        try caller.require(.admin, for: "FIELD.UPDATE")
        var field = try field(named: name)
        let members = try Self.objectMembers(input, allowed: Self.fieldInputKeys, what: "field")
        if let newName = members["name"], newName != .string(name) {
            throw CallsheetError(.invalidField, "a field's name is its identifier and cannot change; change its 'label'")
        }
        if let newType = members["type"], newType != .string(field.type.rawValue) {
            throw CallsheetError(.invalidField, "a field's type cannot change; create a new field and delete this one")
        }
        try apply(members, to: &field)
        return field
    }

    private func apply(_ members: [String: JSONValue], to field: inout FieldDefinition) throws(CallsheetError) {
        if let value = members["label"] {
            guard case .string(let label) = value, !label.trimmingSpaces().isEmpty, TextLimit.name.admits(label) else {
                throw CallsheetError(.invalidField, "'label' expects non-blank text of \(TextLimit.name.phrase)")
            }
            field.label = label.trimmingSpaces()
        }
        if let value = members["required"] {
            guard case .bool(let flag) = value else { throw CallsheetError(.invalidField, "'required' expects true or false") }
            field.required = flag
        }
        if let value = members["visible_to"] { field.visibleTo = try Self.roles(value) }
        if let value = members["options"] {
            guard field.type == .dropdown else { throw CallsheetError(.invalidField, "'options' only applies to dropdown fields") }
            guard case .array(let elements) = value else { throw CallsheetError(.invalidField, "'options' expects an array of text") }
            guard elements.count <= Self.maximumOptions else {
                throw CallsheetError(.invalidField, "a dropdown holds at most \(Self.maximumOptions) options, got \(elements.count)")
            }
            var options: [String] = []
            var seen: Set<String> = []
            for element in elements {
                guard case .string(let text) = element, !text.trimmingSpaces().isEmpty, TextLimit.name.admits(text) else {
                    throw CallsheetError(.invalidField, "'options' expects non-blank text values of \(TextLimit.name.phrase)")
                }
                guard seen.insert(text.trimmingSpaces().lowercased()).inserted else {
                    throw CallsheetError(.invalidField, "option '\(text.prefix(80))' is listed twice")
                }
                options.append(text.trimmingSpaces())
            }
            field.options = options
        }
        if field.type == .dropdown, field.options.isEmpty {
            throw CallsheetError(.invalidField, "a dropdown field needs 'options', e.g. [\"Healthcare\", \"Finance\"]")
        }
    }

    /// `["admin","manager","agent"]`, `"all"`, or `"manager+"`.
    static func roles(_ value: JSONValue) throws(CallsheetError) -> Set<Role> {
        switch value {
        case .string(let text):
            switch text.lowercased() {
            case "all": return Set(Role.allCases)
            case "manager+": return [.admin, .manager]
            case "admin", "admin+": return [.admin]
            default: break
            }
        case .array(let elements):
            var roles: Set<Role> = [.admin]
            for element in elements {
                guard case .string(let text) = element else { break }
                roles.insert(try Role.parse(text))
            }
            if elements.allSatisfy({ if case .string = $0 { true } else { false } }) { return roles }
        default: break
        }
        throw CallsheetError(.invalidField, "'visible_to' expects \"all\", \"manager+\" or an array of roles such as [\"manager\", \"agent\"]")
    }

    /// The most options a dropdown field holds.
    static let maximumOptions = 1_000

    /// Plans `FIELD.REORDER a b c`: the named fields first, in that order, then the rest as they were.
    public func planReorderFields(_ names: [String], by caller: Caller) throws(CallsheetError) -> [Change] {
        try caller.require(.admin, for: "FIELD.REORDER")
        for name in names { _ = try field(named: name) }
        guard Set(names).count == names.count else { throw CallsheetError(.badRequest, "a field is named twice") }
        let named = Set(names)
        let rest = orderedFields.map(\.name).filter { !named.contains($0) }
        var changes: [Change] = []
        for (position, name) in (names + rest).enumerated() {
            guard var field = fields[name], field.order != position + 1 else { continue }
            field.order = position + 1
            changes.append(.putField(field))
        }
        return changes
    }

    /// Plans `FIELD.ARCHIVE` / `FIELD.UNARCHIVE`: hidden from everyone, data kept.
    public func planArchiveField(_ name: String, archived: Bool, by caller: Caller) throws(CallsheetError) -> FieldDefinition {
        try caller.require(.admin, for: archived ? "FIELD.ARCHIVE" : "FIELD.UNARCHIVE")
        var field = try field(named: name)
        guard field.archived != archived else {
            throw CallsheetError(.conflict, "field '\(name)' is \(archived ? "already" : "not") archived")
        }
        field.archived = archived
        return field
    }

    /// Plans `FIELD.DELETE`: the definition and its value on every contact go, in one change set.
    public func planDeleteField(_ name: String, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> [Change] {
        try caller.require(.admin, for: "FIELD.DELETE")
        _ = try field(named: name)
        var changes: [Change] = []
        for contact in contacts.values where contact.customFields[name] != nil {
            var updated = contact
            updated.customFields[name] = nil
            updated.updatedAt = context.now
            changes.append(.putContact(updated))
        }
        changes.append(.removeField(name))
        return changes
    }
}
