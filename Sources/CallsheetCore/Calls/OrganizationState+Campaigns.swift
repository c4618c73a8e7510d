/// Campaigns and protected contacts: `CAMPAIGN.*`, `CONTACT.PROTECT` (docs/PROTOCOL.md, "Campaigns").
extension OrganizationState {
    /// Admins see every campaign; others their department's and the organization-wide ones
    /// (whose members they see only in their department).
    func canSee(_ campaign: Campaign, _ caller: Caller) -> Bool {
        caller.role == .admin || campaign.departmentID == nil || campaign.departmentID == caller.departmentID
    }

    /// Managers run their department's campaigns; organization-wide ones are the admins'.
    func checkCanRun(_ campaign: Campaign, _ caller: Caller, command: String) throws(CallsheetError) {
        try caller.require(.manager, for: command)
        guard caller.role == .admin || (campaign.departmentID != nil && campaign.departmentID == caller.departmentID) else {
            throw CallsheetError(.forbidden, "campaign \(campaign.id) '\(campaign.name)' is \(campaign.departmentID == nil ? "the organization's (admins run it)" : "another department's")")
        }
    }

    /// The campaign `text` names: its id, or its name (case-insensitive).
    public func campaign(named text: String, for caller: Caller) throws(CallsheetError) -> Campaign {
        if let id = CampaignID(text), let campaign = campaigns[id], canSee(campaign, caller) { return campaign }
        let lower = text.lowercased()
        if let campaign = campaigns.values.filter({ $0.name.lowercased() == lower && canSee($0, caller) }).min(by: { $0.id < $1.id }) { return campaign }
        throw CallsheetError(.notFound, "no campaign '\(text.prefix(80))' (CAMPAIGN.LIST shows them)")
    }

    /// Plans `CAMPAIGN.CREATE`.
    public func planCampaignCreate(_ name: String, department: DepartmentID?, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> Campaign {
        try caller.require(.manager, for: "CAMPAIGN.CREATE")
        let trimmed = name.trimmingSpaces()
        guard !trimmed.isEmpty, TextLimit.name.admits(trimmed), CampaignID(trimmed) == nil else {
            throw CallsheetError(.badRequest, "a campaign name is 1–\(TextLimit.name.characters) characters and not a number (numbers name campaigns by id)")
        }
        // An admin's campaign without DEPT is the organization's.
        var owner = department
        if caller.role != .admin {
            guard let own = caller.departmentID, department == nil || department == own else {
                throw CallsheetError(.forbidden, "a manager creates campaigns of their own department")
            }
            owner = own
        }
        if let owner, departments[owner] == nil { throw CallsheetError(.notFound, "no department with id \(owner) (DEPT.LIST shows them)") }
        if campaigns.values.contains(where: { $0.name.lowercased() == trimmed.lowercased() && $0.status != .ended }) {
            throw CallsheetError(.conflict, "a campaign named '\(trimmed)' exists; end it or choose another name")
        }
        guard nextCampaignID <= CampaignID(UInt32.max) else { throw CallsheetError(.limit, "this organization has made \(UInt32.max) campaigns") }
        return Campaign(id: nextCampaignID, name: trimmed, departmentID: owner, status: .draft, createdAt: context.now, createdBy: caller.userID, updatedAt: context.now)
    }

    /// Plans `CAMPAIGN.ADD`: the selected contacts the caller may see and the campaign may hold
    /// (its department's), except those that may not be called now (reported, not added).
    public func planCampaignAdd(_ campaign: Campaign, _ selection: BulkSelection, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> (change: Change?, added: Int, skipped: [(ContactID, String)]) {
        try checkCanRun(campaign, caller, command: "CAMPAIGN.ADD")
        guard campaign.status != .ended else { throw CallsheetError(.conflict, "campaign \(campaign.id) has ended; create another") }
        let (selected, refused) = try select(selection, by: caller)
        var skipped = refused
        var add: [ContactID] = []
        let members = campaignMembers[campaign.id]
        for contact in selected {
            if let department = campaign.departmentID, contact.departmentID != department {
                skipped.append((contact.id, "belongs to another department than the campaign's"))
            } else if let reason = uncallableReason(contact, at: context.now) {
                skipped.append((contact.id, reason))
            } else if members?.contains(contact.id) != true {
                add.append(contact.id)
            }
        }
        guard (members?.count ?? 0) + add.count <= Self.maximumCampaignMembers else {
            throw CallsheetError(.limit, "a campaign holds at most \(Self.maximumCampaignMembers) contacts")
        }
        return (add.isEmpty ? nil : .changeCampaignMembers(campaign.id, add: add, remove: []), add.count, skipped)
    }

    public static let maximumCampaignMembers = 5_000_000

    /// Plans `CAMPAIGN.REMOVE`: the selected contacts leave the campaign.
    public func planCampaignRemove(_ campaign: Campaign, _ selection: BulkSelection, by caller: Caller) throws(CallsheetError) -> (change: Change?, removed: Int) {
        try checkCanRun(campaign, caller, command: "CAMPAIGN.REMOVE")
        let members = campaignMembers[campaign.id]
        let remove: [ContactID]
        switch selection {
        case .ids(let ids):
            // Ids leave even when the contact is gone (removed for good while the campaign was not running).
            remove = Array(Set(ids)).sorted().filter { id in members?.contains(id) == true && (contacts[id].map(caller.canSee) ?? (caller.role == .admin)) }
        case .query:
            remove = try select(selection, by: caller).0.map(\.id).filter { members?.contains($0) == true }
        }
        return (remove.isEmpty ? nil : .changeCampaignMembers(campaign.id, add: [], remove: remove), remove.count)
    }

    /// Plans `CAMPAIGN.START`, `PAUSE`, `END`.
    public func planCampaignStatus(_ campaign: Campaign, to status: Campaign.Status, by caller: Caller, context: PlanningContext) throws(CallsheetError) -> Campaign {
        try checkCanRun(campaign, caller, command: "CAMPAIGN.\(status == .active ? "START" : status == .paused ? "PAUSE" : "END")")
        let allowed: [Campaign.Status: Set<Campaign.Status>] = [.active: [.draft, .paused], .paused: [.active], .ended: [.draft, .active, .paused]]
        guard allowed[status]?.contains(campaign.status) == true else {
            throw CallsheetError(.conflict, "campaign \(campaign.id) is \(campaign.status.rawValue); it cannot become \(status.rawValue)")
        }
        var changed = campaign
        changed.status = status
        changed.updatedAt = context.now
        return changed
    }

    public func writeCampaign(_ campaign: Campaign, for caller: Caller, at now: Timestamp, into json: inout JSONWriter, counts: Bool) {
        json.openObject()
        json.key("id", first: true); json.integer(Int64(campaign.id))
        json.key("name"); json.string(campaign.name)
        json.key("department_id"); if let department = campaign.departmentID { json.integer(Int64(department)) } else { json.raw("null") }
        json.key("status"); json.string(campaign.status.rawValue)
        json.key("created_at"); json.timestamp(campaign.createdAt)
        json.key("updated_at"); json.timestamp(campaign.updatedAt)
        if counts {
            var members = 0, callable = 0
            for id in campaignMembers[campaign.id] ?? [] {
                guard let contact = contacts[id], caller.canSee(contact) else { continue }
                members += 1
                if isCallable(contact, at: now) { callable += 1 }
            }
            json.key("members"); json.integer(Int64(members))
            json.key("callable"); json.integer(Int64(callable))
        }
        json.closeObject()
    }

    /// `CAMPAIGN.LIST`: the campaigns the caller can see, with member counts.
    public func campaignListJSON(for caller: Caller, at now: Timestamp) -> [UInt8] {
        var json = JSONWriter(capacity: 256)
        json.openArray()
        for (position, campaign) in campaigns.values.filter({ canSee($0, caller) }).sorted(by: { $0.id < $1.id }).enumerated() {
            if position > 0 { json.comma() }
            writeCampaign(campaign, for: caller, at: now, into: &json, counts: true)
        }
        json.closeArray()
        return json.bytes
    }

    /// `CAMPAIGN.MEMBERS`: the campaign's contacts the caller can see in id order after
    /// `cursor`; with `callable`, only those a dialer may call now (checked at read time:
    /// a number listed after it joined is left out).
    public func campaignMembersJSON(_ campaign: Campaign, callable: Bool, after cursor: ContactID?, limit: Int, for caller: Caller, at now: Timestamp) -> [UInt8] {
        var page: [Contact] = []
        var more = false
        let members = campaignMembers[campaign.id] ?? SortedIDs()
        for id in cursor.map({ members.ids(after: $0) }) ?? members[...] {
            guard let contact = contacts[id], caller.canSee(contact) else { continue }
            if callable, !isCallable(contact, at: now) { continue }
            if page.count == limit { more = true; break }
            page.append(contact)
        }
        var json = JSONWriter(capacity: 128 + page.count * 600)
        json.openObject()
        json.key("campaign", first: true); writeCampaign(campaign, for: caller, at: now, into: &json, counts: false)
        json.key("contacts"); json.openArray()
        for (position, contact) in page.enumerated() {
            if position > 0 { json.comma() }
            writeContact(contact, for: caller.role, into: &json)
        }
        json.closeArray()
        json.key("next_cursor"); if more, let last = page.last { json.string(String(last.id)) } else { json.raw("null") }
        json.closeObject()
        return json.bytes
    }

    /// Why deleting `contact` needs an admin's FORCE: it is protected, or in a running campaign.
    /// Nil when it may go.
    public func deleteBlocker(_ id: ContactID, force: Bool, by caller: Caller) throws(CallsheetError) -> String? {
        if force {
            guard caller.role == .admin else { throw CallsheetError(.forbidden, "FORCE needs the admin role") }
            return nil
        }
        if protectedContacts.contains(id) {
            return "contact \(id) is protected (system-critical); an admin may CONTACT.PROTECT \(id) OFF, or delete it with FORCE"
        }
        if let running = contactCampaigns[id]?.compactMap({ campaigns[$0] }).first(where: \.isRunning) {
            return "contact \(id) is in \(running.status.rawValue) campaign \(running.id) '\(running.name)'; CAMPAIGN.REMOVE \(running.id) IDS \(id) first (or an admin deletes it with FORCE)"
        }
        return nil
    }
}
