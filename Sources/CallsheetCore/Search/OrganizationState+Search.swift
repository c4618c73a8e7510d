import TextIndex

/// A query checked against the organization and ready to run.
public struct ResolvedQuery: Sendable {
    var query: ContactQuery
    var tests: [ContactPredicate]
    var archived: ArchivedFilter
    var caller: Caller
    /// Clauses that can pick a short candidate list (tags, departments).
    var clauses: [FilterClause]

    /// True when the contact passes scope, the archived filter and every clause.
    func accepts(_ contact: Contact) -> Bool {
        caller.canSee(contact) && archived.includes(contact) && tests.allSatisfy { $0.test(contact) }
    }
}

/// One page of results.
public struct SearchPage: Sendable {
    public var contacts: [Contact]
    public var nextCursor: String?
    /// Every match, when the query asked for COUNT.
    public var total: Int?

    public init(contacts: [Contact], nextCursor: String?, total: Int? = nil) {
        self.contacts = contacts
        self.nextCursor = nextCursor
        self.total = total
    }
}

extension OrganizationState {
    /// Merges the query's preset and checks every clause.
    public func resolve(_ query: ContactQuery, for caller: Caller) throws(CallsheetError) -> ResolvedQuery {
        var merged = query
        if let name = query.preset {
            let saved = try ContactQuery.parse(try preset(name, for: caller).arguments)
            if merged.text == nil { merged.text = saved.text }
            merged.clauses = saved.clauses + merged.clauses
            if merged.sort == nil { merged.sort = saved.sort }
            merged.preset = nil
        }
        let (tests, archived) = try predicates(for: merged.clauses, caller: caller)
        return ResolvedQuery(query: merged, tests: tests, archived: archived, caller: caller, clauses: merged.clauses)
    }

    /// Runs a query: ranked quick search, filters in id order, or a sorted listing; then one page.
    /// - Complexity: ranked and id-order pages stop after `limit` matches (plus the candidates they
    ///   reject); SORT and COUNT evaluate every candidate.
    public func search(_ query: ContactQuery, for caller: Caller) throws(CallsheetError) -> SearchPage {
        let resolved = try resolve(query, for: caller)
        let limit = resolved.query.limit
        var page: SearchPage
        if let sort = resolved.query.sort {
            page = try sortedPage(resolved, sort: sort)
        } else if let text = resolved.query.text {
            var after: (Int, UInt32)?
            if let cursor = resolved.query.cursor {
                let parts = cursor.dropFirst().split(separator: "-")
                guard cursor.first == "r", parts.count == 2, let score = Int(parts[0]), let slot = UInt32(parts[1]) else {
                    throw Self.badCursor(cursor)
                }
                after = (score, slot)
            }
            let hits = textIndex.rankedSearch(text, limit: limit + 1, after: after) { id in
                contacts[id].map(resolved.accepts) ?? false
            }
            let shown = hits.prefix(limit)
            page = SearchPage(contacts: shown.compactMap { contacts[$0.id] },
                              nextCursor: hits.count > limit ? shown.last.map { "r\($0.score)-\($0.slot)" } : nil)
        } else {
            var after: ContactID = 0
            if let cursor = resolved.query.cursor {
                guard cursor.first == "i", let id = ContactID(cursor.dropFirst()) else { throw Self.badCursor(cursor) }
                after = id
            }
            var candidates = CandidateStream(lists: candidateLists(resolved), after: after)
            var found: [Contact] = []
            var more = false
            while let id = candidates.next() {
                guard let contact = contacts[id], resolved.accepts(contact) else { continue }
                if found.count == limit { more = true; break }
                found.append(contact)
            }
            page = SearchPage(contacts: found, nextCursor: more ? found.last.map { "i\($0.id)" } : nil)
        }
        if resolved.query.withTotal { page.total = total(resolved) }
        return page
    }

    /// Every match, for bulk edits and exports.
    public func allMatches(_ resolved: ResolvedQuery) -> [Contact] {
        allMatchIDs(resolved).compactMap { contacts[$0] }
    }

    /// The ids of every match: ranked for text, ascending otherwise.
    func allMatchIDs(_ resolved: ResolvedQuery) -> [ContactID] {
        if let text = resolved.query.text {
            return textIndex.rankedSearch(text, limit: .max) { id in contacts[id].map(resolved.accepts) ?? false }.map(\.id)
        }
        var candidates = CandidateStream(lists: candidateLists(resolved), after: 0)
        var found: [ContactID] = []
        while let id = candidates.next() {
            if contacts[id].map(resolved.accepts) == true { found.append(id) }
        }
        return found
    }

    private func total(_ resolved: ResolvedQuery) -> Int {
        if let text = resolved.query.text {
            return textIndex.rankedSearch(text, limit: .max) { id in contacts[id].map(resolved.accepts) ?? false }.count
        }
        var candidates = CandidateStream(lists: candidateLists(resolved), after: 0)
        var count = 0
        while let id = candidates.next() {
            if contacts[id].map(resolved.accepts) == true { count += 1 }
        }
        return count
    }

    /// Sorted id lists whose union holds every match, as short as the clauses allow: one tag's
    /// contacts (TAGS ALL), the tags' lists (TAGS ANY, merged as they are read), one department's,
    /// or everyone's.
    func candidateLists(_ resolved: ResolvedQuery) -> [SortedIDs] {
        var best = [orderedIDs]
        var bestCount = orderedIDs.count
        func consider(_ lists: [SortedIDs]) {
            let count = lists.reduce(0) { $0 + $1.count }
            if count < bestCount { best = lists; bestCount = count }
        }
        if resolved.caller.role != .admin, let own = resolved.caller.departmentID {
            consider([departmentIndex[own] ?? []])
        }
        for clause in resolved.clauses {
            switch clause {
            case .tags(.all, let tags):
                for tag in tags { consider([TagKey(tag).flatMap { tagIndex[$0] } ?? []]) }
            case .tags(.any, let tags):
                consider(tags.compactMap { TagKey($0).flatMap { tagIndex[$0] } })
            case .departments(let ids):
                consider(ids.map { departmentIndex[$0] ?? [] })
            default:
                break
            }
        }
        return best
    }

    private func sortedPage(_ resolved: ResolvedQuery, sort: SortOrder) throws(CallsheetError) -> SearchPage {
        typealias Keyed = (key: SortKeyValue, id: ContactID)
        func before(_ a: Keyed, _ b: Keyed) -> Bool {
            if a.key != b.key { return sort.descending ? a.key > b.key : a.key < b.key }
            return sort.descending ? a.id > b.id : a.id < b.id
        }
        var cursor: Keyed?
        if let text = resolved.query.cursor {
            guard let (key, id) = SortKeyValue.decodeCursor(text, sort.key) else { throw Self.badCursor(text) }
            cursor = (key, id)
        }
        // Keep the page's `limit` first matches after the cursor in a max-heap (the worst on
        // top): O(m log limit) for m matches instead of sorting them all.
        let limit = resolved.query.limit
        var heap: [Keyed] = []
        heap.reserveCapacity(limit + 1)
        var remaining = 0
        for id in allMatchIDs(resolved) {
            guard let contact = contacts[id] else { continue }
            let key: SortKeyValue = sort.key == .name
                ? .text(textIndex.foldedNameBytes(of: id) ?? Array(TextFolding.fold(contact.name).utf8))
                : SortKeyValue(sort.key, contact)
            let element = (key: key, id: id)
            if let cursor, !before(cursor, element) { continue }
            remaining += 1
            if heap.count < limit {
                heap.append(element)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard before(heap[parent], heap[child]) else { break }
                    heap.swapAt(parent, child)
                    child = parent
                }
            } else if let worst = heap.first, before(element, worst) {
                heap[0] = element
                var parent = 0
                while true {
                    let left = 2 * parent + 1, right = left + 1
                    var largest = parent
                    if left < heap.count, before(heap[largest], heap[left]) { largest = left }
                    if right < heap.count, before(heap[largest], heap[right]) { largest = right }
                    if largest == parent { break }
                    heap.swapAt(parent, largest)
                    parent = largest
                }
            }
        }
        heap.sort(by: before)
        let more = remaining > heap.count
        return SearchPage(contacts: heap.compactMap { contacts[$0.id] }, nextCursor: more ? heap.last.map { $0.key.cursor(id: $0.id) } : nil)
    }

    static func badCursor(_ cursor: String) -> CallsheetError {
        CallsheetError(.badRequest, "CURSOR '\(cursor)' is not a next_cursor of this query; start again without CURSOR")
    }

    /// A search page as JSON: `{"contacts":[…],"count":n,"next_cursor":…[,"total":n]}`.
    public func pageJSON(_ page: SearchPage, for role: Role, projection: ContactProjection? = nil) -> [UInt8] {
        var json = JSONWriter(capacity: (projection == nil ? 256 : 96) * max(page.contacts.count, 1))
        json.openObject()
        json.key("contacts", first: true)
        json.openArray()
        for (position, contact) in page.contacts.enumerated() {
            if position > 0 { json.comma() }
            if let projection { writeContact(contact, projection, for: role, into: &json) } else { writeContact(contact, for: role, into: &json) }
        }
        json.closeArray()
        json.key("count")
        json.integer(Int64(page.contacts.count))
        json.key("next_cursor")
        if let cursor = page.nextCursor { json.string(cursor) } else { json.raw("null") }
        if let total = page.total {
            json.key("total")
            json.integer(Int64(total))
        }
        json.closeObject()
        return json.bytes
    }
}

/// Reads the union of a few sorted id lists in ascending order, each id once, starting after an id.
/// - Complexity: O(k) per id for k lists (k is the number of tags in a TAGS ANY clause).
struct CandidateStream {
    private let lists: [SortedIDs]
    private var positions: [SortedIDs.Index]
    private var last: ContactID

    init(lists: [SortedIDs], after: ContactID) {
        self.lists = lists
        positions = lists.map { $0.position(after: after) }
        last = after
    }

    mutating func next() -> ContactID? {
        var smallest: ContactID?
        for index in lists.indices {
            while positions[index] < lists[index].endIndex, lists[index][positions[index]] <= last {
                lists[index].formIndex(after: &positions[index])
            }
            if positions[index] < lists[index].endIndex {
                let candidate = lists[index][positions[index]]
                if smallest.map({ candidate < $0 }) ?? true { smallest = candidate }
            }
        }
        guard let smallest else { return nil }
        last = smallest
        return smallest
    }
}

/// A contact's value for a sort key, comparable, and encodable in a cursor.
enum SortKeyValue: Comparable {
    /// Folded text as UTF-8 bytes, compared bytewise (no allocation per comparison).
    case text([UInt8])
    case time(Int64)

    init(_ key: SortOrder.Key, _ contact: Contact) {
        switch key {
        case .name: self = .text(Array(TextFolding.fold(contact.name).utf8))
        case .created: self = .time(contact.createdAt)
        case .updated: self = .time(contact.updatedAt)
        case .called: self = .time(contact.lastCalledAt ?? .min)
        }
    }

    static func < (lhs: SortKeyValue, rhs: SortKeyValue) -> Bool {
        switch (lhs, rhs) {
        case let (.text(a), .text(b)): a.lexicographicallyPrecedes(b)
        case let (.time(a), .time(b)): a < b
        default: false
        }
    }

    func cursor(id: ContactID) -> String {
        switch self {
        case .text(let bytes): "s" + bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() + "-\(id)"
        case .time(let time): "t\(time)-\(id)"
        }
    }

    static func decodeCursor(_ cursor: String, _ key: SortOrder.Key) -> (SortKeyValue, ContactID)? {
        guard let dash = cursor.lastIndex(of: "-"), let id = ContactID(cursor[cursor.index(after: dash)...]) else { return nil }
        let body = cursor[cursor.index(after: cursor.startIndex)..<dash]
        switch (cursor.first, key) {
        case ("s", .name):
            var bytes: [UInt8] = []
            var index = body.startIndex
            while index < body.endIndex {
                let next = body.index(index, offsetBy: 2, limitedBy: body.endIndex) ?? body.endIndex
                guard let byte = UInt8(body[index..<next], radix: 16) else { return nil }
                bytes.append(byte)
                index = next
            }
            return (.text(bytes), id)
        case ("t", .created), ("t", .updated), ("t", .called):
            guard let time = Int64(body) else { return nil }
            return (.time(time), id)
        default:
            return nil
        }
    }
}
