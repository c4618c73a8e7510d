@testable import CallsheetCore
import TestSupport
import Testing

/// The call log against a brute-force model, the do-not-call list's matching, retention sweeps
/// at chosen times, and the codec of every new change.
@Suite struct CallLogTests {
    /// The model: every call, erased ones as erased.
    static func history(_ model: [CallRecord], of contact: ContactID) -> [CallRecord] {
        model.filter { $0.contactID == contact && !$0.erased }.sorted { ($0.at, $0.id) > ($1.at, $1.id) }
    }

    @Test("appends, undos, moves, erasures and restores agree with a brute-force model; pages walk it exactly", arguments: [UInt64(1), 2, 3])
    func modelEquivalence(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        var log = CallLog()
        var model: [CallRecord] = []
        let outcomes = ["completed", "no-answer", "voicemail", "busy"]
        for step in 0..<3_000 {
            let contact = ContactID(Int.random(in: 1...40, using: &random))
            switch Int.random(in: 0..<20, using: &random) {
            case 0..<14:
                let call = CallRecord(
                    id: log.nextID, contactID: contact, at: Timestamp(Int.random(in: 0...5_000, using: &random)), durationSeconds: Int.random(in: 0...600, using: &random),
                    outcome: outcomes.randomElement(using: &random)!, agentID: UserID(Int.random(in: 1...5, using: &random)), kind: CallKind.allCases.randomElement(using: &random)!,
                    campaignID: Bool.random(using: &random) ? CampaignID(Int.random(in: 1...3, using: &random)) : nil,
                    notes: Bool.random(using: &random) ? "note \(step)" : nil, recordingURL: Bool.random(using: &random) ? "https://r/\(step)" : nil)
                log.append(call)
                model.append(call)
            case 14..<16:
                guard let last = model.last else { continue }
                log.removeLast(last.id)
                model.removeLast()
            case 16..<18:
                let to = ContactID(Int.random(in: 1...40, using: &random))
                let ids = Self.history(model, of: contact).map(\.id)
                log.move(ids, from: contact, to: to)
                for index in model.indices where ids.contains(model[index].id) { model[index].contactID = to }
            default:
                let erased = log.erase(of: contact)
                #expect(erased.map(\.id) == Self.history(model, of: contact).map(\.id))
                if Bool.random(using: &random) {
                    log.restore(erased)
                } else {
                    for index in model.indices where model[index].contactID == contact && !model[index].erased {
                        model[index].contactID = 0
                        model[index].notes = nil
                        model[index].recordingURL = nil
                        model[index].erased = true
                    }
                }
            }
            if step % 100 == 99 {
                #expect(log.count == model.count)
                for record in model { #expect(log[record.id] == record, "seed \(seed) step \(step) call \(record.id)") }
                for contact in 1...40 {
                    let expected = Self.history(model, of: ContactID(contact))
                    #expect(try log.calls(of: ContactID(contact)) == expected, "seed \(seed) step \(step) contact \(contact)")
                    #expect(try log.count(of: ContactID(contact)) == expected.count)
                    // Pages of 3, then SINCE: the same calls.
                    var paged: [CallRecord] = []
                    var cursor: CallID?
                    while true {
                        let (page, more) = try log.calls(of: ContactID(contact), after: cursor, since: nil, limit: 3)
                        paged += page
                        guard more, let last = page.last else { break }
                        cursor = last.id
                    }
                    #expect(paged == expected)
                    #expect(try log.calls(of: ContactID(contact), after: nil, since: 2_500, limit: .max).calls == expected.filter { $0.at >= 2_500 })
                }
            }
        }
    }

    @Test("a copy of the log shares its rows: the next append copies one chunk, and the copy is unchanged")
    func copiesShare() throws {
        var log = CallLog()
        for id in 1...5_000 { log.append(CallRecord(id: CallID(id), contactID: ContactID(id % 7 + 1), at: Timestamp(id), durationSeconds: 1, outcome: "completed", agentID: 1, kind: .manual)) }
        let copy = log
        log.append(CallRecord(id: 5_001, contactID: 1, at: 9_999, durationSeconds: 1, outcome: "busy", agentID: 1, kind: .manual))
        #expect(copy.count == 5_000 && log.count == 5_001)
        #expect(try copy.calls(of: 1).first?.outcome == "completed" && log.calls(of: 1).first?.outcome == "busy")
        #expect(MemoryLayout<CallLog.Row>.stride == 36)
    }

    @Test("every new change round-trips through the codec, each truncation is refused, and apply then its undo restores the state")
    func codecAndUndo() throws {
        var fixture = Fixture()
        let ann = try fixture.add(#"{"name":"Ann","phone":"+16502530001"}"#, by: fixture.salesManager)
        let bob = try fixture.add(#"{"name":"Bob","phone":"+16502530002"}"#, by: fixture.salesManager)
        let call = CallRecord(id: 1, contactID: ann.id, at: 1_764_000_000_123, durationSeconds: 61, outcome: "completed", agentID: 4, kind: .campaign,
                              campaignID: 1, notes: "ok", recordingURL: "https://rec/1")
        var settings = RetentionSettings()
        settings.inactiveDays = 30
        settings.lastRunAt = 5
        let changes: [Change] = [
            .putCampaign(Campaign(id: 1, name: "Spring", departmentID: 2, status: .active, createdAt: 1, createdBy: 2, updatedAt: 2)),
            .logCall(call),
            .moveCalls([1], merged: ann.id, survivor: bob.id, toSurvivor: true),
            .changeDoNotCall(put: [DoNotCallEntry(target: .phone("+16502530002"), reason: "asked", source: "call", addedAt: 3, addedBy: 2, expiresAt: 99),
                                   DoNotCallEntry(target: .prefix("+1900"), addedAt: 3, addedBy: 1), DoNotCallEntry(target: .contact(ann.id), addedAt: 4, addedBy: 2)], remove: []),
            .setConsents(ann.id, [ConsentRecord(contactID: ann.id, channel: "phone", purpose: "any", granted: false, at: 7, source: "web", recordedBy: 2)]),
            .changeCampaignMembers(1, add: [ann.id, bob.id], remove: []),
            .setProtected(bob.id, true),
            .putRetention(settings),
            .eraseCalls(bob.id),
            .putErasure(ErasureReceipt(id: 1, contactID: bob.id, requestedBy: 1, at: 9, callsErased: 1, consentsErased: 0, doNotCallEntriesErased: 0, undoEntriesErased: 0)),
        ]
        let set = ChangeSet(organizationID: 7, changes: changes)
        let bytes = RecordCodec.encode(set)
        #expect(bytes.first == RecordCodec.complianceChangeSetVersion)
        #expect(try RecordCodec.decodeChangeSet(bytes) == set)
        for cut in 0..<bytes.count { #expect(throws: CallsheetError.self) { try RecordCodec.decodeChangeSet(Array(bytes[0..<cut])) } }
        var older = bytes
        older[0] = RecordCodec.undoChangeSetVersion
        #expect(throws: CallsheetError.self) { try RecordCodec.decodeChangeSet(older) }
        // A LOGCALL's journal record stays small.
        let logged = RecordCodec.encode(ChangeSet(organizationID: 7, changes: [.logCall(CallRecord(id: 123_456, contactID: 987_654, at: 1_764_000_000_000, durationSeconds: 0, outcome: "completed", agentID: 4, kind: .manual)),
                                                                               .setCallFields(CallFields(contactID: 987_654, lastCalledAt: 1_764_000_000_000, lastCallOutcome: "completed", totalCalls: 12, updatedAt: 1_764_000_000_000))]))
        #expect(logged.count < 64, "\(logged.count) bytes")

        let before = fixture.state
        let undo = fixture.state.apply(changes)
        #expect(fixture.state.calls.count == 1 && fixture.state.calls[1]?.erased == true && fixture.state.calls[1]?.notes == nil)
        #expect(fixture.state.protectedContacts == [bob.id] && fixture.state.contactCampaigns[ann.id] == [1])
        // The state's snapshot encoding round-trips with every part.
        var writer = BinaryWriter()
        fixture.state.encode(into: &writer)
        var reader = BinaryReader(writer.bytes)
        let decoded = try OrganizationState.decode(&reader)
        #expect(decoded.calls == fixture.state.calls && decoded.doNotCall == fixture.state.doNotCall && decoded.consents == fixture.state.consents)
        #expect(decoded.campaigns == fixture.state.campaigns && decoded.contactCampaigns == fixture.state.contactCampaigns)
        #expect(decoded.protectedContacts == fixture.state.protectedContacts && decoded.retention == fixture.state.retention && decoded.erasures == fixture.state.erasures)
        fixture.state.apply(undo)
        #expect(fixture.state.calls.count == 0 && fixture.state.doNotCall.count == 0 && fixture.state.consents.isEmpty && fixture.state.campaigns.isEmpty)
        #expect(fixture.state.protectedContacts.isEmpty && fixture.state.retention == before.retention && fixture.state.erasures.isEmpty)
        #expect(fixture.state.contactCampaigns.isEmpty && fixture.state.campaignMembers.isEmpty)
    }

    @Test("the call log's snapshot image round-trips, and every truncation or changed byte of it is refused or still a valid log, never a crash or a loop")
    func damagedImages() throws {
        var log = CallLog()
        for id in 1...40 {
            log.append(CallRecord(id: CallID(id), contactID: ContactID(id % 5 + 1), at: Timestamp((id * 37) % 23), durationSeconds: id, outcome: ["a", "b", "c"][id % 3],
                                  agentID: 2, kind: .manual, notes: id % 7 == 0 ? "n\(id)" : nil))
        }
        _ = log.erase(of: 3)
        var writer = BinaryWriter()
        log.writeImage(into: &writer, pieceSize: .max) { _ in }
        let image = writer.bytes
        var reader = BinaryReader(image)
        #expect(try CallLog(image: &reader) == log)
        for cut in 0..<image.count {
            var short = BinaryReader(Array(image[0..<cut]))
            #expect(throws: CallsheetError.self) { _ = try CallLog(image: &short) }
        }
        for position in 0..<image.count {
            for flip: UInt8 in [1, 0x80] {
                var damaged = image
                damaged[position] ^= flip
                var reader = BinaryReader(damaged)
                guard let decoded = try? CallLog(image: &reader) else { continue }
                // Accepted: then every chain ends and holds each call once.
                var seen = Set<CallID>()
                for contact in 0...300 { for call in try decoded.calls(of: ContactID(contact)) { #expect(seen.insert(call.id).inserted) } }
            }
        }
    }

    @Test("do-not-call matching: the contact's own entry, the number, the longest prefix; expiry; E.164 keys only")
    func doNotCallMatching() {
        var list = DoNotCallList()
        list.put(DoNotCallEntry(target: .phone("+442071234567"), reason: "asked", addedAt: 0, addedBy: 1, expiresAt: 1_000))
        list.put(DoNotCallEntry(target: .prefix("+1900"), reason: "premium", addedAt: 0, addedBy: 1))
        list.put(DoNotCallEntry(target: .prefix("+19005"), reason: "narrower", addedAt: 0, addedBy: 1))
        list.put(DoNotCallEntry(target: .contact(9), reason: "contact", addedAt: 0, addedBy: 1))
        #expect(list.match(phone: "+442071234567", contact: nil, at: 999)?.reason == "asked")
        #expect(list.match(phone: "+442071234567", contact: nil, at: 1_000) == nil, "expired")
        #expect(list.match(phone: "+19005551234", contact: nil, at: 0)?.reason == "narrower")
        #expect(list.match(phone: "+19001234567", contact: nil, at: 0)?.reason == "premium")
        #expect(list.match(phone: "+12125550100", contact: 9, at: 0)?.reason == "contact")
        #expect(list.match(phone: "+12125550100", contact: 8, at: 0) == nil)
        #expect(DoNotCallList.numberKey("+1") == nil && DoNotCallList.numberKey("123") == nil && DoNotCallList.numberKey("+1234567890123456") == nil)
        #expect(list.expired(at: 1_000).map(\.key) == ["+442071234567"])
        list.remove(.phone("+442071234567"))
        #expect(list.count == 3 && list.numberCount == 0)
    }

    @Test("a call may go at most 1,000 calls back in its contact's history: logging ever older calls cannot take quadratic time")
    func insertionDepthIsBounded() throws {
        var fixture = Fixture()
        let ann = try fixture.add(#"{"name":"Ann","phone":"+16502530001"}"#)
        let base: Timestamp = 1_700_000_000_000
        for n in 0...CallLog.maximumInsertionDepth {
            fixture.state.apply(.logCall(CallRecord(id: fixture.state.calls.nextID, contactID: ann.id, at: base + Timestamp(n) * 1000, durationSeconds: 1, outcome: "completed", agentID: 1, kind: .manual)))
        }
        let old = TimestampFormat.iso8601(base - 1000)
        let refused = error { try fixture.state.planCall(ann.id, .object([("outcome", .string("busy")), ("at", .string(old))]), by: fixture.admin, context: fixture.context) }
        #expect(refused?.code == .badRequest && refused?.message.contains("1000 calls") == true, "\(String(describing: refused))")
        // One step shallower is accepted, and so is a call newer than all.
        let second = TimestampFormat.iso8601(base + 500)
        #expect(error { try fixture.state.planCall(ann.id, .object([("outcome", .string("busy")), ("at", .string(second))]), by: fixture.admin, context: fixture.context) } == nil)
        #expect(error { try fixture.state.planCall(ann.id, .object([("outcome", .string("busy"))]), by: fixture.admin, context: fixture.context) } == nil)
        // Replay of such a record (damaged, checksum intact) changes nothing.
        let count = fixture.state.calls.count
        fixture.state.apply(.logCall(CallRecord(id: fixture.state.calls.nextID, contactID: ann.id, at: base - 1000, durationSeconds: 1, outcome: "busy", agentID: 1, kind: .manual)))
        #expect(fixture.state.calls.count == count)
    }

    @Test("DNC.LIST pages: prefixes, then contacts by id, then numbers by their digits, each once, whatever the page size")
    func doNotCallPages() throws {
        var fixture = Fixture()
        let ann = try fixture.add(#"{"name":"Ann","phone":"+16502530001"}"#)
        let bob = try fixture.add(#"{"name":"Bob","phone":"+16502530002"}"#)
        var entries: [DoNotCallEntry] = (0..<300).map { DoNotCallEntry(target: .phone("+1212555\(String(1000 + ($0 * 37) % 9000))"), addedAt: 0, addedBy: 1) }
        entries += [DoNotCallEntry(target: .phone("+447700900123"), addedAt: 0, addedBy: 1), DoNotCallEntry(target: .prefix("+1900"), addedAt: 0, addedBy: 1),
                    DoNotCallEntry(target: .prefix("+1800"), addedAt: 0, addedBy: 1), DoNotCallEntry(target: .contact(bob.id), addedAt: 0, addedBy: 1)]
        fixture.state.apply(.changeDoNotCall(put: entries, remove: []))
        try fixture.update(ann.id, #"{"tags":["DNC"]}"#)
        let numbers = Set(entries.compactMap { if case .phone(let phone) = $0.target { phone } else { nil } }).sorted { UInt64($0.dropFirst())! < UInt64($1.dropFirst())! }
        let expected = ["+1800*", "+1900*", "contact:\(ann.id)", "contact:\(bob.id)"] + numbers
        for size in [1, 7, 50, 1000] {
            var keys: [String] = []
            var cursor: String?
            repeat {
                let page = try JSONValue.parse(String(decoding: fixture.state.doNotCallListJSON(after: cursor, limit: size, for: fixture.admin, at: 0), as: UTF8.self))
                guard case .array(let listed)? = page["entries"] else { Issue.record("\(page.serialized)"); return }
                keys += listed.compactMap { if case .string(let key)? = $0["key"] { key } else { nil } }
                if case .string(let next)? = page["next_cursor"] { cursor = next } else { cursor = nil }
            } while cursor != nil
            #expect(keys == expected, "page size \(size)")
        }
    }

    @Test("retention sweeps at chosen times: inactive contacts archived, old archives removed, removed contacts' calls erased, expired entries dropped; protected, running-campaign and opted-out contacts kept")
    func retentionSweeps() throws {
        var fixture = Fixture()
        let day: Timestamp = 86_400_000
        let start = fixture.context.now
        var ids: [ContactID] = []
        for n in 1...6 { ids.append(try fixture.add(#"{"name":"C\#(n)","phone":"+1650253000\#(n)"}"#).id) }
        // 1 called recently; 2 protected; 3 in a running campaign; 4 opted out; 5, 6 inactive.
        fixture.context.now = start + 50 * day
        fixture.state.apply(try fixture.state.planCall(ids[0], .object([("outcome", .string("completed"))]), by: fixture.admin, context: fixture.context).changes)
        fixture.state.apply(.setProtected(ids[1], true))
        fixture.state.apply([.putCampaign(Campaign(id: 1, name: "Run", departmentID: nil, status: .active, createdAt: 0, createdBy: 1, updatedAt: 0)),
                             .changeCampaignMembers(1, add: [ids[2]], remove: [])])
        fixture.state.apply(try fixture.state.planDoNotCallAdd(.contact(ids[3]), .init(), by: fixture.admin, context: fixture.context).changes)
        fixture.state.apply(.changeDoNotCall(put: [DoNotCallEntry(target: .phone("+16502530006"), addedAt: 0, addedBy: 1, expiresAt: start + 55 * day)], remove: []))
        fixture.state.apply(.putRetention({ var settings = RetentionSettings(); settings.inactiveDays = 30; settings.archivedPurgeDays = 10; settings.deletedCallDays = 5; return settings }()))
        #expect(fixture.state.isDoNotCall(fixture.state.contacts[ids[5]]!, at: start + 54 * day))
        let first = fixture.state.planRetentionRun(at: start + 60 * day)
        #expect(first.sweep.archive == [ids[4], ids[5]] && first.sweep.purge.isEmpty && first.sweep.expired.map(\.key) == ["+16502530006"])
        fixture.state.apply(first.changes)
        #expect(fixture.state.contacts[ids[4]]?.isArchived == true && fixture.state.retention.lastRunArchived == 2)
        #expect(!fixture.state.isDoNotCall(fixture.state.contacts[ids[5]]!, at: start + 60 * day))
        // Ten days on, the archives go for good; a removed contact's calls are erased after five more.
        let second = fixture.state.planRetentionRun(at: start + 71 * day)
        #expect(second.sweep.purge == [ids[4], ids[5]])
        fixture.state.apply(second.changes)
        fixture.state.apply(.removeContact(ids[0]))
        #expect(fixture.state.retentionSweep(at: start + 52 * day).eraseCallsOf.isEmpty)
        let third = fixture.state.planRetentionRun(at: start + 56 * day)
        #expect(third.sweep.eraseCallsOf == [ids[0]])
        fixture.state.apply(third.changes)
        #expect(fixture.state.calls[1]?.erased == true)
        // What was kept is still there and active.
        for id in ids[1...3] { #expect(fixture.state.contacts[id]?.isArchived == false) }
    }
}
