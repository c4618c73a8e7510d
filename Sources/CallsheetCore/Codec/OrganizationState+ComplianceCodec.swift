/// Snapshot content version 4: what follows the undo entries (docs/STORAGE.md).
extension OrganizationState {
    func encodeCompliance(into writer: inout BinaryWriter, cold: Bool = true, pieceSize: Int, write: ([UInt8]) throws -> Void) rethrows {
        try calls.writeImage(into: &writer, cold: cold, pieceSize: pieceSize, write: write)
        let entries = doNotCall.entries
        writer.varint(entries.count)
        for entry in entries {
            RecordCodec.encode(entry, into: &writer)
            if writer.bytes.count > pieceSize { try writer.drain(write) }
        }
        writer.varint(consents.count)
        for id in consents.keys.sorted() {
            RecordCodec.encodeCompliance(.setConsents(id, consents[id]!), into: &writer)
        }
        writer.varint(nextCampaignID)
        writer.varint(campaigns.count)
        for campaign in campaigns.values.sorted(by: { $0.id < $1.id }) {
            RecordCodec.encodeCompliance(.putCampaign(campaign), into: &writer)
            RecordCodec.encodeCompliance(.changeCampaignMembers(campaign.id, add: Array(campaignMembers[campaign.id] ?? []), remove: []), into: &writer)
            if writer.bytes.count > pieceSize { try writer.drain(write) }
        }
        writer.varint(protectedContacts.count)
        for id in protectedContacts.sorted() { writer.varint(id) }
        RecordCodec.encode(retention, into: &writer)
        writer.varint(erasures.count)
        for receipt in erasures.values.sorted(by: { $0.id < $1.id }) { RecordCodec.encode(receipt, into: &writer) }
        // Content version 5: the rules version 4's retention record has no room for.
        if cold { writer.varint(retention.coldCallDays.map { $0 + 1 } ?? 0) }
    }

    mutating func decodeCompliance(_ reader: inout BinaryReader, cold: Bool = false) throws(CallsheetError) {
        calls = try CallLog(image: &reader, cold: cold)
        var entries: [DoNotCallEntry] = []
        for _ in 0..<(try reader.count(minimumBytes: 5)) { entries.append(try RecordCodec.decodeDoNotCall(&reader)) }
        apply(.changeDoNotCall(put: entries, remove: []))
        for _ in 0..<(try reader.count(minimumBytes: 3)) {
            let start = reader.offset
            guard try reader.byte() == 24, case .setConsents(let id, let records) = try RecordCodec.decodeCompliance(tag: 24, &reader) else {
                throw reader.corrupt("consents expected", at: start)
            }
            consents[id] = records
        }
        let nextCampaign = try reader.id()
        for _ in 0..<(try reader.count(minimumBytes: 10)) {
            let start = reader.offset
            guard try reader.byte() == 25, case .putCampaign(let campaign) = try RecordCodec.decodeCompliance(tag: 25, &reader),
                  try reader.byte() == 27, case .changeCampaignMembers(let id, let members, _) = try RecordCodec.decodeCompliance(tag: 27, &reader),
                  id == campaign.id, campaigns[id] == nil else {
                throw reader.corrupt("a campaign and its members expected", at: start)
            }
            apply(.putCampaign(campaign))
            apply(.changeCampaignMembers(id, add: members, remove: []))
        }
        nextCampaignID = max(nextCampaignID, nextCampaign)
        for _ in 0..<(try reader.count()) { protectedContacts.insert(try reader.id()) }
        retention = try RecordCodec.decodeRetention(&reader)
        for _ in 0..<(try reader.count(minimumBytes: 8)) {
            let receipt = try RecordCodec.decodeErasure(&reader)
            erasures[receipt.id] = receipt
        }
        if cold {
            let days = try reader.int(atMost: RetentionSettings.maximumDays + 1)
            retention.coldCallDays = days == 0 ? nil : days - 1
        }
    }
}
