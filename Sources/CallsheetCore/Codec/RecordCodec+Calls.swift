/// Calls, do-not-call, consent, campaigns, protection, retention and erasure receipts
/// (change tags 18–31, change set version 4; docs/STORAGE.md).
extension RecordCodec {
    /// Version 4 adds change tags 18–31. A set holding none is written as an earlier version.
    public static let complianceChangeSetVersion: UInt8 = 4

    static func encodeCompliance(_ change: Change, into writer: inout BinaryWriter) {
        switch change {
        case .logCall(let call): writer.byte(18); encode(call, into: &writer)
        case .unlogCall(let id): writer.byte(19); writer.varint(id)
        case .moveCalls(let ids, let merged, let survivor, let toSurvivor):
            writer.byte(20)
            writer.varint(merged)
            writer.varint(survivor)
            writer.bool(toSurvivor)
            writer.varint(ids.count)
            for id in ids { writer.varint(id) }
        case .eraseCalls(let id): writer.byte(21); writer.varint(id)
        case .restoreCalls(let id, let calls):
            writer.byte(22)
            writer.varint(id)
            writer.varint(calls.count)
            for call in calls { encode(call, into: &writer) }
        case .changeDoNotCall(let put, let remove):
            writer.byte(23)
            writer.varint(put.count)
            for entry in put { encode(entry, into: &writer) }
            writer.varint(remove.count)
            for target in remove { encode(target, into: &writer) }
        case .setConsents(let id, let records):
            writer.byte(24)
            writer.varint(id)
            writer.varint(records.count)
            for record in records {
                writer.string(record.channel)
                writer.string(record.purpose)
                writer.bool(record.granted)
                writer.signed(record.at)
                writer.optionalString(record.source)
                writer.varint(record.recordedBy)
            }
        case .putCampaign(let campaign):
            writer.byte(25)
            writer.varint(campaign.id)
            writer.string(campaign.name)
            writer.varint(campaign.departmentID ?? 0)
            writer.byte(UInt8(Campaign.Status.allCases.firstIndex(of: campaign.status) ?? 0))
            writer.signed(campaign.createdAt)
            writer.varint(campaign.createdBy)
            writer.signed(campaign.updatedAt)
        case .removeCampaign(let id): writer.byte(26); writer.varint(id)
        case .changeCampaignMembers(let id, let add, let remove):
            writer.byte(27)
            writer.varint(id)
            writer.varint(add.count)
            for member in add { writer.varint(member) }
            writer.varint(remove.count)
            for member in remove { writer.varint(member) }
        case .setProtected(let id, let flag): writer.byte(28); writer.varint(id); writer.bool(flag)
        case .putRetention(let settings) where settings.coldCallDays == nil: writer.byte(29); encode(settings, into: &writer)
        case .putErasure(let receipt): writer.byte(30); encode(receipt, into: &writer)
        case .removeErasure(let id): writer.byte(31); writer.varint(id)
        case .putRetention(let settings) where settings.coldCallDays != nil: encodeCold(change, into: &writer)
        case .freezeCalls, .replaceColdSegment, .restoreCallLog: encodeCold(change, into: &writer)
        default: preconditionFailure("encodeCompliance handles only tags 18–31")
        }
    }

    static func decodeCompliance(tag: UInt8, _ reader: inout BinaryReader) throws(CallsheetError) -> Change {
        let start = reader.offset
        switch tag {
        case 18: return .logCall(try decodeCall(&reader))
        case 19: return .unlogCall(try reader.id())
        case 20:
            let merged = try reader.id(), survivor = try reader.id(), toSurvivor = try reader.bool()
            var ids: [CallID] = []
            for _ in 0..<(try reader.count()) { ids.append(try reader.id()) }
            return .moveCalls(ids, merged: merged, survivor: survivor, toSurvivor: toSurvivor)
        case 21: return .eraseCalls(try reader.id())
        case 22:
            let id = try reader.id()
            var calls: [CallRecord] = []
            for _ in 0..<(try reader.count(minimumBytes: 10)) { calls.append(try decodeCall(&reader)) }
            return .restoreCalls(id, calls)
        case 23:
            var put: [DoNotCallEntry] = [], remove: [DoNotCallEntry.Target] = []
            for _ in 0..<(try reader.count(minimumBytes: 5)) { put.append(try decodeDoNotCall(&reader)) }
            for _ in 0..<(try reader.count(minimumBytes: 2)) { remove.append(try decodeTarget(&reader)) }
            return .changeDoNotCall(put: put, remove: remove)
        case 24:
            let id = try reader.id()
            var records: [ConsentRecord] = []
            for _ in 0..<(try reader.count(minimumBytes: 6)) {
                let channel = try reader.string(), purpose = try reader.string(), granted = try reader.bool()
                let at = try reader.timestamp(), source = try reader.optionalString(), by = try reader.id()
                records.append(ConsentRecord(contactID: id, channel: channel, purpose: purpose, granted: granted, at: at, source: source, recordedBy: by))
            }
            return .setConsents(id, records)
        case 25:
            let id = try reader.id(), name = try reader.string(), department = try reader.id(), status = Int(try reader.byte())
            guard id > 0, status < Campaign.Status.allCases.count else { throw reader.corrupt("campaign \(id) of unknown status \(status)", at: start) }
            return .putCampaign(Campaign(
                id: id, name: name, departmentID: department == 0 ? nil : department, status: Campaign.Status.allCases[status],
                createdAt: try reader.timestamp(), createdBy: try reader.id(), updatedAt: try reader.timestamp()))
        case 26: return .removeCampaign(try reader.id())
        case 27:
            let id = try reader.id()
            var add: [ContactID] = [], remove: [ContactID] = []
            for _ in 0..<(try reader.count()) { add.append(try reader.id()) }
            for _ in 0..<(try reader.count()) { remove.append(try reader.id()) }
            return .changeCampaignMembers(id, add: add, remove: remove)
        case 28: return .setProtected(try reader.id(), try reader.bool())
        case 29: return .putRetention(try decodeRetention(&reader))
        case 30: return .putErasure(try decodeErasure(&reader))
        case 31: return .removeErasure(try reader.id())
        case 32...35: return try decodeCold(tag: tag, &reader)
        default: throw reader.corrupt("unknown change tag \(tag)", at: start)
        }
    }

    static func encode(_ call: CallRecord, into writer: inout BinaryWriter) {
        writer.varint(call.id)
        writer.varint(call.contactID)
        writer.signed(call.at)
        writer.varint(call.durationSeconds)
        writer.string(call.outcome)
        writer.varint(call.agentID)
        // Kind in the low two bits, erased in the third.
        writer.byte(UInt8(CallKind.allCases.firstIndex(of: call.kind) ?? 0) | (call.erased ? 4 : 0))
        writer.varint(call.campaignID ?? 0)
        writer.optionalString(call.notes)
        writer.optionalString(call.recordingURL)
    }

    static func decodeCall(_ reader: inout BinaryReader) throws(CallsheetError) -> CallRecord {
        let start = reader.offset
        let id = try reader.id(), contact = try reader.id(), at = try reader.timestamp()
        let duration = try reader.int(atMost: CallRecord.maximumDuration)
        let outcome = try reader.string(), agent = try reader.id(), flags = try reader.byte()
        let campaign = try reader.id()
        let notes = try reader.optionalString(), recording = try reader.optionalString()
        guard id > 0, contact <= CallRecord.maximumContactID, agent <= UInt64(UInt32.max), campaign <= UInt64(UInt32.max),
              Int(flags & 3) < CallKind.allCases.count, flags >> 3 == 0 else {
            throw reader.corrupt("call \(id) out of range (contact \(contact), agent \(agent), campaign \(campaign), flags \(flags))", at: start)
        }
        return CallRecord(
            id: id, contactID: contact, at: at, durationSeconds: duration, outcome: outcome, agentID: agent, kind: CallKind.allCases[Int(flags & 3)],
            campaignID: campaign == 0 ? nil : campaign, notes: notes, recordingURL: recording, erased: flags & 4 != 0)
    }

    static func encode(_ target: DoNotCallEntry.Target, into writer: inout BinaryWriter) {
        switch target {
        case .phone(let phone): writer.byte(0); writer.string(phone)
        case .prefix(let prefix): writer.byte(1); writer.string(prefix)
        case .contact(let id): writer.byte(2); writer.varint(id)
        }
    }

    static func decodeTarget(_ reader: inout BinaryReader) throws(CallsheetError) -> DoNotCallEntry.Target {
        let start = reader.offset
        switch try reader.byte() {
        case 0:
            let phone = try reader.string()
            guard DoNotCallList.numberKey(phone) != nil else { throw reader.corrupt("a do-not-call number that is not E.164", at: start) }
            return .phone(phone)
        case 1: return .prefix(try reader.string())
        case 2: return .contact(try reader.id())
        case let tag: throw reader.corrupt("unknown do-not-call target \(tag)", at: start)
        }
    }

    static func encode(_ entry: DoNotCallEntry, into writer: inout BinaryWriter) {
        encode(entry.target, into: &writer)
        writer.optionalString(entry.reason)
        writer.optionalString(entry.source)
        writer.signed(entry.addedAt)
        writer.varint(entry.addedBy)
        writer.optionalSigned(entry.expiresAt)
    }

    static func decodeDoNotCall(_ reader: inout BinaryReader) throws(CallsheetError) -> DoNotCallEntry {
        DoNotCallEntry(
            target: try decodeTarget(&reader), reason: try reader.optionalString(), source: try reader.optionalString(),
            addedAt: try reader.timestamp(), addedBy: try reader.id(), expiresAt: try reader.optionalTimestamp())
    }

    static func encode(_ settings: RetentionSettings, into writer: inout BinaryWriter) {
        for days in [settings.inactiveDays, settings.archivedPurgeDays, settings.deletedCallDays] { writer.varint(days.map { $0 + 1 } ?? 0) }
        writer.bool(settings.retainOptedOut)
        writer.varint(settings.intervalMinutes)
        writer.optionalSigned(settings.lastRunAt)
        for count in [settings.lastRunArchived, settings.lastRunPurged, settings.lastRunCallsErased, settings.lastRunExpiredDoNotCall] { writer.varint(count) }
    }

    static func decodeRetention(_ reader: inout BinaryReader) throws(CallsheetError) -> RetentionSettings {
        var settings = RetentionSettings()
        func days(_ reader: inout BinaryReader) throws(CallsheetError) -> Int? {
            let value = try reader.int(atMost: RetentionSettings.maximumDays + 1)
            return value == 0 ? nil : value - 1
        }
        settings.inactiveDays = try days(&reader)
        settings.archivedPurgeDays = try days(&reader)
        settings.deletedCallDays = try days(&reader)
        settings.retainOptedOut = try reader.bool()
        settings.intervalMinutes = try reader.int(atMost: 525_600)
        settings.lastRunAt = try reader.optionalTimestamp()
        settings.lastRunArchived = try reader.int(atMost: maximumSetting)
        settings.lastRunPurged = try reader.int(atMost: maximumSetting)
        settings.lastRunCallsErased = try reader.int(atMost: maximumSetting)
        settings.lastRunExpiredDoNotCall = try reader.int(atMost: maximumSetting)
        return settings
    }

    static func encode(_ receipt: ErasureReceipt, into writer: inout BinaryWriter) {
        writer.varint(receipt.id)
        writer.varint(receipt.contactID)
        writer.varint(receipt.requestedBy)
        writer.signed(receipt.at)
        for count in [receipt.callsErased, receipt.consentsErased, receipt.doNotCallEntriesErased, receipt.undoEntriesErased] { writer.varint(count) }
        writer.optionalSigned(receipt.diskCleanAt)
    }

    static func decodeErasure(_ reader: inout BinaryReader) throws(CallsheetError) -> ErasureReceipt {
        let start = reader.offset
        let id = try reader.id()
        guard id > 0 else { throw reader.corrupt("erasure receipt 0", at: start) }
        return ErasureReceipt(
            id: id, contactID: try reader.id(), requestedBy: try reader.id(), at: try reader.timestamp(),
            callsErased: try reader.int(atMost: maximumSetting), consentsErased: try reader.int(atMost: maximumSetting),
            doNotCallEntriesErased: try reader.int(atMost: maximumSetting), undoEntriesErased: try reader.int(atMost: maximumSetting),
            diskCleanAt: try reader.optionalTimestamp())
    }
}
