/// Applying the changes of calls, do-not-call, consent, campaigns, retention and erasure.
extension OrganizationState {
    /// Applies one of them and returns its undo (``apply(_:)-(Change)`` for the rest).
    mutating func applyCompliance(_ change: Change) -> Change {
        switch change {
        case .logCall(let call):
            // Planning checks both; a damaged record that passes its checksum changes nothing.
            guard call.id == calls.nextID, calls.admits(outcome: call.outcome), calls.insertionDepth(of: call) != nil else { return .unlogCall(0) }
            calls.append(call)
            return .unlogCall(call.id)
        case .unlogCall(let id):
            guard let call = calls[id], id == CallID(calls.count) else { return .unlogCall(id) }
            calls.removeLast(id)
            return .logCall(call)
        case .moveCalls(let ids, let merged, let survivor, let toSurvivor):
            calls.move(ids, from: toSurvivor ? merged : survivor, to: toSurvivor ? survivor : merged)
            return .moveCalls(ids, merged: merged, survivor: survivor, toSurvivor: !toSurvivor)
        case .eraseCalls(let id):
            return .restoreCalls(id, calls.erase(of: id))
        case .restoreCalls(let id, let previous):
            calls.restore(previous)
            return .eraseCalls(id)
        case .changeDoNotCall(let put, let remove):
            var undoPut: [DoNotCallEntry] = []
            var undoRemove: [DoNotCallEntry.Target] = []
            var touched = Set<DoNotCallEntry.Target>()
            for target in remove {
                if let previous = doNotCall.remove(target), touched.insert(target).inserted { undoPut.append(previous) }
            }
            for entry in put {
                let previous = doNotCall.put(entry)
                guard touched.insert(entry.target).inserted else { continue }
                if let previous { undoPut.append(previous) } else { undoRemove.append(entry.target) }
            }
            return .changeDoNotCall(put: undoPut, remove: undoRemove)
        case .setConsents(let id, let records):
            let previous = consents[id] ?? []
            consents[id] = records.isEmpty ? nil : records
            return .setConsents(id, previous)
        case .putCampaign(let campaign):
            let previous = campaigns.updateValue(campaign, forKey: campaign.id)
            nextCampaignID = max(nextCampaignID, campaign.id + 1)
            return previous.map { .putCampaign($0) } ?? .removeCampaign(campaign.id)
        case .removeCampaign(let id):
            guard let previous = campaigns.removeValue(forKey: id) else { return .removeCampaign(id) }
            // Planning empties a campaign before removing it; members left are dropped with it.
            for member in campaignMembers.removeValue(forKey: id) ?? [] {
                contactCampaigns[member]?.removeAll { $0 == id }
                if contactCampaigns[member]?.isEmpty == true { contactCampaigns[member] = nil }
            }
            return .putCampaign(previous)
        case .changeCampaignMembers(let id, let add, let remove):
            var members = campaignMembers[id] ?? SortedIDs()
            var removed: [ContactID] = [], added: [ContactID] = []
            for member in remove where members.remove(member) {
                removed.append(member)
                contactCampaigns[member]?.removeAll { $0 == id }
                if contactCampaigns[member]?.isEmpty == true { contactCampaigns[member] = nil }
            }
            for member in add where members.insert(member) {
                added.append(member)
                contactCampaigns[member, default: []].append(id)
            }
            campaignMembers[id] = members.isEmpty ? nil : members
            return .changeCampaignMembers(id, add: removed, remove: added)
        case .setProtected(let id, let flag):
            let changed = flag ? protectedContacts.insert(id).inserted : protectedContacts.remove(id) != nil
            return .setProtected(id, changed ? !flag : flag)
        case .putRetention(let settings):
            let previous = retention
            retention = settings
            return .putRetention(previous)
        case .putErasure(let receipt):
            let previous = erasures.updateValue(receipt, forKey: receipt.id)
            return previous.map { .putErasure($0) } ?? .removeErasure(receipt.id)
        case .removeErasure(let id):
            guard let previous = erasures.removeValue(forKey: id) else { return .removeErasure(id) }
            return .putErasure(previous)
        case .freezeCalls(let segment):
            let before = CallLogUndo(log: calls)
            _ = calls.freeze(segment)
            return .restoreCallLog(before)
        case .replaceColdSegment(let segment):
            let before = CallLogUndo(log: calls)
            _ = calls.replaceColdSegment(segment)
            return .restoreCallLog(before)
        case .restoreCallLog(let undo):
            let before = CallLogUndo(log: calls)
            let reader = calls.cold.reader
            calls = undo.log
            calls.cold.reader = reader
            return .restoreCallLog(before)
        default:
            preconditionFailure("applyCompliance handles only the changes of calls and compliance")
        }
    }
}
