/// A search as the caller wrote it: quick-search text, filter clauses, order and page.
/// `docs/PROTOCOL.md` ("Searching and filtering") gives the syntax; ``ContactQuery/parse(_:)``
/// reads it and ``OrganizationState/resolve(_:for:)`` checks it against the organization.
public struct ContactQuery: Sendable, Hashable {
    /// Quick-search text; nil for filters alone (written `*`).
    public var text: String?
    public var clauses: [FilterClause] = []
    public var sort: SortOrder?
    public var limit = 50
    public var cursor: String?
    /// Also count every match (costs a full evaluation).
    public var withTotal = false
    /// Saved preset whose text and clauses come first.
    public var preset: String?
    /// `RETURN name,phone,…`: the members each result carries (its id always), as RediSearch's
    /// RETURN, so a result list for a screen does not carry whole contacts. Nil: whole contacts.
    public var projection: [String]?

    public init(text: String? = nil) {
        self.text = text
    }
}

/// One filter condition. All clauses of a query must hold.
public enum FilterClause: Sendable, Hashable {
    case tags(TagMatch, [String])
    case departments([DepartmentID])
    case created(TimeRange)
    case lastCalled(TimeRange)
    case neverCalled
    case outcome([String])
    case totalCalls(ClosedRange<Int>)
    case archived(ArchivedFilter)
    case field(name: String, FieldCondition)
    /// Contacts a dialer may call now: not on the do-not-call list (nor tagged DNC), consent to
    /// calls not withdrawn, not archived.
    case callable
}

/// How a tag clause matches the contact's tags.
public enum TagMatch: String, Sendable, Hashable, CaseIterable {
    /// At least one of the tags.
    case any
    /// Every one of the tags.
    case all
    /// None of the tags ("exclude DNC").
    case none
}

/// A custom field condition, before it is typed by the field's definition.
public enum FieldCondition: Sendable, Hashable {
    case equals(String)
    case notEquals(String)
    case less(String), lessOrEqual(String), greater(String), greaterOrEqual(String)
    case between(String, String)
    case contains(String)
    case oneOf([String])
    case isEmpty
    case isSet
}

/// A time window, either side open. Dates mean whole days (UTC).
public struct TimeRange: Sendable, Hashable {
    public var from: Timestamp?
    /// Exclusive.
    public var until: Timestamp?

    public func contains(_ time: Timestamp) -> Bool {
        (from.map { time >= $0 } ?? true) && (until.map { time < $0 } ?? true)
    }
}

/// Result order. Without one, text searches rank by relevance and filters list in id order.
public struct SortOrder: Sendable, Hashable {
    public enum Key: String, Sendable, Hashable, CaseIterable {
        case name, created, updated, called
    }

    public var key: Key
    public var descending: Bool
}
