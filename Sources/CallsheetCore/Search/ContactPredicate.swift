import TextIndex

/// A filter checked against the organization: field names exist and are visible, values have the
/// field's type. Evaluating it is a closure call per candidate.
struct ContactPredicate: @unchecked Sendable {
    // Unchecked: the closure captures only immutable values (parsed bounds, folded strings).
    let test: (Contact) -> Bool
}

extension OrganizationState {
    /// Checks each clause against the organization and the caller, returning predicates.
    /// - Throws: `INVALID_FIELD` for unknown or hidden fields and wrong value types, `BAD_REQUEST` otherwise.
    func predicates(for clauses: [FilterClause], caller: Caller) throws(CallsheetError) -> (tests: [ContactPredicate], archived: ArchivedFilter) {
        var tests: [ContactPredicate] = []
        var archived = ArchivedFilter.active
        for clause in clauses {
            switch clause {
            case .tags(let match, let tags):
                // Membership in the tags' sorted id lists: O(log n) per tag, no allocation per
                // contact (folding each contact's tags per test cost microseconds).
                let keys = Set(tags.compactMap(TagKey.init))
                let lists = keys.map { tagIndex[$0] ?? [] }
                tests.append(ContactPredicate { contact in
                    switch match {
                    case .any: return lists.contains { $0.contains(contact.id) }
                    case .all: return lists.allSatisfy { $0.contains(contact.id) }
                    case .none: return !lists.contains { $0.contains(contact.id) }
                    }
                })
            case .departments(let ids):
                if caller.role != .admin, ids.contains(where: { $0 != caller.departmentID }) {
                    throw CallsheetError(.forbidden, "a manager filters only their own department (\(caller.departmentID.map(String.init) ?? "none"))")
                }
                for id in ids where departments[id] == nil {
                    throw CallsheetError(.notFound, "no department with id \(id) (DEPT.LIST shows them)")
                }
                let set = Set(ids)
                tests.append(ContactPredicate { set.contains($0.departmentID) })
            case .created(let range):
                tests.append(ContactPredicate { range.contains($0.createdAt) })
            case .lastCalled(let range):
                tests.append(ContactPredicate { $0.lastCalledAt.map(range.contains) ?? false })
            case .neverCalled:
                tests.append(ContactPredicate { $0.lastCalledAt == nil })
            case .outcome(let outcomes):
                let set = Set(outcomes)
                tests.append(ContactPredicate { $0.lastCallOutcome.map(set.contains) ?? false })
            case .totalCalls(let range):
                tests.append(ContactPredicate { range.contains($0.totalCalls) })
            case .callable:
                let now = Self.currentTime()
                let tagged = tagIndex[Self.doNotCallKey] ?? []
                let list = doNotCall, consents = self.consents
                tests.append(ContactPredicate { contact in
                    !contact.isArchived && !tagged.contains(contact.id) && consents[contact.id]?.withdrawsCalls != true
                        && (list.count == 0 || list.match(phone: contact.phone, contact: contact.id, at: now) == nil)
                })
            case .archived(let filter):
                archived = filter
            case .field(let name, let condition):
                tests.append(try fieldPredicate(name, condition, caller: caller))
            }
        }
        return (tests, archived)
    }

    private func fieldPredicate(_ name: String, _ condition: FieldCondition, caller: Caller) throws(CallsheetError) -> ContactPredicate {
        guard let field = fields[name], field.isVisible(to: caller.role) || (caller.role == .admin && !field.archived) else {
            let known = orderedFields.filter { $0.isVisible(to: caller.role) }.map(\.name)
            throw CallsheetError(.invalidField, "FIELD: unknown custom field '\(name)'; defined: \(known.isEmpty ? "none" : known.joined(separator: ", "))")
        }
        switch condition {
        case .isEmpty: return ContactPredicate { $0.customFields[name] == nil }
        case .isSet: return ContactPredicate { $0.customFields[name] != nil }
        default: break
        }
        func refuse(_ what: String) -> CallsheetError {
            CallsheetError(.invalidField, "FIELD \(name) (\(field.type.rawValue)): \(what)")
        }
        switch field.type {
        case .text, .longText, .dropdown:
            func check(_ text: String) throws(CallsheetError) -> String {
                guard field.type == .dropdown else { return TextFolding.fold(text) }
                guard let option = field.options.first(where: { $0.lowercased() == text.lowercased() }) else {
                    throw refuse("'\(text)' is not an option; options: \(field.options.joined(separator: ", "))")
                }
                return TextFolding.fold(option)
            }
            func folded(_ contact: Contact) -> String? {
                if case .text(let value)? = contact.customFields[name] { return TextFolding.fold(value) }
                return nil
            }
            switch condition {
            case .equals(let value):
                let wanted = try check(value)
                return ContactPredicate { folded($0) == wanted }
            case .notEquals(let value):
                let wanted = try check(value)
                return ContactPredicate { folded($0) != wanted }
            case .oneOf(let values):
                var wanted: Set<String> = []
                for value in values { wanted.insert(try check(value)) }
                return ContactPredicate { folded($0).map(wanted.contains) ?? false }
            case .contains(let value) where field.type != .dropdown:
                let wanted = TextFolding.fold(value)
                return ContactPredicate { folded($0)?.contains(wanted) ?? false }
            default:
                throw refuse("compare text with = != IN \(field.type == .dropdown ? "" : "CONTAINS ")EMPTY SET")
            }
        case .integer, .decimal, .date:
            let isDate = field.type == .date
            func bound(_ text: String) throws(CallsheetError) -> Double {
                if isDate {
                    guard TimestampFormat.isCalendarDate(text), let time = TimestampFormat.parse(text) else {
                        throw refuse("'\(text)' is not a date written YYYY-MM-DD")
                    }
                    return Double(time)
                }
                guard let number = Double(text), number.isFinite else { throw refuse("'\(text)' is not a number") }
                return number
            }
            func number(_ contact: Contact) -> Double? {
                switch contact.customFields[name] {
                case .integer(let value)?: Double(value)
                case .decimal(let value)?: value.doubleValue
                case .date(let text)?: TimestampFormat.parse(text).map(Double.init)
                default: nil
                }
            }
            switch condition {
            case .equals(let text): let value = try bound(text); return ContactPredicate { number($0) == value }
            case .notEquals(let text): let value = try bound(text); return ContactPredicate { number($0) != value }
            case .less(let text): let value = try bound(text); return ContactPredicate { number($0).map { $0 < value } ?? false }
            case .lessOrEqual(let text): let value = try bound(text); return ContactPredicate { number($0).map { $0 <= value } ?? false }
            case .greater(let text): let value = try bound(text); return ContactPredicate { number($0).map { $0 > value } ?? false }
            case .greaterOrEqual(let text): let value = try bound(text); return ContactPredicate { number($0).map { $0 >= value } ?? false }
            case .between(let low, let high):
                let lower = try bound(low), upper = try bound(high)
                guard lower <= upper else { throw refuse("BETWEEN \(low)..\(high) is empty") }
                return ContactPredicate { number($0).map { (lower...upper).contains($0) } ?? false }
            case .oneOf(let values):
                var wanted: Set<Double> = []
                for value in values { wanted.insert(try bound(value)) }
                return ContactPredicate { number($0).map(wanted.contains) ?? false }
            default:
                throw refuse("compare \(isDate ? "dates" : "numbers") with = != < <= > >= BETWEEN IN EMPTY SET")
            }
        case .checkbox:
            switch condition {
            case .equals(let text), .notEquals(let text):
                let flag: Bool
                switch text.lowercased() {
                case "true", "yes", "1": flag = true
                case "false", "no", "0": flag = false
                default: throw refuse("expects true or false, got '\(text)'")
                }
                let negate: Bool = if case .notEquals = condition { true } else { false }
                return ContactPredicate { contact in
                    let value: Bool = if case .checkbox(let stored)? = contact.customFields[name] { stored } else { false }
                    return (value == flag) != negate
                }
            default:
                throw refuse("compare a checkbox with = true, = false, EMPTY or SET")
            }
        }
    }
}
