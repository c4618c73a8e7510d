/// Planning `CONTACT.BULK`: each item is checked exactly as `CONTACT.ADD` checks it; the good ones
/// are created together in one change set, the others are reported by index.
extension OrganizationState {
    /// The outcome of a bulk create.
    public struct BulkPlan: Sendable {
        public var changes: [Change] = []
        public var createdIDs: [ContactID] = []
        /// Items that were not created: their 0-based index in the array and why.
        public var errors: [(index: Int, error: CallsheetError)] = []
        /// Created items that look like contacts that exist (`DUP.SETTINGS` action `warn`).
        public var duplicates: [(index: Int, matches: [DuplicateMatch])] = []

        public var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("created", .integer(Int64(createdIDs.count))),
                ("ids", .array(createdIDs.map { .integer(Int64($0)) })),
                ("errors", .array(errors.map { item in
                    .object([("index", .integer(Int64(item.index))), ("code", .string(item.error.code.rawValue)), ("message", .string(item.error.message))])
                })),
            ]
            if !duplicates.isEmpty {
                members.append(("duplicates", .array(duplicates.map { item in
                    .object([("index", .integer(Int64(item.index))), ("candidates", .array(item.matches.map(\.json)))])
                })))
            }
            return .object(members)
        }
    }

    /// The most items of one `CONTACT.BULK` checked for likely duplicates.
    public static let bulkDuplicateChecks = 1_000

    /// Plans the creation of every item of `array`.
    /// - Throws: `FORBIDDEN` below manager; `LIMIT` above the organization's import row limit.
    /// - Complexity: O(items); each item costs one `CONTACT.ADD` plan.
    public func planBulk(_ array: JSONValue, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> BulkPlan {
        try caller.require(.manager, for: "CONTACT.BULK")
        guard case .array(let items) = array else {
            throw CallsheetError(.badRequest, "CONTACT.BULK expects a JSON array of contacts")
        }
        guard items.count <= organization.settings.maxImportRows else {
            throw CallsheetError(.limit, "CONTACT.BULK got \(items.count) contacts; this organization allows \(organization.settings.maxImportRows) per call (ORG.SET max_import_rows)")
        }
        var plan = BulkPlan()
        var phonesInBatch: [String: Int] = [:]
        var nextID = nextContactID
        // Checked against the organization as CONTACT.ADD is, for the first items (on the shard).
        var duplicateChecks = duplicateSettings.action == .off ? 0 : Self.bulkDuplicateChecks
        for (index, item) in items.enumerated() {
            do throws(CallsheetError) {
                var contact = try planAdd(item, by: caller, context: context)
                if let earlier = phonesInBatch[contact.phone] {
                    throw CallsheetError(.duplicatePhone, "phone \(contact.phone) is also item \(earlier) of this request")
                }
                phonesInBatch[contact.phone] = index
                if duplicateChecks > 0 {
                    duplicateChecks -= 1
                    let matches = try likelyDuplicates(of: contact, by: caller)
                    if !matches.isEmpty { plan.duplicates.append((index, matches)) }
                }
                contact.id = nextID
                nextID += 1
                plan.changes.append(.putContact(contact))
                plan.createdIDs.append(contact.id)
            } catch {
                plan.errors.append((index, error))
            }
        }
        return plan
    }
}
