/// What an export writes: its format, its columns, and which contacts (docs/PROTOCOL.md, "Export").
public enum ExportFormat: String, Sendable, Hashable, CaseIterable {
    case csv
    case xlsx
    case vcard

    public var fileExtension: String { self == .vcard ? "vcf" : rawValue }
}

/// One column of a CSV or xlsx export, in the seed's words: name, phone, email, company, tags,
/// custom field values, date added, last call date and outcome, notes (and a few more on request).
public enum ExportColumn: Sendable, Hashable {
    case id, name, phone, phoneExtension, email, company, tags, notes, department
    case createdAt, updatedAt, lastCalledAt, lastCallOutcome, totalCalls, archivedAt, dnc
    case custom(String)

    /// The column's header: words the import maps back to the same field.
    public func header(fields: [String: FieldDefinition]) -> String {
        switch self {
        case .id: "ID"
        case .name: "Name"
        case .phone: "Phone"
        case .phoneExtension: "Extension"
        case .email: "Email"
        case .company: "Company"
        case .tags: "Tags"
        case .notes: "Notes"
        case .department: "Department"
        case .createdAt: "Date Added"
        case .updatedAt: "Updated"
        case .lastCalledAt: "Last Call Date"
        case .lastCallOutcome: "Last Call Outcome"
        case .totalCalls: "Total Calls"
        case .archivedAt: "Archived"
        case .dnc: "DNC"
        case .custom(let name): fields[name]?.label ?? name
        }
    }

    /// `COLUMNS` words: `name`, `phone`, … or `custom:<field>` (or a field's name alone).
    public static func parse(_ word: String) -> ExportColumn? {
        let lower = word.lowercased()
        switch lower {
        case "id": return .id
        case "name": return .name
        case "phone": return .phone
        case "extension", "phone_extension": return .phoneExtension
        case "email": return .email
        case "company": return .company
        case "tags": return .tags
        case "notes": return .notes
        case "department", "department_id": return .department
        case "created", "created_at", "date_added": return .createdAt
        case "updated", "updated_at": return .updatedAt
        case "last_called", "last_called_at", "last_call_date": return .lastCalledAt
        case "last_call_outcome", "outcome": return .lastCallOutcome
        case "total_calls", "calls": return .totalCalls
        case "archived", "archived_at": return .archivedAt
        case "dnc": return .dnc
        default:
            let name = lower.hasPrefix("custom:") ? String(word.dropFirst(7)) : word
            return name.isEmpty ? nil : .custom(name)
        }
    }

    /// The seed's columns, custom fields (those the role may read, in display order) after tags.
    public static func defaults(fields: [FieldDefinition]) -> [ExportColumn] {
        [.name, .phone, .email, .company, .tags] + fields.map { .custom($0.name) } + [.createdAt, .lastCalledAt, .lastCallOutcome, .notes]
    }

    /// True for the columns holding a date and time (xlsx writes them as dates).
    public var isTime: Bool {
        switch self {
        case .createdAt, .updatedAt, .lastCalledAt, .archivedAt: true
        default: false
        }
    }

    public var isNumber: Bool {
        switch self {
        case .totalCalls: true
        default: false
        }
    }
}

/// A typed cell value, before a format writes it.
public enum ExportValue: Sendable, Hashable {
    case empty
    case text(String)
    /// Written as text whatever it looks like (a phone number, an id): never a number or a formula.
    case literal(String)
    case number(Int64)
    case decimal(String)
    case time(Timestamp)
    case date(String)
    case bool(Bool)
}

/// An export's plan: the columns checked against the organization and the caller's role.
public struct ExportLayout: Sendable {
    public var format: ExportFormat
    public var columns: [ExportColumn]
    public var headers: [String]

    /// Checks `requested` (nil: the defaults) against the fields the caller's role may read.
    /// - Throws: `INVALID_FIELD` naming a column that is no field or one the role cannot read.
    public init(format: ExportFormat, requested: [String]?, state: OrganizationState, role: Role) throws(CallsheetError) {
        self.format = format
        let visible = state.fieldOrder.filter { $0.isVisible(to: role) && !$0.archived }
        if let requested {
            var columns: [ExportColumn] = []
            for word in requested {
                guard let column = ExportColumn.parse(word) else { throw CallsheetError(.badRequest, "COLUMNS: empty column name") }
                if case .custom(let name) = column, !visible.contains(where: { $0.name == name }) {
                    throw CallsheetError(.invalidField, "COLUMNS: '\(word.prefix(64))' is no column (id, name, phone, extension, email, company, tags, notes, department, created_at, updated_at, last_called_at, last_call_outcome, total_calls, archived_at, dnc) and no custom field you can read (FIELD.LIST shows them)")
                }
                if !columns.contains(column) { columns.append(column) }
            }
            guard !columns.isEmpty else { throw CallsheetError(.badRequest, "COLUMNS needs at least one column") }
            self.columns = columns
        } else {
            columns = ExportColumn.defaults(fields: visible)
        }
        headers = columns.map { $0.header(fields: state.fields) }
    }

    /// True when a column says whether the contact is on the do-not-call list (the check costs).
    public var needsDoNotCall: Bool { columns.contains(.dnc) }

    /// The cells of one contact, in column order.
    public func values(_ contact: Contact, state: OrganizationState, dnc: Bool) -> [ExportValue] {
        columns.map { column in
            switch column {
            case .id: .literal(String(contact.id))
            case .name: .text(contact.name)
            case .phone: .literal(contact.phone)
            case .phoneExtension: contact.phoneExtension.map(ExportValue.literal) ?? .empty
            case .email: contact.email.map(ExportValue.text) ?? .empty
            case .company: contact.company.map(ExportValue.text) ?? .empty
            case .tags: contact.tags.isEmpty ? .empty : .text(contact.tags.joined(separator: ", "))
            case .notes: contact.notes.map(ExportValue.text) ?? .empty
            case .department: .text(state.departments[contact.departmentID]?.name ?? String(contact.departmentID))
            case .createdAt: .time(contact.createdAt)
            case .updatedAt: .time(contact.updatedAt)
            case .lastCalledAt: contact.lastCalledAt.map(ExportValue.time) ?? .empty
            case .lastCallOutcome: contact.lastCallOutcome.map(ExportValue.text) ?? .empty
            case .totalCalls: .number(Int64(contact.totalCalls))
            case .archivedAt: contact.archivedAt.map(ExportValue.time) ?? .empty
            case .dnc: .bool(dnc)
            case .custom(let name):
                switch contact.customFields[name] {
                case nil: .empty
                case .text(let text)?: .text(text)
                case .integer(let number)?: .number(number)
                case .decimal(let number)?: .decimal(number.description)
                case .date(let text)?: .date(text)
                case .checkbox(let flag)?: .bool(flag)
                }
            }
        }
    }
}

extension ExportValue {
    /// The cell as text (CSV; vCard's `X-` properties).
    public var text: String {
        switch self {
        case .empty: ""
        case .text(let text), .literal(let text), .decimal(let text), .date(let text): text
        case .number(let number): String(number)
        case .time(let time): TimestampFormat.iso8601(time)
        case .bool(let flag): flag ? "yes" : "no"
        }
    }

    /// True when a spreadsheet would read the text as a formula: it begins with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return (OWASP, "CSV Injection").
    public static func isFormulaLike(_ text: String) -> Bool {
        guard let first = text.utf8.first else { return false }
        return first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: "@")
            || first == 0x09 || first == 0x0D
    }

    /// `text` made inert for a spreadsheet: a leading `'` before formula-like text (the import
    /// takes it off again, so an export imports back unchanged).
    public static func neutralized(_ text: String) -> String {
        isFormulaLike(text) ? "'" + text : text
    }
}
