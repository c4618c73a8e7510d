import PhoneNumbers

/// Checking the rows of an import on their own (no duplicates yet): every cell against the same
/// rules `CONTACT.ADD` applies, with the column named in each problem. Pure and `Sendable`, so rows
/// are checked in parallel chunks.
extension OrganizationState {
    /// A mapping resolved against this organization: column indexes and field definitions.
    public struct ImportLayout: Sendable {
        let mapping: ColumnMapping
        let name: Int?
        let firstName: Int?
        let lastName: Int?
        let phone: Int
        let email: Int?
        let company: Int?
        let tags: Int?
        let notes: Int?
        let custom: [(column: Int, definition: FieldDefinition)]
        let region: String
        let validation: PhoneValidation
    }

    /// Resolves `mapping` for `caller`.
    /// - Throws: `BAD_REQUEST` without a name or phone column; `INVALID_FIELD` for a custom field
    ///   that does not exist or that the caller may not write.
    public func importLayout(_ mapping: ColumnMapping, for caller: Caller) throws(CallsheetError) -> ImportLayout {
        try mapping.requireEssentials()
        var custom: [(Int, FieldDefinition)] = []
        for (index, target) in mapping.targets.enumerated() {
            guard case .custom(let name) = target else { continue }
            guard let definition = fields[name] ?? fields.values.first(where: { $0.label.lowercased() == name.lowercased() }),
                  !definition.archived, definition.isVisible(to: caller.role) || caller.role == .admin else {
                let known = orderedFields.filter { !$0.archived && $0.isVisible(to: caller.role) }.map(\.name)
                throw CallsheetError(.invalidField, "column '\(mapping.header[index])' maps to unknown custom field '\(name)'; defined: \(known.isEmpty ? "none (FIELD.CREATE makes one)" : known.joined(separator: ", ")), or MAP it to ignore")
            }
            custom.append((index, definition))
        }
        return ImportLayout(
            mapping: mapping, name: mapping.column(for: .name), firstName: mapping.column(for: .firstName),
            lastName: mapping.column(for: .lastName), phone: mapping.column(for: .phone) ?? 0, email: mapping.column(for: .email),
            company: mapping.column(for: .company), tags: mapping.column(for: .tags), notes: mapping.column(for: .notes),
            custom: custom, region: organization.defaultRegion, validation: organization.settings.phoneValidation
        )
    }

    /// Checks one record: its column count, then every mapped cell. Collects every problem of the row.
    public static func checkRow(_ record: CSVRecord, layout: ImportLayout, phones: PhoneNumberNormalizer) -> CheckedRow {
        let header = layout.mapping.header
        let line = record.line
        guard record.fields.count == header.count else {
            let count = record.fields.count
            return .invalid(line: line, issues: [ImportIssue(row: line, column: nil, code: .columnCount,
                reason: "expected \(header.count) columns, found \(count): \(count > header.count ? "an unquoted comma inside a value? quote it" : "a missing comma or a cut-off line?")")])
        }
        var issues: [ImportIssue] = []
        var warnings: [ImportIssue] = []
        func cell(_ index: Int?) -> String? {
            guard let index else { return nil }
            var raw = record.fields[index]
            // An export's neutralised cell (`'=…`, `'+1555…`): the quote is not part of the value.
            if raw.utf8.first == UInt8(ascii: "'"), ExportValue.isFormulaLike(String(raw.dropFirst())) { raw = String(raw.dropFirst()) }
            // Most cells start and end with a visible ASCII character: skip the Unicode trim.
            if let first = raw.utf8.first, let last = raw.utf8.last, (0x21..<0x7F).contains(first), (0x21..<0x7F).contains(last) { return raw }
            let text = raw.trimmingSpaces()
            return text.isEmpty ? nil : text
        }
        func issue(_ index: Int?, _ code: ImportIssue.Code, _ reason: String) {
            issues.append(ImportIssue(row: line, column: index.map { header[$0] }, code: code, reason: reason))
        }

        var name = ""
        let joined = layout.name != nil ? cell(layout.name) : [cell(layout.firstName), cell(layout.lastName)].compactMap { $0 }.joined(separator: " ")
        let nameColumn = layout.name ?? layout.firstName ?? layout.lastName
        if let text = joined, !text.isEmpty {
            do { name = try ContactText.name(.string(text)) } catch { issue(nameColumn, .invalidField, error.message) }
        } else {
            issue(nameColumn, .missingName, "the name is empty; every contact needs one")
        }

        var phone = ""
        var phoneExtension: String?
        if var text = cell(layout.phone) {
            switch SpreadsheetDamage.inspect(text) {
            case .scientific:
                issue(layout.phone, .spreadsheetDamage, "'\(text)' is in scientific notation: the spreadsheet stored the phone as a number and dropped digits; format the column as Text and enter the numbers again")
                text = ""
            case .trailingZero(let repaired):
                warnings.append(ImportIssue(row: line, column: header[layout.phone], code: .spreadsheetDamage, reason: "'\(text)' read as '\(repaired)': the spreadsheet added '.0' to a phone stored as a number"))
                text = repaired
            case nil:
                break
            }
            if !text.isEmpty {
                do {
                    let number = try phones.parse(text, defaultRegion: layout.region, validation: layout.validation)
                    phone = number.e164
                    phoneExtension = number.phoneExtension
                    if let vanity = OrganizationState.vanityWarning(text, read: number) {
                        warnings.append(ImportIssue(row: line, column: header[layout.phone], code: .vanityNumber, reason: vanity))
                    }
                } catch {
                    if let fixed = SpreadsheetDamage.lostPrefix(text, region: layout.region, phones: phones, validation: layout.validation) {
                        issue(layout.phone, .spreadsheetDamage, "'\(text)' is not a valid number, but '\(fixed)' is: the spreadsheet probably dropped the leading '\(fixed.dropLast(text.count))'; format the column as Text")
                    } else {
                        issue(layout.phone, .invalidPhone, error.message)
                    }
                }
            }
        } else {
            issue(layout.phone, .missingPhone, "the phone is empty; every contact needs one")
        }

        var row = ImportRow(line: line, name: name, phone: phone)
        row.phoneExtension = phoneExtension
        if let text = cell(layout.email) {
            do { row.email = try ContactText.email(.string(text)) } catch { issue(layout.email, .invalidEmail, error.message) }
        }
        if let text = cell(layout.company) {
            do { row.company = try ContactText.optional(.string(text), field: "company", limit: ContactText.companyLimit) } catch { issue(layout.company, .invalidField, error.message) }
        }
        if let text = cell(layout.notes) {
            do { row.notes = try ContactText.optional(.string(text), field: "notes", limit: ContactText.notesLimit) } catch { issue(layout.notes, .invalidField, error.message) }
        }
        if let text = cell(layout.tags) {
            do { row.tags = try ContactText.tags(.string(text)) } catch { issue(layout.tags, .invalidField, error.message) }
        }
        for (column, definition) in layout.custom {
            guard let text = cell(column) else { continue }
            do { row.customFields[definition.name] = try definition.validate(.string(text)) } catch { issue(column, .invalidField, error.message) }
        }
        guard issues.isEmpty else { return .invalid(line: line, issues: issues + warnings) }
        row.warnings = warnings
        return .valid(row)
    }
}
