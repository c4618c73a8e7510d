import PhoneNumbers

/// Binary encoding of the model for journal records and snapshots (docs/STORAGE.md, "Record payloads").
/// Version 1. Decoding validates every enum tag and length.
public enum RecordCodec {
    /// The version a change set is written with: 1 unless it holds a change version 1 lacks.
    public static let changeSetVersion: UInt8 = 1
    /// Version 2 adds change tag 12 (set call fields). A set holding none is still written as
    /// version 1, so that releases before it read every record they could always read.
    public static let fieldChangeSetVersion: UInt8 = 2
    /// Version 3 adds change tags 14–17 (duplicate settings, ignored pairs, undo entries) and
    /// contact patch field 14 (merged into). A set holding none is written as version 1 or 2.
    public static let undoChangeSetVersion: UInt8 = 3
    /// The largest count or setting a record may hold (2^53): call totals, import limits, field order.
    /// Larger values cannot come from the commands, and would overflow the arithmetic done on them.
    static let maximumSetting = 1 << 53

    // MARK: Change sets (journal records)

    public static func encode(_ set: ChangeSet) -> [UInt8] {
        encode(set, limit: .max) ?? []
    }

    /// Encodes `set` unless its encoding would exceed `limit` bytes: then stops as soon as it
    /// does and returns nil, having held at most `limit` bytes and one change.
    public static func encode(_ set: ChangeSet, limit: Int) -> [UInt8]? {
        var writer = BinaryWriter(capacity: min(64 + set.changes.count * 160, 1 << 24))
        writer.byte(set.changes.reduce(changeSetVersion) { max($0, $1.requiredVersion) })
        writer.varint(set.organizationID)
        writer.varint(set.changes.count)
        for change in set.changes {
            encode(change, into: &writer)
            if writer.bytes.count > limit { return nil }
        }
        return writer.bytes
    }

    public static func decodeChangeSet(_ bytes: [UInt8]) throws(CallsheetError) -> ChangeSet {
        var reader = BinaryReader(bytes)
        let version = try reader.byte()
        guard (changeSetVersion...coldChangeSetVersion).contains(version) else {
            throw reader.corrupt("change set written by a newer release of Callsheet (change set version \(version); this build reads \(changeSetVersion)–\(coldChangeSetVersion))")
        }
        let organization = try reader.id()
        // Every change is a tag byte and at least one more.
        let count = try reader.count(minimumBytes: 2)
        var changes: [Change] = []
        changes.reserveCapacity(count)
        for _ in 0..<count {
            let start = reader.offset
            let change = try decodeChange(&reader)
            if change.requiredVersion > version { throw reader.corrupt("a change of version \(change.requiredVersion) (tag 12 or above) in a version \(version) change set", at: start) }
            changes.append(change)
        }
        guard reader.isAtEnd else { throw reader.corrupt("trailing bytes") }
        return ChangeSet(organizationID: organization, changes: changes)
    }

    static func encode(_ change: Change, into writer: inout BinaryWriter) {
        switch change {
        case .putOrganization(let value): writer.byte(1); encode(value, into: &writer)
        case .putDepartment(let value): writer.byte(2); encode(value, into: &writer)
        case .removeDepartment(let id): writer.byte(3); writer.varint(id)
        case .putUser(let value): writer.byte(4); encode(value, into: &writer)
        case .removeUser(let id): writer.byte(5); writer.varint(id)
        case .putField(let value): writer.byte(6); encode(value, into: &writer)
        case .removeField(let name): writer.byte(7); writer.string(name)
        case .putContact(let value): writer.byte(8); encode(value, into: &writer)
        case .removeContact(let id): writer.byte(9); writer.varint(id)
        case .putPreset(let value): writer.byte(10); encode(value, into: &writer)
        case .removePreset(let user, let name): writer.byte(11); writer.varint(user); writer.string(name)
        case .patchContact(let patch):
            writer.byte(13)
            encode(patch, into: &writer)
        case .setCallFields(let fields):
            writer.byte(12)
            writer.varint(fields.contactID)
            writer.optionalSigned(fields.lastCalledAt)
            writer.optionalString(fields.lastCallOutcome)
            writer.varint(fields.totalCalls)
            writer.signed(fields.updatedAt)
        case .putDuplicateSettings(let settings):
            writer.byte(14)
            encode(settings, into: &writer)
        case .setIgnoredPair(let pair, let ignored):
            writer.byte(15)
            writer.varint(pair.low)
            writer.varint(pair.high)
            writer.bool(ignored)
        case .putUndo(let entry):
            writer.byte(16)
            encode(entry, into: &writer)
        case .removeUndo(let id):
            writer.byte(17)
            writer.varint(id)
        default:
            encodeCompliance(change, into: &writer)
        }
    }

    static func decodeChange(_ reader: inout BinaryReader) throws(CallsheetError) -> Change {
        switch try reader.byte() {
        case 1: return .putOrganization(try decodeOrganization(&reader))
        case 2: return .putDepartment(try decodeDepartment(&reader))
        case 3: return .removeDepartment(try reader.id())
        case 4: return .putUser(try decodeUser(&reader))
        case 5: return .removeUser(try reader.id())
        case 6: return .putField(try decodeField(&reader))
        case 7: return .removeField(try reader.string())
        case 8: return .putContact(try decodeContact(&reader))
        case 9: return .removeContact(try reader.id())
        case 10: return .putPreset(try decodePreset(&reader))
        case 11: return .removePreset(userID: try reader.id(), name: try reader.string())
        case 12:
            return .setCallFields(CallFields(
                contactID: try reader.id(), lastCalledAt: try reader.optionalTimestamp(), lastCallOutcome: try reader.optionalString(),
                totalCalls: try reader.int(atMost: Self.maximumSetting), updatedAt: try reader.timestamp()))
        case 13: return .patchContact(try decodePatch(&reader))
        case 14: return .putDuplicateSettings(try decodeDuplicateSettings(&reader))
        case 15:
            let start = reader.offset
            let low = try reader.id(), high = try reader.id()
            guard low < high else { throw reader.corrupt("an ignored pair of contacts \(low) and \(high) (the smaller id comes first)", at: start) }
            return .setIgnoredPair(ContactPair(low, high), ignored: try reader.bool())
        case 16: return .putUndo(try decodeUndoEntry(&reader))
        case 17: return .removeUndo(try reader.id())
        case let tag: return try decodeCompliance(tag: tag, &reader)
        }
    }

    // MARK: Records

    static func encode(_ value: Organization, into writer: inout BinaryWriter) {
        writer.varint(value.id)
        writer.string(value.name)
        writer.string(value.defaultRegion)
        writer.byte(value.settings.phoneValidation == .valid ? 0 : 1)
        writer.varint(value.settings.maxImportRows)
        writer.varint(value.settings.maxImportBytes)
        writer.byte(UInt8(DuplicatePolicy.allCases.firstIndex(of: value.settings.importing.duplicates) ?? 0))
        writer.byte(UInt8(ImportStrictness.allCases.firstIndex(of: value.settings.importing.strictness) ?? 0))
        writer.optionalString(value.settings.importing.autoTag)
        writer.signed(value.createdAt)
    }

    static func decodeOrganization(_ reader: inout BinaryReader) throws(CallsheetError) -> Organization {
        let id = try reader.id()
        let name = try reader.string()
        let region = try reader.string()
        var settings = OrganizationSettings()
        settings.phoneValidation = try reader.byte() == 0 ? .valid : .possible
        settings.maxImportRows = try reader.int(atMost: Self.maximumSetting)
        settings.maxImportBytes = try reader.int(atMost: Self.maximumSetting)
        let duplicates = Int(try reader.byte())
        let strictness = Int(try reader.byte())
        guard duplicates < DuplicatePolicy.allCases.count, strictness < ImportStrictness.allCases.count else {
            throw reader.corrupt("unknown import setting")
        }
        settings.importing = ImportSettings(
            duplicates: DuplicatePolicy.allCases[duplicates], strictness: ImportStrictness.allCases[strictness], autoTag: try reader.optionalString())
        return Organization(id: id, name: name, defaultRegion: region, settings: settings, createdAt: try reader.timestamp())
    }

    static func encode(_ value: Department, into writer: inout BinaryWriter) {
        writer.varint(value.id)
        writer.string(value.name)
    }

    static func decodeDepartment(_ reader: inout BinaryReader) throws(CallsheetError) -> Department {
        Department(id: try reader.id(), name: try reader.string())
    }

    static let roles: [Role] = [.admin, .manager, .agent]

    static func encode(_ value: User, into writer: inout BinaryWriter) {
        writer.varint(value.id)
        writer.string(value.name)
        writer.byte(UInt8(roles.firstIndex(of: value.role) ?? 2))
        writer.varint(value.departmentID ?? 0)
        writer.data(value.secret.salt)
        writer.data(value.secret.digest)
        writer.signed(value.createdAt)
    }

    static func decodeUser(_ reader: inout BinaryReader) throws(CallsheetError) -> User {
        let id = try reader.id()
        let name = try reader.string()
        let roleIndex = Int(try reader.byte())
        guard roleIndex < roles.count else { throw reader.corrupt("unknown role \(roleIndex)") }
        let department = try reader.id()
        let secret = SecretHash(salt: try reader.data(), digest: try reader.data())
        return User(id: id, name: name, role: roles[roleIndex], departmentID: department == 0 ? nil : department, secret: secret, createdAt: try reader.timestamp())
    }

    static func encode(_ value: Preset, into writer: inout BinaryWriter) {
        writer.varint(value.userID)
        writer.string(value.name)
        writer.varint(value.arguments.count)
        for argument in value.arguments { writer.string(argument) }
        writer.signed(value.createdAt)
    }

    static func decodePreset(_ reader: inout BinaryReader) throws(CallsheetError) -> Preset {
        let user = try reader.id()
        let name = try reader.string()
        let count = try reader.count()
        var arguments: [String] = []
        for _ in 0..<count { arguments.append(try reader.string()) }
        return Preset(userID: user, name: name, arguments: arguments, createdAt: try reader.timestamp())
    }

    static let fieldTypes: [FieldType] = [.text, .longText, .integer, .decimal, .date, .dropdown, .checkbox]

    static func encode(_ value: FieldDefinition, into writer: inout BinaryWriter) {
        writer.string(value.name)
        writer.string(value.label)
        writer.byte(UInt8(fieldTypes.firstIndex(of: value.type) ?? 0))
        writer.varint(value.options.count)
        for option in value.options { writer.string(option) }
        writer.bool(value.required)
        var mask: UInt8 = 0
        for (bit, role) in roles.enumerated() where value.visibleTo.contains(role) { mask |= 1 << UInt8(bit) }
        writer.byte(mask)
        writer.signed(Int64(value.order))
        writer.bool(value.archived)
    }

    static func decodeField(_ reader: inout BinaryReader) throws(CallsheetError) -> FieldDefinition {
        let name = try reader.string()
        let label = try reader.string()
        let typeIndex = Int(try reader.byte())
        guard typeIndex < fieldTypes.count else { throw reader.corrupt("unknown field type \(typeIndex)") }
        let optionCount = try reader.count()
        var options: [String] = []
        for _ in 0..<optionCount { options.append(try reader.string()) }
        let required = try reader.bool()
        let mask = try reader.byte()
        let visible = Set(roles.enumerated().filter { mask & (1 << UInt8($0.offset)) != 0 }.map(\.element))
        let orderStart = reader.offset
        let order = try reader.signed()
        guard (-Int64(Self.maximumSetting)...Int64(Self.maximumSetting)).contains(order) else { throw reader.corrupt("field order \(order) out of range", at: orderStart) }
        return FieldDefinition(name: name, label: label, type: fieldTypes[typeIndex], options: options, required: required, visibleTo: visible, order: Int(order), archived: try reader.bool())
    }

    static func encode(_ value: Contact, into writer: inout BinaryWriter) {
        writer.varint(value.id)
        writer.varint(value.organizationID)
        writer.varint(value.departmentID)
        writer.varint(value.createdByUserID)
        writer.string(value.name)
        writer.string(value.phone)
        writer.optionalString(value.email)
        writer.optionalString(value.company)
        writer.varint(value.tags.count)
        for tag in value.tags { writer.string(tag) }
        writer.optionalString(value.notes)
        // The phone's extension travels as an entry of the custom fields under a name no field
        // can take (field names start with a-z), so records keep format version 1.
        var entries = value.customFields.sorted(by: { $0.key < $1.key })
        if let phoneExtension = value.phoneExtension { entries.insert((Self.phoneExtensionEntry, .text(phoneExtension)), at: 0) }
        if let survivor = value.mergedInto { entries.insert((Self.mergedIntoEntry, .integer(Int64(truncatingIfNeeded: survivor))), at: 0) }
        writer.varint(entries.count)
        for (name, fieldValue) in entries {
            writer.string(name)
            encode(fieldValue, into: &writer)
        }
        writer.optionalSigned(value.lastCalledAt)
        writer.optionalString(value.lastCallOutcome)
        writer.varint(value.totalCalls)
        writer.signed(value.createdAt)
        writer.signed(value.updatedAt)
        writer.optionalSigned(value.archivedAt)
    }

    static func decodeContact(_ reader: inout BinaryReader) throws(CallsheetError) -> Contact {
        let start = reader.offset
        let id = try reader.id()
        // Ids are handed out from 1; the indexes use 0 for "no contact" (found by scripts/fuzz codec).
        guard id != 0 else { throw reader.corrupt("contact id 0", at: start) }
        let organization = try reader.id()
        let department = try reader.id()
        let createdBy = try reader.id()
        let name = try reader.string()
        let phone = try reader.string()
        let email = try reader.optionalString()
        let company = try reader.optionalString()
        let tagCount = try reader.count()
        var tags: [String] = []
        for _ in 0..<tagCount { tags.append(try reader.string()) }
        let notes = try reader.optionalString()
        let fieldCount = try reader.count(minimumBytes: 2)
        var fields: [String: FieldValue] = [:]
        for _ in 0..<fieldCount {
            let fieldName = try reader.string()
            fields[fieldName] = try decodeFieldValue(&reader)
        }
        var phoneExtension: String?
        if case .text(let digits)? = fields.removeValue(forKey: Self.phoneExtensionEntry) { phoneExtension = digits }
        var mergedInto: ContactID?
        if let entry = fields.removeValue(forKey: Self.mergedIntoEntry) {
            guard case .integer(let survivor) = entry, survivor > 0, UInt64(survivor) != id else { throw reader.corrupt("contact \(id) merged into an impossible contact", at: start) }
            mergedInto = UInt64(survivor)
        }
        var contact = Contact(
            id: id, organizationID: organization, departmentID: department, createdByUserID: createdBy, name: name, phone: phone,
            email: email, company: company, tags: tags, notes: notes, customFields: fields,
            lastCalledAt: try reader.optionalTimestamp(), lastCallOutcome: try reader.optionalString(),
            totalCalls: try reader.int(atMost: Self.maximumSetting),
            createdAt: try reader.timestamp(), updatedAt: try reader.timestamp(), archivedAt: try reader.optionalTimestamp()
        )
        contact.phoneExtension = phoneExtension
        contact.mergedInto = mergedInto
        return contact
    }

    static func encode(_ value: FieldValue, into writer: inout BinaryWriter) {
        switch value {
        case .text(let text): writer.byte(0); writer.string(text)
        case .integer(let number): writer.byte(1); writer.signed(number)
        case .decimal(let number): writer.byte(5); writer.string(number.description)
        case .date(let text): writer.byte(3); writer.string(text)
        case .checkbox(let flag): writer.byte(4); writer.bool(flag)
        }
    }

    static func decodeFieldValue(_ reader: inout BinaryReader) throws(CallsheetError) -> FieldValue {
        switch try reader.byte() {
        case 0: return .text(try reader.string())
        case 1: return .integer(try reader.signed())
        case 2:
            // Written before decimals were exact: the shortest decimal of the stored double.
            let number = try reader.double()
            guard let decimal = DecimalNumber(number) else { throw reader.corrupt("decimal value \(number) is not finite") }
            return .decimal(decimal)
        case 5:
            let text = try reader.string()
            guard let decimal = DecimalNumber(text) else { throw reader.corrupt("'\(text.prefix(60))' is not a decimal") }
            return .decimal(decimal)
        case 3: return .date(try reader.string())
        case 4: return .checkbox(try reader.bool())
        case let tag: throw reader.corrupt("unknown field value tag \(tag)")
        }
    }

    /// A contact patch: `varint` contact id, `timestamp` updated at, `varint` field count, then
    /// per field a code byte and its value (docs/STORAGE.md, change tag 13).
    static func encode(_ patch: ContactPatch, into writer: inout BinaryWriter) {
        writer.varint(patch.contactID)
        writer.signed(patch.updatedAt)
        writer.varint(patch.fields.count)
        for field in patch.fields {
            switch field {
            case .department(let id): writer.byte(1); writer.varint(id)
            case .name(let name): writer.byte(2); writer.string(name)
            case .phone(let phone): writer.byte(3); writer.string(phone)
            case .phoneExtension(let digits): writer.byte(4); writer.optionalString(digits)
            case .email(let email): writer.byte(5); writer.optionalString(email)
            case .company(let company): writer.byte(6); writer.optionalString(company)
            case .tags(let tags):
                writer.byte(7)
                writer.varint(tags.count)
                for tag in tags { writer.string(tag) }
            case .notes(let notes): writer.byte(8); writer.optionalString(notes)
            case .customField(let name, let value):
                writer.byte(9)
                writer.string(name)
                writer.bool(value != nil)
                if let value { encode(value, into: &writer) }
            case .lastCalledAt(let time): writer.byte(10); writer.optionalSigned(time)
            case .lastCallOutcome(let outcome): writer.byte(11); writer.optionalString(outcome)
            case .totalCalls(let count): writer.byte(12); writer.varint(count)
            case .archivedAt(let time): writer.byte(13); writer.optionalSigned(time)
            case .mergedInto(let id): writer.byte(14); writer.varint(id ?? 0)
            }
        }
    }

    static func decodePatch(_ reader: inout BinaryReader) throws(CallsheetError) -> ContactPatch {
        let id = try reader.id()
        let updatedAt = try reader.timestamp()
        // Every field is a code byte and at least one more.
        let count = try reader.count(minimumBytes: 2)
        var fields: [ContactPatch.Field] = []
        fields.reserveCapacity(count)
        for _ in 0..<count {
            switch try reader.byte() {
            case 1: fields.append(.department(try reader.id()))
            case 2: fields.append(.name(try reader.string()))
            case 3: fields.append(.phone(try reader.string()))
            case 4: fields.append(.phoneExtension(try reader.optionalString()))
            case 5: fields.append(.email(try reader.optionalString()))
            case 6: fields.append(.company(try reader.optionalString()))
            case 7:
                var tags: [String] = []
                for _ in 0..<(try reader.count()) { tags.append(try reader.string()) }
                fields.append(.tags(tags))
            case 8: fields.append(.notes(try reader.optionalString()))
            case 9:
                let name = try reader.string()
                fields.append(.customField(name, try reader.bool() ? try decodeFieldValue(&reader) : nil))
            case 10: fields.append(.lastCalledAt(try reader.optionalTimestamp()))
            case 11: fields.append(.lastCallOutcome(try reader.optionalString()))
            case 12: fields.append(.totalCalls(try reader.int(atMost: Self.maximumSetting)))
            case 13: fields.append(.archivedAt(try reader.optionalTimestamp()))
            case 14:
                let id = try reader.id()
                fields.append(.mergedInto(id == 0 ? nil : id))
            case let code: throw reader.corrupt("unknown contact patch field \(code)")
            }
        }
        return ContactPatch(contactID: id, updatedAt: updatedAt, fields: fields)
    }

    /// The custom-field entry name that carries a contact's phone extension in records and
    /// snapshots (docs/STORAGE.md): `#` can start no field name, and readers before it skip it.
    static let phoneExtensionEntry = "#phone_extension"
    /// ``Contact/mergedInto`` travels as an entry of the custom fields too (an integer).
    static let mergedIntoEntry = "#merged_into"
}

extension Change {
    /// True for the changes change set version 1 has no tag for.
    /// The oldest change set version that has this change's tag (and, for a patch, its fields).
    var requiredVersion: UInt8 {
        switch self {
        case .setCallFields: RecordCodec.fieldChangeSetVersion
        case .patchContact(let patch):
            patch.fields.contains { if case .mergedInto = $0 { true } else { false } } ? RecordCodec.undoChangeSetVersion : RecordCodec.fieldChangeSetVersion
        case .putContact(let contact): contact.mergedInto == nil ? RecordCodec.changeSetVersion : RecordCodec.undoChangeSetVersion
        case .putDuplicateSettings, .setIgnoredPair, .putUndo, .removeUndo: RecordCodec.undoChangeSetVersion
        case .putOrganization, .putDepartment, .removeDepartment, .putUser, .removeUser, .putField, .removeField, .removeContact,
             .putPreset, .removePreset: RecordCodec.changeSetVersion
        case .freezeCalls, .replaceColdSegment, .restoreCallLog: RecordCodec.coldChangeSetVersion
        case .putRetention(let settings) where settings.coldCallDays != nil: RecordCodec.coldChangeSetVersion
        default: RecordCodec.complianceChangeSetVersion
        }
    }
}
