import CallsheetCore
import CallsheetProtocol

/// Calls, do-not-call, consent and campaigns (docs/PROTOCOL.md, "Calls", "Do-not-call and
/// consent", "Campaigns").
extension CommandCatalog {
    /// An ISO 8601 time argument of `option`.
    static func time(_ text: String, option: String, command: String) throws(CallsheetError) -> Timestamp {
        guard let parsed = TimestampFormat.parse(text) else {
            throw CallsheetError(.wrongArguments, "\(command): \(option) expects an ISO 8601 time with its zone, such as 2026-11-24T15:30:00Z, got '\(text.prefix(80))'")
        }
        return parsed
    }

    /// A page cursor that is a positive id.
    static func cursorID(_ text: String?, command: String) throws(CallsheetError) -> UInt64? {
        guard let text, text != "0" else { return nil }
        guard let value = UInt64(text), value > 0 else { throw CallsheetError(.wrongArguments, "\(command): CURSOR is the next_cursor of a previous page, got '\(text.prefix(40))'") }
        return value
    }

    static let calls: [CommandDeclaration] = [
        .write("CALL.LOG", "CALL.LOG <contact id> <json>", "calls", .agent, "Records a call: {\"outcome\" (required), \"at\", \"duration\" (seconds), \"agent_id\", \"notes\", \"recording_url\", \"direction\" inbound|outbound, \"kind\" manual|campaign|inbound, \"campaign_id\"}; updates the contact's last call and count. Agents log calls of contacts they can read.") { reader throws(CallsheetError) in
            let id = try reader.id(), input = try reader.json()
            return { state, caller, context throws(CallsheetError) in
                let (changes, call, _, warnings) = try state.planCall(id, input, by: caller, context: context)
                var json = JSONWriter(capacity: 400)
                state.writeCall(call, into: &json)
                var bytes = json.bytes
                if !warnings.isEmpty {
                    // The call's object is open again for the warnings.
                    bytes.removeLast()
                    bytes += Array(",\"warnings\":".utf8) + Array(JSONValue.array(warnings.map(JSONValue.string)).serialized.utf8) + [UInt8(ascii: "}")]
                }
                return (changes, .bulkString(bytes))
            }
        },
        .read("CALL.HISTORY", "CALL.HISTORY <contact id> [CURSOR <c>] [LIMIT <n>] [SINCE <iso-time>]", "calls", .agent, "A contact's calls, newest first, LIMIT 1–1000 (default 50) a page.") { reader throws(CallsheetError) in
            let id = try reader.id()
            let options = try reader.options(["CURSOR", "LIMIT", "SINCE"])
            let cursor = try cursorID(options["CURSOR"], command: "CALL.HISTORY")
            let limit = try reader.limit(options["LIMIT"])
            let since = try options["SINCE"].map { text throws(CallsheetError) in try time(text, option: "SINCE", command: "CALL.HISTORY") }
            return { state, caller, _ throws(CallsheetError) in
                .bulkString(try state.callHistory(id, cursor: cursor, limit: limit, since: since, for: caller))
            }
        },
        .scan("CALL.LIST", "CALL.LIST [AGENT <user id>] [OUTCOME <o,…>] [CAMPAIGN <id>] [KIND manual|campaign|inbound] [DEPT <id>] [SINCE <iso-time>] [UNTIL <iso-time>] [CURSOR <c>] [LIMIT <n>]", "calls", .manager, "The call log, newest logged first: a manager's department's calls, an admin's all (removed contacts' included).") { reader throws(CallsheetError) in
            let options = try reader.options(["AGENT", "OUTCOME", "CAMPAIGN", "KIND", "DEPT", "SINCE", "UNTIL", "CURSOR", "LIMIT"])
            var filter = OrganizationState.CallFilter()
            if let text = options["AGENT"] {
                guard let id = UserID(text), id > 0 else { throw CallsheetError(.wrongArguments, "CALL.LIST: AGENT is a user id, got '\(text.prefix(40))'") }
                filter.agent = id
            }
            if let text = options["OUTCOME"] { filter.outcomes = Set(text.split(separator: ",").map { String($0).filter { $0 != " " }.lowercased() }) }
            if let text = options["CAMPAIGN"] {
                guard let id = CampaignID(text), id > 0 else { throw CallsheetError(.wrongArguments, "CALL.LIST: CAMPAIGN is a campaign id, got '\(text.prefix(40))'") }
                filter.campaign = id
            }
            if let text = options["KIND"] {
                guard let kind = CallKind(rawValue: text.lowercased()) else { throw CallsheetError(.wrongArguments, "CALL.LIST: KIND is manual, campaign or inbound, got '\(text.prefix(40))'") }
                filter.kind = kind
            }
            filter.department = try reader.department(options["DEPT"])
            filter.since = try options["SINCE"].map { text throws(CallsheetError) in try time(text, option: "SINCE", command: "CALL.LIST") }
            filter.until = try options["UNTIL"].map { text throws(CallsheetError) in try time(text, option: "UNTIL", command: "CALL.LIST") }
            let cursor = try cursorID(options["CURSOR"], command: "CALL.LIST")
            let limit = try reader.limit(options["LIMIT"])
            return { [filter] state, caller, _ throws(CallsheetError) in
                if let department = filter.department, caller.role != .admin, department != caller.departmentID {
                    throw CallsheetError(.forbidden, "a manager lists only their own department's calls")
                }
                return .bulkString(try state.callList(filter, cursor: cursor, limit: limit, for: caller))
            }
        },
        .write("DNC.ADD", "DNC.ADD <phone|prefix*|contact:<id>> [REASON <r>] [SOURCE <s>] [EXPIRES <iso-time>]", "compliance", .manager, "Puts a number, a prefix (+1900*) or a contact on the do-not-call list and tags the contacts it covers DNC. Numbers that are no contact and prefixes need an admin.") { reader throws(CallsheetError) in
            let text = try reader.next()
            let options = try reader.options(["REASON", "SOURCE", "EXPIRES"])
            let expires = try options["EXPIRES"].map { text throws(CallsheetError) in try time(text, option: "EXPIRES", command: "DNC.ADD") }
            for key in ["REASON", "SOURCE"] where (options[key]?.utf8.count ?? 0) > 500 {
                throw CallsheetError(.wrongArguments, "DNC.ADD: \(key) is at most 500 bytes")
            }
            let settings = OrganizationState.DoNotCallOptions(reason: options["REASON"], source: options["SOURCE"], expiresAt: expires)
            return { state, caller, context throws(CallsheetError) in
                let target = try state.doNotCallTarget(text, context: context)
                let (changes, tagged) = try state.planDoNotCallAdd(target, settings, by: caller, context: context)
                return (changes, .bulk(JSONValue.object([("key", .string(DoNotCallEntry(target: target, addedAt: 0, addedBy: 0).key)), ("contacts_tagged", .integer(Int64(tagged)))]).serialized))
            }
        },
        .write("DNC.REMOVE", "DNC.REMOVE <phone|prefix*|contact:<id>>", "compliance", .manager, "Takes an entry off the do-not-call list, and the DNC tag off contacts nothing else lists.") { reader throws(CallsheetError) in
            let text = try reader.next()
            return { state, caller, context throws(CallsheetError) in
                let target = try state.doNotCallTarget(text, context: context)
                let (changes, untagged) = try state.planDoNotCallRemove(target, by: caller, context: context)
                return (changes, .bulk(JSONValue.object([("key", .string(DoNotCallEntry(target: target, addedAt: 0, addedBy: 0).key)), ("contacts_untagged", .integer(Int64(untagged)))]).serialized))
            }
        },
        .lookup("DNC.CHECK", "DNC.CHECK <phone>", "compliance", .agent, "Whether a number may be dialled: {\"phone\", \"dnc\", \"callable\", \"entry\", \"contact_id\"}.") { reader throws(CallsheetError) in
            let text = try reader.next()
            return { state, caller, context throws(CallsheetError) in .bulkString(try state.doNotCallCheckJSON(text, for: caller, context: context)) }
        },
        .scan("DNC.LIST", "DNC.LIST [CURSOR <key>] [LIMIT <n>]", "compliance", .agent, "The do-not-call entries in key order, a page at a time, with the list's counts.") { reader throws(CallsheetError) in
            let options = try reader.options(["CURSOR", "LIMIT"])
            let limit = try reader.limit(options["LIMIT"])
            let cursor = options["CURSOR"].flatMap { $0 == "0" ? nil : $0 }
            return { state, caller, context in .bulkString(state.doNotCallListJSON(after: cursor, limit: limit, for: caller, at: context.now)) }
        },
        .organization("DNC.IMPORT", "DNC.IMPORT <csv> [REASON <r>] [SOURCE <s>] [EXPIRES <iso-time>]", "compliance", .admin, "Lists every number of a CSV (the column headed phone or number, else the first): a registry file. Rows that are no number are reported by line. The numbers are read off the organization's shard; writes go on meanwhile.", writes: true) { reader throws(CallsheetError) in
            let text = try reader.next()
            let options = try reader.options(["REASON", "SOURCE", "EXPIRES"])
            let expires = try options["EXPIRES"].map { text throws(CallsheetError) in try time(text, option: "EXPIRES", command: "DNC.IMPORT") }
            for key in ["REASON", "SOURCE"] where (options[key]?.utf8.count ?? 0) > 500 {
                throw CallsheetError(.wrongArguments, "DNC.IMPORT: \(key) is at most 500 bytes")
            }
            let settings = OrganizationState.DoNotCallOptions(reason: options["REASON"], source: options["SOURCE"], expiresAt: expires)
            return { context throws(CallsheetError) in
                try context.caller.require(.admin, for: "DNC.IMPORT")
                let view = await context.shard.view()
                let (entries, rejected) = try view.readDoNotCallImport(text, settings, by: context.caller, context: PlanningContext(now: Clock.now(), phones: context.phones))
                let shown = rejected.prefix(100).map { JSONValue.object([("line", .integer(Int64($0.0))), ("reason", .string($0.1))]) }
                return try await context.write { state, caller, planning throws(CallsheetError) in
                    let (changes, tagged) = try state.planDoNotCallImport(entries, by: caller, context: planning)
                    return (changes, .bulk(JSONValue.object([
                        ("numbers", .integer(Int64(entries.count))), ("contacts_tagged", .integer(Int64(tagged))),
                        ("rejected", .integer(Int64(rejected.count))), ("rejected_rows", .array(shown)),
                    ]).serialized))
                }
            }
        },
        .write("CONSENT.SET", "CONSENT.SET <contact id> <channel> <purpose> GRANTED|WITHDRAWN [SOURCE <s>] [AT <iso-time>]", "compliance", .manager, "Records consent granted or withdrawn (channel phone, sms, email …; purpose marketing, service … or any). Withdrawn consent to phone calls makes a contact uncallable.") { reader throws(CallsheetError) in
            let id = try reader.id(), channel = try reader.next(), purpose = try reader.next()
            let state = try reader.next().uppercased()
            guard state == "GRANTED" || state == "WITHDRAWN" else { throw CallsheetError(.wrongArguments, "CONSENT.SET: the state is GRANTED or WITHDRAWN, got '\(state.prefix(40))'") }
            let options = try reader.options(["SOURCE", "AT"])
            let at = try options["AT"].map { text throws(CallsheetError) in try time(text, option: "AT", command: "CONSENT.SET") }
            let granted = state == "GRANTED"
            return { state, caller, context throws(CallsheetError) in
                let (change, record) = try state.planConsent(id, channel: channel, purpose: purpose, granted: granted, source: options["SOURCE"], at: at, by: caller, context: context)
                var json = JSONWriter(capacity: 200)
                state.writeConsent(record, into: &json)
                return ([change], .bulkString(json.bytes))
            }
        },
        .read("CONSENT.HISTORY", "CONSENT.HISTORY <contact id>", "compliance", .agent, "A contact's consent events, oldest first, and the current state per channel and purpose.") { reader throws(CallsheetError) in
            let id = try reader.id()
            return { state, caller, _ throws(CallsheetError) in .bulkString(try state.consentHistoryJSON(id, for: caller)) }
        },
        .write("CONTACT.PROTECT", "CONTACT.PROTECT <id> [OFF]", "compliance", .admin, "Marks a contact system-critical: deleting it then needs an admin's FORCE. OFF clears the mark.") { reader throws(CallsheetError) in
            let id = try reader.id()
            let off = try reader.options([], flags: ["OFF"])["OFF"] != nil
            return { state, caller, _ throws(CallsheetError) in
                _ = try state.visibleContact(id, for: caller)
                return ([.setProtected(id, !off)], .ok)
            }
        },
    ]

    static let campaignCommands: [CommandDeclaration] = [
        .write("CAMPAIGN.CREATE", "CAMPAIGN.CREATE <name> [DEPT <id>]", "campaigns", .manager, "Creates a campaign (draft) of your department, or with DEPT (admins) another's; admins without DEPT make an organization-wide one.") { reader throws(CallsheetError) in
            let name = try reader.next()
            let options = try reader.options(["DEPT"])
            let department = try reader.department(options["DEPT"])
            return { state, caller, context throws(CallsheetError) in
                let campaign = try state.planCampaignCreate(name, department: department, by: caller, context: context)
                var json = JSONWriter(capacity: 200)
                state.writeCampaign(campaign, for: caller, at: context.now, into: &json, counts: false)
                return ([.putCampaign(campaign)], .bulkString(json.bytes))
            }
        },
        .write("CAMPAIGN.ADD", "CAMPAIGN.ADD <campaign> IDS <id,…>|PRESET <name>|MATCH <text|*> [filters…]", "campaigns", .manager, "Adds contacts to a campaign; those on the do-not-call list, without consent or archived are skipped and reported.") { reader throws(CallsheetError) in
            let name = try reader.next()
            var words = reader.rest()[...]
            let selection = try BulkSelection.parse(&words, command: reader.spec.name)
            guard words.isEmpty else { throw reader.wrong }
            return { state, caller, context throws(CallsheetError) in
                let campaign = try state.campaign(named: name, for: caller)
                let (change, added, skipped) = try state.planCampaignAdd(campaign, selection, by: caller, context: context)
                let shown = skipped.prefix(100).map { JSONValue.object([("id", .integer(Int64($0.0))), ("reason", .string($0.1))]) }
                return (change.map { [$0] } ?? [], .bulk(JSONValue.object([
                    ("campaign_id", .integer(Int64(campaign.id))), ("added", .integer(Int64(added))),
                    ("skipped", .integer(Int64(skipped.count))), ("skipped_contacts", .array(shown)),
                ]).serialized))
            }
        },
        .write("CAMPAIGN.REMOVE", "CAMPAIGN.REMOVE <campaign> IDS <id,…>|PRESET <name>|MATCH <text|*> [filters…]", "campaigns", .manager, "Takes contacts out of a campaign.") { reader throws(CallsheetError) in
            let name = try reader.next()
            var words = reader.rest()[...]
            let selection = try BulkSelection.parse(&words, command: reader.spec.name)
            guard words.isEmpty else { throw reader.wrong }
            return { state, caller, _ throws(CallsheetError) in
                let campaign = try state.campaign(named: name, for: caller)
                let (change, removed) = try state.planCampaignRemove(campaign, selection, by: caller)
                return (change.map { [$0] } ?? [], .bulk(JSONValue.object([("campaign_id", .integer(Int64(campaign.id))), ("removed", .integer(Int64(removed)))]).serialized))
            }
        },
        campaignStatus("CAMPAIGN.START", .active, "Starts (or resumes) a campaign: its contacts can no longer be deleted without an admin's FORCE."),
        campaignStatus("CAMPAIGN.PAUSE", .paused, "Pauses an active campaign."),
        campaignStatus("CAMPAIGN.END", .ended, "Ends a campaign for good; its contacts are free to delete."),
        .scan("CAMPAIGN.LIST", "CAMPAIGN.LIST", "campaigns", .agent, "The campaigns you can see, with their members and callable counts.") { _ throws(CallsheetError) in
            { state, caller, context in .bulkString(state.campaignListJSON(for: caller, at: context.now)) }
        },
        .scan("CAMPAIGN.MEMBERS", "CAMPAIGN.MEMBERS <campaign> [CALLABLE] [CURSOR <c>] [LIMIT <n>]", "campaigns", .agent, "A campaign's contacts in id order; CALLABLE leaves out those that may not be called now (do-not-call, consent withdrawn, archived).") { reader throws(CallsheetError) in
            let name = try reader.next()
            let options = try reader.options(["CURSOR", "LIMIT"], flags: ["CALLABLE"])
            let cursor = try cursorID(options["CURSOR"], command: "CAMPAIGN.MEMBERS")
            let limit = try reader.limit(options["LIMIT"])
            let callable = options["CALLABLE"] != nil
            return { state, caller, context throws(CallsheetError) in
                let campaign = try state.campaign(named: name, for: caller)
                return .bulkString(state.campaignMembersJSON(campaign, callable: callable, after: cursor, limit: limit, for: caller, at: context.now))
            }
        },
    ]

    private static func campaignStatus(_ name: String, _ status: Campaign.Status, _ summary: String) -> CommandDeclaration {
        .write(name, "\(name) <campaign>", "campaigns", .manager, summary) { reader throws(CallsheetError) in
            let text = try reader.next()
            return { state, caller, context throws(CallsheetError) in
                let campaign = try state.planCampaignStatus(try state.campaign(named: text, for: caller), to: status, by: caller, context: context)
                var json = JSONWriter(capacity: 200)
                state.writeCampaign(campaign, for: caller, at: context.now, into: &json, counts: false)
                return ([.putCampaign(campaign)], .bulkString(json.bytes))
            }
        }
    }
}
