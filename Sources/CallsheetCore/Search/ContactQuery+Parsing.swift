extension ContactQuery {
    /// The most filter clauses one search takes: each is tested against every candidate.
    public static let maximumClauses = 64
    /// The longest search text, and its most words (every word is checked on every candidate).
    public static let maximumTextBytes = 256
    public static let maximumWords = 8

    /// Parses `<text|*> [clauses…] [SORT key [ASC|DESC]] [LIMIT n] [CURSOR c] [COUNT] [PRESET name]`.
    /// - Throws: `BAD_REQUEST` naming the word that does not fit and what was expected there.
    public static func parse(_ arguments: [String], requireText: Bool = true) throws(CallsheetError) -> ContactQuery {
        var words = arguments[...]
        var query = ContactQuery()
        if requireText {
            guard let text = words.popFirst() else {
                throw CallsheetError(.wrongArguments, "give the text to search for, or * for filters alone")
            }
            // Each word of the text is checked against the candidates' fields: bound both.
            guard text.utf8.count <= Self.maximumTextBytes else {
                throw CallsheetError(.badRequest, "search text is at most \(Self.maximumTextBytes) bytes, got \(text.utf8.count)")
            }
            guard text.split(whereSeparator: { $0 == " " }).count <= Self.maximumWords else {
                throw CallsheetError(.badRequest, "search text holds at most \(Self.maximumWords) words")
            }
            // `*`, an empty text and a blank one alike search for everything (filters alone).
            let trimmed = text.trimmingSpaces()
            query.text = trimmed == "*" || trimmed.isEmpty ? nil : text
        }
        while let word = words.first {
            switch word.uppercased() {
            case "SORT":
                words = words.dropFirst()
                let keyText = try value(&words, after: "SORT", expected: "name, created, updated or called", orKeyword: true)
                guard let key = SortOrder.Key(rawValue: keyText.lowercased()) else {
                    throw CallsheetError(.badRequest, "SORT by '\(keyText)'? Expected name, created, updated or called")
                }
                var descending = false
                if let direction = words.first?.uppercased(), direction == "ASC" || direction == "DESC" {
                    descending = direction == "DESC"
                    words = words.dropFirst()
                }
                query.sort = SortOrder(key: key, descending: descending)
            case "LIMIT":
                words = words.dropFirst()
                let text = try value(&words, after: "LIMIT", expected: "a number from 1 to 1000")
                guard let limit = Int(text), (1...1000).contains(limit) else {
                    throw CallsheetError(.wrongArguments, "LIMIT must be a whole number from 1 to 1000, got '\(text.prefix(40))'")
                }
                query.limit = limit
            case "CURSOR":
                words = words.dropFirst()
                let text = try value(&words, after: "CURSOR", expected: "the next_cursor of the previous page")
                query.cursor = text == "0" ? nil : text
            case "COUNT":
                words = words.dropFirst()
                query.withTotal = true
            case "RETURN":
                words = words.dropFirst()
                let text = try value(&words, after: "RETURN", expected: "members separated by commas, e.g. name,phone,company")
                let members = text.split(separator: ",").map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
                guard (1...64).contains(members.count) else {
                    throw CallsheetError(.badRequest, "RETURN takes 1 to 64 members separated by commas, e.g. name,phone,company")
                }
                query.projection = members
            case "PRESET":
                words = words.dropFirst()
                query.preset = try value(&words, after: "PRESET", expected: "a preset name")
            default:
                guard query.clauses.count < Self.maximumClauses else {
                    throw CallsheetError(.badRequest, "a search takes at most \(Self.maximumClauses) filters")
                }
                query.clauses.append(try FilterClause.parse(&words))
            }
        }
        return query
    }

    /// The words of the search language, never taken as a value: `OUTCOME COUNT` is an outcome
    /// missing, not an outcome named COUNT.
    static let keywords: Set<String> = [
        "SORT", "LIMIT", "CURSOR", "COUNT", "PRESET", "TAGS", "TAG", "DEPT", "DEPARTMENT", "CREATED", "CALLED",
        "OUTCOME", "CALLS", "ARCHIVED", "FIELD", "DO", "STRICT", "PERMANENT", "CALLABLE", "RETURN",
    ]

    /// - Parameter orKeyword: true where a value may spell a keyword (`SORT created`).
    static func value(_ words: inout ArraySlice<String>, after keyword: String, expected: String, orKeyword: Bool = false) throws(CallsheetError) -> String {
        guard let value = words.first else {
            throw CallsheetError(.badRequest, "\(keyword) needs \(expected)")
        }
        guard orKeyword || !keywords.contains(value.uppercased()) else {
            throw CallsheetError(.badRequest, "\(keyword) needs \(expected), but the next word is the keyword \(value.uppercased())")
        }
        words = words.dropFirst()
        return value
    }
}

extension FilterClause {
    /// The filter keywords, for error messages and help.
    public static let keywords = "TAGS ANY|ALL|NONE <t,…>, DEPT <id,…>, CREATED <range>, CALLED <range>|NEVER, OUTCOME <o,…>, CALLS <n..m>, ARCHIVED yes|no|any, FIELD <name> <op> [value], CALLABLE"

    /// Parses one clause from the front of `words`.
    static func parse(_ words: inout ArraySlice<String>) throws(CallsheetError) -> FilterClause {
        guard let keyword = words.popFirst() else { throw CallsheetError(.badRequest, "expected a filter") }
        func next(_ expected: String) throws(CallsheetError) -> String {
            try ContactQuery.value(&words, after: keyword.uppercased(), expected: expected)
        }
        switch keyword.uppercased() {
        case "TAGS", "TAG":
            var match = TagMatch.any
            if let mode = words.first.flatMap({ TagMatch(rawValue: $0.lowercased()) }) {
                match = mode
                words = words.dropFirst()
            } else if words.count >= 2, let second = words.dropFirst().first, !ContactQuery.keywords.contains(second.uppercased()) {
                // `TAGS <tags>` alone means ANY; a word before the tags must be a mode.
                throw CallsheetError(.badRequest, "TAGS takes ANY, ALL or NONE and then the tags (TAGS ANY VIP,Q4), or the tags alone for ANY; '\(words.first ?? "")' is not a mode")
            }
            let tags = TagKey.splitList(try next("tags separated by commas, e.g. VIP,Q4"))
            guard !tags.isEmpty else { throw CallsheetError(.badRequest, "TAGS needs at least one tag") }
            return .tags(match, tags)
        case "DEPT", "DEPARTMENT":
            let text = try next("department ids separated by commas")
            var ids: [DepartmentID] = []
            for part in text.split(separator: ",") {
                guard let id = DepartmentID(String(part).trimmingSpaces()), id > 0 else {
                    throw CallsheetError(.badRequest, "DEPT expects department ids such as 2 or 2,3; got '\(text)'")
                }
                ids.append(id)
            }
            return .departments(ids)
        case "CREATED":
            return .created(try TimeRange.parse(try next("a date range such as 2025-01-01..2025-06-30"), what: "CREATED"))
        case "CALLED":
            let text = try next("a date range, or NEVER")
            if text.uppercased() == "NEVER" { return .neverCalled }
            return .lastCalled(try TimeRange.parse(text, what: "CALLED"))
        case "OUTCOME":
            let outcomes = try next("call outcomes separated by commas").split(separator: ",").map { String($0).trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
            guard !outcomes.isEmpty else { throw CallsheetError(.badRequest, "OUTCOME needs at least one outcome, e.g. voicemail,no-answer") }
            return .outcome(outcomes)
        case "CALLS":
            let text = try next("a count or range such as 0..3 or 5..")
            let (low, high) = try rangeBounds(text, what: "CALLS")
            guard let lower = low.isEmpty ? 0 : Int(low), let upper = high.isEmpty ? Int.max : Int(high), lower >= 0, lower <= upper else {
                throw CallsheetError(.badRequest, "CALLS expects whole numbers such as 3, 0..3 or 5.., got '\(text)'")
            }
            return .totalCalls(lower...upper)
        case "CALLABLE":
            return .callable
        case "ARCHIVED":
            switch try next("yes, no or any").lowercased() {
            case "yes", "only", "true": return .archived(.archived)
            case "no", "false": return .archived(.active)
            case "any", "all", "include": return .archived(.all)
            case let other: throw CallsheetError(.badRequest, "ARCHIVED expects yes, no or any, got '\(other)'")
            }
        case "FIELD":
            let name = try next("a custom field name")
            let operation = try next("an operator: = != < <= > >= BETWEEN CONTAINS IN EMPTY SET")
            func operand() throws(CallsheetError) -> String { try next("a value after \(operation)") }
            let condition: FieldCondition
            switch operation.uppercased() {
            case "=", "==", "EQ", "IS": condition = .equals(try operand())
            case "!=", "<>", "NE", "NOT": condition = .notEquals(try operand())
            case "<", "LT": condition = .less(try operand())
            case "<=", "LE": condition = .lessOrEqual(try operand())
            case ">", "GT": condition = .greater(try operand())
            case ">=", "GE": condition = .greaterOrEqual(try operand())
            case "BETWEEN":
                let (low, high) = try rangeBounds(try operand(), what: "BETWEEN")
                guard !low.isEmpty, !high.isEmpty else { throw CallsheetError(.badRequest, "BETWEEN expects both ends: low..high") }
                condition = .between(low, high)
            case "CONTAINS", "LIKE": condition = .contains(try operand())
            case "IN": condition = .oneOf(try operand().split(separator: ",").map { String($0).trimmingSpaces() })
            case "EMPTY", "ISEMPTY": condition = .isEmpty
            case "SET", "ISSET": condition = .isSet
            case "TRUE", "FALSE": condition = .equals(operation.lowercased())
            default:
                throw CallsheetError(.badRequest, "FIELD \(name): unknown operator '\(operation)'; expected = != < <= > >= BETWEEN CONTAINS IN EMPTY SET")
            }
            return .field(name: name, condition)
        default:
            throw CallsheetError(.badRequest, "'\(keyword)' is not a filter; filters are \(keywords); then SORT, LIMIT, CURSOR, COUNT, PRESET")
        }
    }

    /// Splits `a..b` (either side may be empty); a single value `a` is `a..a`.
    static func rangeBounds(_ text: String, what: String) throws(CallsheetError) -> (String, String) {
        guard let range = text.range(of: "..") else { return (text, text) }
        return (String(text[..<range.lowerBound]), String(text[range.upperBound...]))
    }
}

extension TimeRange {
    /// `2025-01-01..2025-06-30` (both days included), `2025-01-01..`, `..2025-06-30`, `2025-03-01`,
    /// or ISO times.
    static func parse(_ text: String, what: String) throws(CallsheetError) -> TimeRange {
        let (low, high) = try FilterClause.rangeBounds(text, what: what)
        func time(_ part: String, end: Bool) throws(CallsheetError) -> Timestamp? {
            if part.isEmpty { return nil }
            guard let value = TimestampFormat.parse(part) else {
                throw CallsheetError(.badRequest, "\(what) expects dates written YYYY-MM-DD (or ISO times) around '..', got '\(part)'")
            }
            // A whole day's end is exclusive: the start of the next day.
            return end && part.utf8.count == 10 ? value + 86_400_000 : (end ? value + 1 : value)
        }
        let range = TimeRange(from: try time(low, end: false), until: try time(high, end: true))
        if let from = range.from, let until = range.until, from >= until {
            throw CallsheetError(.badRequest, "\(what) range '\(text)' is empty: its start is after its end")
        }
        return range
    }
}
