/// What an import will do (validate) or did (commit), row by row, and the changes that do it.
///
/// Commit journals ``changes`` as one change set, so the import is there whole or not at all.
public struct ImportPlan: Sendable {
    /// One entry per data row, in file order.
    public var rows: [PlannedRow] = []
    /// The changes to journal; empty when a strict import is rejected or an `ask` import has duplicates.
    public var changes: [Change] = []
    /// Every problem and warning, in row order.
    public var issues: [ImportIssue] = []
    /// The warnings alone: notes on rows that were imported anyway, and on the file.
    public var notes: [ImportIssue] = []
    public var created = 0
    public var updated = 0
    public var skipped = 0
    public var rejected = 0
    /// Rows whose phone belongs to an existing contact, under the `ask` policy.
    public var needsReview = 0
    /// Rows imported with a note (a repaired spreadsheet cell).
    public var warnings = 0
    public var options: ResolvedImportOptions

    public init(options: ResolvedImportOptions) {
        self.options = options
    }

    /// True when nothing may be stored: strict with errors, or `ask` with duplicates.
    public var isBlocked: Bool { (options.strictness == .strict && rejected > 0) || needsReview > 0 }

    /// A summary of the counts as JSON.
    public var summaryJSON: [(String, JSONValue)] {
        [
            ("rows", .integer(Int64(rows.count))),
            ("created", .integer(Int64(created))),
            ("updated", .integer(Int64(updated))),
            ("skipped", .integer(Int64(skipped))),
            ("rejected", .integer(Int64(rejected))),
            ("needs_review", .integer(Int64(needsReview))),
            ("warnings", .integer(Int64(warnings))),
        ]
    }
}

/// The outcome of one row.
public struct PlannedRow: Sendable, Hashable {
    public var line: Int
    public var outcome: RowOutcome

    public init(line: Int, outcome: RowOutcome) {
        self.line = line
        self.outcome = outcome
    }

    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("row", .integer(Int64(line)))]
        switch outcome {
        case .create(let id):
            members.append(("outcome", .string("create")))
            members.append(("contact_id", .integer(Int64(id))))
        case .update(let id):
            members.append(("outcome", .string("update")))
            members.append(("contact_id", .integer(Int64(id))))
        case .skip(let id):
            members.append(("outcome", .string("skip")))
            members.append(("duplicate_of_contact", id.map { .integer(Int64($0)) } ?? .string("another department")))
        case .duplicate(let id):
            members.append(("outcome", .string("duplicate")))
            members.append(("duplicate_of_contact", id.map { .integer(Int64($0)) } ?? .string("another department")))
        case .duplicateOfRow(let line):
            members.append(("outcome", .string("skip")))
            members.append(("duplicate_of_row", .integer(Int64(line))))
        case .error(let issues):
            members.append(("outcome", .string("error")))
            members.append(("errors", .array(issues.map(\.json))))
        }
        return .object(members)
    }
}

/// What happens to one row.
public enum RowOutcome: Sendable, Hashable {
    /// A new contact, with the id it gets (or would get).
    case create(ContactID)
    /// The existing contact with this phone is overwritten with the row's non-empty cells.
    case update(ContactID)
    /// The phone belongs to this contact (nil: one of a department the caller cannot see); kept as is.
    case skip(ContactID?)
    /// Under `ask`: the phone belongs to this contact; stored only after review.
    case duplicate(ContactID?)
    /// An earlier row of the file, on this line, has the same phone; this one is skipped.
    case duplicateOfRow(Int)
    /// The row cannot be imported.
    case error([ImportIssue])
}
