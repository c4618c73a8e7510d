import CallsheetCore

/// What recovery rebuilt: every organization's state and the journal position it reflects.
struct RecoveredState: Sendable {
    var organizations: [OrganizationID: OrganizationState] = [:]
    /// Per organization, the highest journal sequence already in its state.
    var coveredSequence: [OrganizationID: UInt64] = [:]
    var nextOrganizationID: OrganizationID = 1
    /// The sequence the loaded snapshot covers for every organization.
    var snapshotSequence: UInt64 = 0
    var lastSequence: UInt64 = 0
    var persistence = PersistenceStatus()

    /// The highest sequence any organization of the snapshot covers (≥ ``snapshotSequence``).
    var newestCovered: UInt64 { coveredSequence.values.max() ?? snapshotSequence }

    /// The sequence replay starts after: the snapshot's, unless the journal begins later but within
    /// what the snapshot's organizations cover. That gap is no loss: it is a directory restored
    /// from a snapshot taken under writes, whose journal continues after ``newestCovered``.
    func replayStart(journalStartsAt first: UInt64?) -> UInt64 {
        guard let first, first > snapshotSequence + 1, first - 1 <= newestCovered else { return snapshotSequence }
        return first - 1
    }

    /// Applies a replayed change set unless the snapshot already holds it.
    mutating func apply(_ set: ChangeSet, sequence: UInt64) throws(CallsheetError) {
        if let covered = coveredSequence[set.organizationID], sequence <= covered { return }
        if organizations[set.organizationID] == nil {
            guard case .putOrganization(let organization)? = set.changes.first else {
                throw CallsheetError(.internal, "journal record \(sequence) changes organization \(set.organizationID), which no earlier record creates")
            }
            organizations[set.organizationID] = OrganizationState(organization: organization)
            nextOrganizationID = max(nextOrganizationID, organization.id + 1)
        }
        organizations[set.organizationID]?.apply(set.changes)
    }
}
