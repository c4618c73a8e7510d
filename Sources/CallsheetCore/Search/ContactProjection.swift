/// The members a search result carries with `RETURN` (docs/PROTOCOL.md, "Searching and filtering").
public struct ContactProjection: Sendable, Hashable {
    public enum Member: String, Sendable, Hashable, CaseIterable {
        case name, phone, phone_extension, email, company, tags, notes, department_id, last_called_at, last_call_outcome
        case total_calls, created_at, updated_at, archived_at, dnc
    }

    public var members: [Member]
    /// Custom fields by name, in the order asked.
    public var customFields: [String]

    /// Checks `RETURN`'s words against the contact's members and the custom fields `role` may read.
    /// - Throws: `INVALID_FIELD` naming a word that is neither.
    public init(_ words: [String], fields: [String: FieldDefinition], role: Role) throws(CallsheetError) {
        members = []
        customFields = []
        for word in words {
            let lower = word.lowercased()
            if lower == "id" { continue }
            if let member = Member(rawValue: lower) {
                if !members.contains(member) { members.append(member) }
                continue
            }
            let name = lower.hasPrefix("custom:") ? String(word.dropFirst(7)) : word
            guard let field = fields[name], field.isVisible(to: role), !field.archived else {
                throw CallsheetError(.invalidField, "RETURN: '\(word.prefix(64))' is no member (\(Member.allCases.map(\.rawValue).joined(separator: ", "))) and no custom field you can read (FIELD.LIST shows them)")
            }
            if !customFields.contains(name) { customFields.append(name) }
        }
    }
}

extension OrganizationState {
    /// Writes the contact's id and the projection's members, as ``writeContact(_:for:into:)`` spells them.
    public func writeContact(_ contact: Contact, _ projection: ContactProjection, for role: Role, into json: inout JSONWriter) {
        json.openObject()
        json.key("id", first: true); json.integer(Int64(contact.id))
        func text(_ value: String?) { if let value { json.string(value) } else { json.raw("null") } }
        func time(_ value: Timestamp?) { if let value { json.timestamp(value) } else { json.raw("null") } }
        for member in projection.members {
            switch member {
            case .name: json.key("name"); json.string(contact.name)
            case .phone: json.key("phone"); json.string(contact.phone)
            case .phone_extension: json.key("phone_extension"); text(contact.phoneExtension)
            case .email: json.key("email"); text(contact.email)
            case .company: json.key("company"); text(contact.company)
            case .tags: json.key("tags"); json.write(.array(contact.tags.map(JSONValue.string)))
            case .notes: json.key("notes"); text(contact.notes)
            case .department_id: json.key("department_id"); json.integer(Int64(contact.departmentID))
            case .last_called_at: json.key("last_called_at"); time(contact.lastCalledAt)
            case .last_call_outcome: json.key("last_call_outcome"); text(contact.lastCallOutcome)
            case .total_calls: json.key("total_calls"); json.integer(Int64(contact.totalCalls))
            case .created_at: json.key("created_at"); json.timestamp(contact.createdAt)
            case .updated_at: json.key("updated_at"); json.timestamp(contact.updatedAt)
            case .archived_at: json.key("archived_at"); time(contact.archivedAt)
            case .dnc: json.key("dnc"); json.raw(isDoNotCall(contact, at: Self.currentTime()) ? "true" : "false")
            }
        }
        if !projection.customFields.isEmpty {
            json.key("custom_fields"); json.openObject()
            var first = true
            for name in projection.customFields {
                guard let value = contact.customFields[name] else { continue }
                if !first { json.comma() }
                first = false
                json.string(name)
                json.raw(":")
                json.write(value.json)
            }
            json.closeObject()
        }
        json.closeObject()
    }
}
