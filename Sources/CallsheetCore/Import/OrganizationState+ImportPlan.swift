import PhoneNumbers

/// Planning an import: checked rows → one outcome per row and the changes that carry them out.
extension OrganizationState {
    /// Checks every record, in parallel chunks over all cores (phone parsing dominates: about
    /// 17 µs a number). Results keep file order.
    /// - Parameters:
    ///   - progress: called after each chunk with the number of records checked so far.
    /// - Returns: nil when the task was cancelled.
    public static func checkRows(
        _ records: [CSVRecord], layout: ImportLayout, phones: PhoneNumberNormalizer,
        progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) async -> [CheckedRow]? {
        let chunkSize = 2048
        let chunkCount = (records.count + chunkSize - 1) / chunkSize
        guard chunkCount > 1 else {
            let rows = records.map { checkRow($0, layout: layout, phones: phones) }
            progress(records.count)
            return rows
        }
        var chunks = [[CheckedRow]](repeating: [], count: chunkCount)
        let width = max(1, activeProcessorCount)
        let completed = await withTaskGroup(of: (Int, [CheckedRow]).self, returning: Bool.self) { group in
            var next = 0
            var done = 0
            func start() {
                let index = next
                next += 1
                let slice = records[index * chunkSize..<min(records.count, (index + 1) * chunkSize)]
                group.addTask { (index, slice.map { checkRow($0, layout: layout, phones: phones) }) }
            }
            while next < min(width, chunkCount) { start() }
            while let (index, rows) = await group.next() {
                chunks[index] = rows
                done += rows.count
                progress(done)
                if Task.isCancelled {
                    group.cancelAll()
                    return false
                }
                if next < chunkCount { start() }
            }
            return true
        }
        return completed ? chunks.flatMap { $0 } : nil
    }

    /// Plans an import of checked rows for `caller`: duplicates within the file and against
    /// existing contacts, the duplicate policy, strictness and auto-tag. Pure: the same state and
    /// rows give the same plan, so validate shows exactly what commit stores.
    /// - Throws: `FORBIDDEN` below manager, or for a department outside the caller's scope.
    /// - Complexity: O(rows), one hash lookup per phone.
    ///
    /// With `checkDuplicates` (the validate step, and a commit when the organization blocks
    /// duplicates), each new contact is checked against the contacts the caller can see, as
    /// `DUP.CHECK` does, for the first ``importDuplicateChecks`` of them: a likely duplicate is a
    /// `LIKELY_DUPLICATE` warning (`DUP.SETTINGS` action `warn`) or rejects the row (`block`).
    public func planImport(
        _ checked: [CheckedRow], layout: ImportLayout, options: ResolvedImportOptions, by caller: Caller, context: PlanningContext,
        checkDuplicates: Bool = false
    ) throws(CallsheetError) -> ImportPlan {
        try caller.require(.manager, for: "IMPORT")
        let department = try targetDepartment(options.department.map { .integer(Int64($0)) }, caller: caller)
        let required = orderedFields.filter { $0.required && !$0.archived && $0.isVisible(to: caller.role) }
        var plan = ImportPlan(options: options)
        plan.rows.reserveCapacity(checked.count)
        plan.changes.reserveCapacity(checked.count)
        var firstLineOfPhone: [String: Int] = [:]
        firstLineOfPhone.reserveCapacity(checked.count)
        var nextID = nextContactID
        let autoTag = options.autoTag.map { [$0] } ?? []
        var duplicateChecks = checkDuplicates && duplicateSettings.action != .off ? Self.importDuplicateChecks : 0

        for entry in checked {
            guard case .valid(let row) = entry else {
                if case .invalid(let line, let issues) = entry { reject(line, issues, into: &plan) }
                continue
            }
            if let first = firstLineOfPhone[row.phone] {
                plan.rows.append(PlannedRow(line: row.line, outcome: .duplicateOfRow(first)))
                plan.skipped += 1
                continue
            }
            firstLineOfPhone[row.phone] = row.line
            if let existingID = phoneIndex[row.phone], let existing = contacts[existingID] {
                let visible = caller.canSee(existing)
                switch options.duplicates {
                case .skip:
                    plan.rows.append(PlannedRow(line: row.line, outcome: .skip(visible ? existingID : nil)))
                    plan.skipped += 1
                case .ask:
                    plan.rows.append(PlannedRow(line: row.line, outcome: .duplicate(visible ? existingID : nil)))
                    plan.needsReview += 1
                case .update:
                    guard visible else {
                        reject(row.line, [ImportIssue(row: row.line, column: layout.mapping.header[layout.phone], code: .duplicatePhone,
                            reason: "phone \(row.phone) already belongs to a contact of another department; it cannot be updated from here")], into: &plan)
                        continue
                    }
                    plan.changes.append(.putContact(merged(existing, with: row, autoTag: autoTag, now: context.now)))
                    plan.rows.append(PlannedRow(line: row.line, outcome: .update(existingID)))
                    plan.updated += 1
                }
                noteWarnings(row, into: &plan)
                continue
            }
            if let missing = required.first(where: { row.customFields[$0.name] == nil }) {
                let column = layout.custom.first { $0.definition.name == missing.name }.map { layout.mapping.header[$0.column] }
                reject(row.line, [ImportIssue(row: row.line, column: column, code: .invalidField,
                    reason: "field '\(missing.name)' (\(missing.label)) is required\(column == nil ? "; no column maps to it" : " and the cell is empty")")], into: &plan)
                continue
            }
            var contact = Contact(
                id: nextID, organizationID: organization.id, departmentID: department, createdByUserID: caller.userID,
                name: row.name, phone: row.phone, email: row.email, company: row.company, tags: canonicalTags(row.tags + autoTag),
                notes: row.notes, customFields: row.customFields, createdAt: context.now, updatedAt: context.now
            )
            contact.phoneExtension = row.phoneExtension
            contact = flaggingDoNotCall(contact, at: context.now)
            if duplicateChecks > 0 {
                duplicateChecks -= 1
                let matches = duplicateCandidates(
                    of: DuplicateProfile(contact, settings: duplicateSettings), excluding: contact.id, for: caller, limit: 3,
                    thorough: false)
                if !matches.isEmpty {
                    let issue = ImportIssue(row: row.line, column: nil, code: .likelyDuplicate, reason: "looks like a duplicate of \(Self.describe(matches))")
                    if duplicateSettings.action == .block {
                        reject(row.line, [issue], into: &plan)
                        continue
                    }
                    plan.issues.append(issue)
                    plan.notes.append(issue)
                    plan.warnings += 1
                }
            }
            plan.changes.append(.putContact(contact))
            plan.rows.append(PlannedRow(line: row.line, outcome: .create(nextID)))
            plan.created += 1
            nextID += 1
            noteWarnings(row, into: &plan)
        }
        if plan.isBlocked { plan.changes = [] }
        return plan
    }

    /// The most new contacts of one import checked for likely duplicates (about a millisecond each
    /// in a large organization).
    public static let importDuplicateChecks = 10_000

    /// `existing` with the row's non-empty cells written over it; tags are added, never removed.
    func merged(_ existing: Contact, with row: ImportRow, autoTag: [String], now: Timestamp) -> Contact {
        var contact = existing
        contact.name = row.name
        if let phoneExtension = row.phoneExtension { contact.phoneExtension = phoneExtension }
        if let email = row.email { contact.email = email }
        if let company = row.company { contact.company = company }
        if let notes = row.notes { contact.notes = notes }
        contact.tags = canonicalTags(existing.tags + row.tags + autoTag)
        for (name, value) in row.customFields { contact.customFields[name] = value }
        contact.updatedAt = now
        return contact
    }

    private func reject(_ line: Int, _ issues: [ImportIssue], into plan: inout ImportPlan) {
        plan.rows.append(PlannedRow(line: line, outcome: .error(issues)))
        plan.issues.append(contentsOf: issues)
        plan.rejected += 1
    }

    private func noteWarnings(_ row: ImportRow, into plan: inout ImportPlan) {
        guard !row.warnings.isEmpty else { return }
        plan.issues.append(contentsOf: row.warnings)
        plan.notes.append(contentsOf: row.warnings)
        plan.warnings += 1
    }
}

#if canImport(Glibc)
import Glibc
private var activeProcessorCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
#elseif canImport(Darwin)
import Darwin
private var activeProcessorCount: Int { Int(sysconf(_SC_NPROCESSORS_ONLN)) }
#else
private var activeProcessorCount: Int { 2 }
#endif
