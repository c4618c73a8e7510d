/// Call history: `CALL.LOG`, `CALL.HISTORY`, `CALL.LIST` (docs/PROTOCOL.md, "Calls").
extension OrganizationState {
    static let callInputKeys: Set<String> = [
        "at", "duration", "outcome", "agent_id", "notes", "recording_url", "direction", "kind", "campaign_id",
    ]

    /// Plans `CALL.LOG`: the call, and the contact's summary fields (last call, outcome, count)
    /// as `CONTACT.LOGCALL` sets them. Agents may log calls of contacts they can read.
    /// - Returns: the changes, the call, the contact after it, and warnings (a call to a
    ///   do-not-call contact is recorded, and said).
    /// `time`, when given, is the call's time (`CONTACT.LOGCALL … AT`), as if `input` said it.
    public func planCall(_ id: ContactID, _ input: JSONValue, at time: Timestamp? = nil, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> (changes: [Change], call: CallRecord, contact: Contact, warnings: [String]) {
        let members = try Self.objectMembers(input, allowed: Self.callInputKeys, what: "call")
        var contact = try visibleContact(id, for: caller)
        if let survivor = contact.mergedInto {
            throw CallsheetError(.conflict, "contact \(id) was merged into \(survivor); log the call on \(survivor)")
        }
        guard id <= CallRecord.maximumContactID else { throw CallsheetError(.limit, "calls are kept for contact ids up to \(CallRecord.maximumContactID)") }
        guard case .string(let outcomeText)? = members["outcome"] else {
            throw CallsheetError(.badRequest, "field 'outcome' is required: completed, no-answer, voicemail, busy …")
        }
        let outcome = outcomeText.trimmingSpaces().lowercased()
        guard !outcome.isEmpty, ContactText.outcomeLimit.admits(outcome) else {
            throw CallsheetError(.badRequest, "a call outcome is 1 to \(ContactText.outcomeLimit.characters) characters (\(ContactText.outcomeLimit.bytes) bytes), e.g. completed, no-answer, voicemail")
        }
        guard calls.admits(outcome: outcome) else {
            throw CallsheetError(.limit, "this organization has \(CallLog.maximumOutcomes) distinct call outcomes; use one of those")
        }
        var at = time ?? context.now
        if let value = members["at"], value != .null {
            guard case .string(let text) = value, let parsed = TimestampFormat.parse(text) else {
                throw CallsheetError(.badRequest, "field 'at' is an ISO 8601 time with its zone, such as 2026-11-24T15:30:00Z")
            }
            at = parsed
        }
        // A call is logged after it happened; a little clock skew between machines is tolerated.
        guard at <= context.now + Self.futureCallTolerance else {
            throw CallsheetError(.badRequest, "AT \(TimestampFormat.iso8601(at)) is in the future; a call is logged once it has happened (times are compared in UTC, with \(Self.futureCallTolerance / 60_000) minutes of tolerance)")
        }
        var duration = 0
        if let value = members["duration"], value != .null {
            guard case .integer(let seconds) = value, (0...Int64(CallRecord.maximumDuration)).contains(seconds) else {
                throw CallsheetError(.badRequest, "field 'duration' is whole seconds from 0 to \(CallRecord.maximumDuration)")
            }
            duration = Int(seconds)
        }
        var agent = caller.userID
        if let value = members["agent_id"], value != .null {
            guard case .integer(let number) = value, number > 0, let user = users[UInt64(number)] else {
                throw CallsheetError(.notFound, "field 'agent_id' names no user of this organization (USER.LIST shows them)")
            }
            guard user.id == caller.userID || caller.role >= .manager else {
                throw CallsheetError(.forbidden, "an agent logs their own calls; leave out agent_id")
            }
            guard caller.role == .admin || user.departmentID == nil || user.departmentID == caller.departmentID else {
                throw CallsheetError(.forbidden, "user \(user.id) works in another department")
            }
            agent = user.id
        }
        guard agent <= UInt64(UInt32.max) else { throw CallsheetError(.limit, "calls are kept for user ids up to \(UInt32.max)") }
        var campaign: CampaignID?
        if let value = members["campaign_id"], value != .null {
            guard case .integer(let number) = value, number > 0, let found = campaigns[UInt64(number)], canSee(found, caller) else {
                throw CallsheetError(.notFound, "field 'campaign_id' names no campaign you can see (CAMPAIGN.LIST shows them)")
            }
            campaign = found.id
        }
        let direction = try Self.choice(members["direction"], field: "direction", among: ["inbound", "outbound"])
        var kind = try Self.choice(members["kind"], field: "kind", among: CallKind.allCases.map(\.rawValue)).flatMap(CallKind.init(rawValue:))
            ?? (direction == "inbound" ? .inbound : campaign != nil ? .campaign : .manual)
        if direction == "inbound", kind != .inbound { kind = .inbound }
        guard direction != "outbound" || kind != .inbound else {
            throw CallsheetError(.badRequest, "an inbound call (kind inbound) cannot be outbound; give one of them")
        }
        guard kind != .campaign || campaign != nil else { throw CallsheetError(.badRequest, "a campaign call needs 'campaign_id'") }
        let notes = try members["notes"].flatMap { value throws(CallsheetError) in try ContactText.optional(value, field: "notes", limit: ContactText.notesLimit) }
        let recording = try members["recording_url"].flatMap { value throws(CallsheetError) in try Self.recordingURL(value) }
        let call = CallRecord(
            id: calls.nextID, contactID: id, at: at, durationSeconds: duration, outcome: outcome, agentID: agent, kind: kind,
            campaignID: campaign, notes: notes, recordingURL: recording)
        guard calls.insertionDepth(of: call) != nil else {
            throw CallsheetError(.badRequest, "contact \(id) has more than \(CallLog.maximumInsertionDepth) calls after \(TimestampFormat.iso8601(at)); a call is logged at most that far back in its history (log old calls oldest first)")
        }
        if contact.lastCalledAt.map({ at >= $0 }) ?? true {
            contact.lastCalledAt = at
            contact.lastCallOutcome = outcome
        }
        contact.totalCalls += 1
        contact.updatedAt = context.now
        var warnings: [String] = []
        if kind != .inbound, let reason = uncallableReason(contact, at: context.now) {
            warnings.append("contact \(id) \(reason); the call is recorded")
        }
        return ([.logCall(call), .setCallFields(CallFields(of: contact))], call, contact, warnings)
    }

    /// A recording link: an http(s) URL of at most 2,048 bytes.
    static func recordingURL(_ value: JSONValue) throws(CallsheetError) -> String? {
        if value == .null { return nil }
        guard case .string(let text) = value, text.utf8.count <= 2_048, text.hasPrefix("https://") || text.hasPrefix("http://"),
              !text.contains(where: { $0.isWhitespace }) else {
            throw CallsheetError(.badRequest, "field 'recording_url' is an http(s) URL of at most 2,048 bytes without spaces")
        }
        return text
    }

    /// One of `choices` (case-insensitive), or nil when absent.
    static func choice(_ value: JSONValue?, field: String, among choices: [String]) throws(CallsheetError) -> String? {
        guard let value, value != .null else { return nil }
        guard case .string(let text) = value, choices.contains(text.lowercased()) else {
            throw CallsheetError(.badRequest, "field '\(field)' is one of \(choices.joined(separator: ", "))")
        }
        return text.lowercased()
    }

    /// Up to `limit` calls of a contact the caller can see, newest first, after the call
    /// `cursor` and not before `since`.
    public func callHistory(_ id: ContactID, cursor: CallID?, limit: Int, since: Timestamp?, for caller: Caller) throws(CallsheetError) -> [UInt8] {
        _ = try visibleContact(id, for: caller)
        let (page, more) = try calls.calls(of: id, after: cursor, since: since, limit: limit)
        var json = JSONWriter(capacity: 64 + page.count * 200)
        json.openObject()
        json.key("contact_id", first: true); json.integer(Int64(id))
        json.key("calls"); writeCalls(page, into: &json)
        json.key("next_cursor")
        if more, let last = page.last { json.string(String(last.id)) } else { json.raw("null") }
        json.closeObject()
        return json.bytes
    }

    /// A filter of `CALL.LIST`.
    public struct CallFilter: Sendable, Hashable {
        public var agent: UserID?
        public var outcomes: Set<String>?
        public var campaign: CampaignID?
        public var kind: CallKind?
        public var department: DepartmentID?
        public var since: Timestamp?
        public var until: Timestamp?
        public init() {}
    }

    /// The calls a `CALL.LIST` visits at most for one page: a filter that matches rarely returns
    /// a partial page with a cursor rather than walking the whole log.
    public static let callListVisitLimit = 2_000_000

    /// `CALL.LIST`: calls newest logged first, matching `filter`, of contacts the caller may see
    /// (admins also see calls whose contact was removed or erased), a page of `limit` after
    /// the call `cursor`.
    /// - Complexity: O(calls visited), at most ``callListVisitLimit`` a page.
    /// - Throws: `UNAVAILABLE` when a cold segment the page reaches cannot be read.
    public func callList(_ filter: CallFilter, cursor: CallID?, limit: Int, for caller: Caller) throws(CallsheetError) -> [UInt8] {
        var page: [CallRecord] = []
        var more = false
        let outcome = filter.outcomes
        // The filter looks at no notes or recording link: a cold call's are read only for the page.
        func matches(_ call: CallRecord) -> Bool {
            if let agent = filter.agent, call.agentID != agent { return false }
            if let outcome, !outcome.contains(call.outcome) { return false }
            if let campaign = filter.campaign, call.campaignID != campaign { return false }
            if let kind = filter.kind, call.kind != kind { return false }
            if let since = filter.since, call.at < since { return false }
            if let until = filter.until, call.at >= until { return false }
            let contact = contacts[call.contactID]
            if let department = filter.department, contact?.departmentID != department { return false }
            return caller.role == .admin || (contact.map(caller.canSee) ?? false)
        }
        let (stoppedAt, exhausted) = try calls.scan(before: cursor, visitLimit: Self.callListVisitLimit, matching: matches) { call in
            if page.count == limit {
                more = true
                return false
            }
            page.append(call)
            return true
        }
        var json = JSONWriter(capacity: 64 + page.count * 200)
        json.openObject()
        json.key("calls", first: true); writeCalls(page, into: &json)
        json.key("next_cursor")
        // A page cut by the limit continues after its last call; one cut by the visit limit, where the visit stopped.
        if more, let last = page.last { json.string(String(last.id)) } else if !exhausted, let stoppedAt { json.string(String(stoppedAt)) } else { json.raw("null") }
        json.closeObject()
        return json.bytes
    }

    public func writeCalls(_ page: [CallRecord], into json: inout JSONWriter) {
        json.openArray()
        for (position, call) in page.enumerated() {
            if position > 0 { json.comma() }
            writeCall(call, into: &json)
        }
        json.closeArray()
    }

    public func writeCall(_ call: CallRecord, into json: inout JSONWriter) {
        json.openObject()
        json.key("id", first: true); json.integer(Int64(call.id))
        json.key("contact_id")
        if call.erased { json.raw("null") } else { json.integer(Int64(call.contactID)) }
        if !call.erased, !contacts.contains(call.contactID) { json.key("contact_removed"); json.raw("true") }
        json.key("at"); json.timestamp(call.at)
        json.key("duration"); json.integer(Int64(call.durationSeconds))
        json.key("outcome"); json.string(call.outcome)
        json.key("agent_id"); json.integer(Int64(call.agentID))
        json.key("agent")
        if let user = users[call.agentID] { json.string(user.name) } else { json.raw("null") }
        json.key("direction"); json.string(call.kind.direction)
        json.key("kind"); json.string(call.kind.rawValue)
        json.key("campaign_id")
        if let campaign = call.campaignID { json.integer(Int64(campaign)) } else { json.raw("null") }
        json.key("notes")
        if let notes = call.notes { json.string(notes) } else { json.raw("null") }
        json.key("recording_url")
        if let url = call.recordingURL { json.string(url) } else { json.raw("null") }
        if call.erased { json.key("erased"); json.raw("true") }
        json.closeObject()
    }

    /// `CONTACT.GET <id> WITH CALLS n`: the contact with its latest `limit` calls.
    public func contactWithCallsJSON(_ contact: Contact, calls limit: Int, for caller: Caller) throws(CallsheetError) -> [UInt8] {
        var bytes = contactJSON(contact, for: caller.role)
        let (page, more) = try calls.calls(of: contact.id, after: nil, since: nil, limit: limit)
        var json = JSONWriter(capacity: 64 + page.count * 200)
        json.key("calls"); writeCalls(page, into: &json)
        json.key("more_calls"); json.raw(more ? "true" : "false")
        // The contact's object is open again for the calls: drop its closing brace.
        bytes.removeLast()
        bytes += json.bytes
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
