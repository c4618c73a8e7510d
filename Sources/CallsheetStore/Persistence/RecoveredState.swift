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
