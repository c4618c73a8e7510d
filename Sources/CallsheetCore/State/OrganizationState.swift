import ChunkedCollections
import Dispatch
import TextIndex

/// Everything one organization holds, with its indexes, as a value.
///
/// The shard actor owns one; snapshots copy it and tests build them directly. Every large part
/// (contacts, phone map, id lists, text index) is chunked or sharded, so a copy costs O(1) and
/// the next write after it copies only the chunks it touches, never the organization. Indexes are kept exact under every ``apply(_:)`` and checked by ``_checkInvariants()``.
public struct OrganizationState: Sendable {
    public internal(set) var organization: Organization
    public internal(set) var departments: [DepartmentID: Department] = [:]
    public internal(set) var users: [UserID: User] = [:]
    public internal(set) var fields: [String: FieldDefinition] = [:] {
        didSet { fieldOrder = fields.values.sorted { ($0.order, $0.name) < ($1.order, $1.name) } }
    }
    /// The definitions in display order, kept with `fields` (rendering reads it per contact).
    public private(set) var fieldOrder: [FieldDefinition] = []
    public internal(set) var contacts = ContactSlots()
    /// Saved searches: user → lower-cased name → preset.
    public internal(set) var presets: [UserID: [String: Preset]] = [:]

    /// E.164 → contact. Phones are unique within an organization, archived contacts included.
    public internal(set) var phoneIndex = PhoneMap()
    /// Tag key → contacts carrying it.
    public internal(set) var tagIndex: [TagKey: SortedIDs] = [:]
    /// Tag key → display form (the spelling the organization first used).
    public internal(set) var tagDisplay: [TagKey: String] = [:]
    /// Department → its contacts.
    public internal(set) var departmentIndex: [DepartmentID: SortedIDs] = [:]
    /// Contact ids in ascending order, for stable cursor pagination.
    public internal(set) var orderedIDs = SortedIDs()
    /// Trigram index over name, email, company and phone digits.
    public internal(set) var textIndex = ContactTextIndex()

    /// Every contact's name blocking keys, for the check a write makes (not in snapshots:
    /// rebuilt as contacts load).
    public internal(set) var duplicateKeys = DuplicateKeyIndex()

    /// How duplicates are found and merged (`DUP.SETTINGS`).
    public internal(set) var duplicateSettings = DuplicateSettings()
    /// Pairs of contacts someone said are not duplicates (`DUP.IGNORE`).
    public internal(set) var ignoredPairs: Set<ContactPair> = []
    /// Changes that can be undone, merges among them, by id.
    public internal(set) var undoEntries: [UInt64: UndoEntry] = [:]
    public internal(set) var nextUndoID: UInt64 = 1

    /// Every call logged (`CALL.LOG`), each contact's chained newest first.
    public internal(set) var calls = CallLog()
    /// Numbers, prefixes and contacts not to call (`DNC.ADD`).
    public internal(set) var doNotCall = DoNotCallList()
    /// Each contact's consent history, oldest first (`CONSENT.SET`).
    public internal(set) var consents: [ContactID: [ConsentRecord]] = [:]
    public internal(set) var campaigns: [CampaignID: Campaign] = [:]
    /// Campaign → its contacts.
    public internal(set) var campaignMembers: [CampaignID: SortedIDs] = [:]
    /// Contact → the campaigns it belongs to (a delete checks them).
    public internal(set) var contactCampaigns: [ContactID: [CampaignID]] = [:]
    public internal(set) var nextCampaignID: CampaignID = 1
    /// System-critical contacts (`CONTACT.PROTECT`): only an admin's FORCE deletes one.
    public internal(set) var protectedContacts: Set<ContactID> = []
    /// Retention rules and the last sweep (`RETENTION.SET`).
    public internal(set) var retention = RetentionSettings()
    /// Erasure receipts by id (`ERASURE.LIST`).
    public internal(set) var erasures: [UInt64: ErasureReceipt] = [:]

    public internal(set) var nextContactID: ContactID = 1
    public internal(set) var nextDepartmentID: DepartmentID = 1
    public internal(set) var nextUserID: UserID = 1

    public init(organization: Organization) {
        self.organization = organization
    }

    /// Applies one change and returns the change that undoes it.
    /// - Complexity: for a contact, O(log n + block size) per membership that changes (department,
    ///   each tag added or removed, the ordered id list on creation and permanent removal; see
    ///   ``SortedIDs``), plus the text index update when a searched field changes.
    @discardableResult
    public mutating func apply(_ change: Change) -> Change {
        switch change {
        case .putOrganization(let organization):
            let previous = self.organization
            self.organization = organization
            return .putOrganization(previous)
        case .putDepartment(let department):
            let previous = departments.updateValue(department, forKey: department.id)
            nextDepartmentID = max(nextDepartmentID, department.id + 1)
            return previous.map { .putDepartment($0) } ?? .removeDepartment(department.id)
        case .removeDepartment(let id):
            guard let previous = departments.removeValue(forKey: id) else { return .removeDepartment(id) }
            return .putDepartment(previous)
        case .putUser(let user):
            let previous = users.updateValue(user, forKey: user.id)
            nextUserID = max(nextUserID, user.id + 1)
            return previous.map { .putUser($0) } ?? .removeUser(user.id)
        case .removeUser(let id):
            guard let previous = users.removeValue(forKey: id) else { return .removeUser(id) }
            return .putUser(previous)
        case .putPreset(let preset):
            let previous = presets[preset.userID, default: [:]].updateValue(preset, forKey: preset.name.lowercased())
            return previous.map { .putPreset($0) } ?? .removePreset(userID: preset.userID, name: preset.name)
        case .removePreset(let user, let name):
            guard let previous = presets[user]?.removeValue(forKey: name.lowercased()) else { return .removePreset(userID: user, name: name) }
            if presets[user]?.isEmpty == true { presets[user] = nil }
            return .putPreset(previous)
        case .putField(let field):
            let previous = fields.updateValue(field, forKey: field.name)
            return previous.map { .putField($0) } ?? .removeField(field.name)
        case .removeField(let name):
            guard let previous = fields.removeValue(forKey: name) else { return .removeField(name) }
            return .putField(previous)
        case .putContact(let contact):
            let previous = contacts[contact.id]
            nextContactID = max(nextContactID, contact.id + 1)
            contacts[contact.id] = contact
            guard let previous else {
                index(contact, isNew: true)
                textIndex.put(contact)
                return .removeContact(contact.id)
            }
            reindex(from: previous, to: contact)
            return .putContact(previous)
        case .patchContact(let patch):
            guard let previous = contacts[patch.contactID] else { return .patchContact(patch) }
            let contact = previous.applying(patch)
            contacts[patch.contactID] = contact
            reindex(from: previous, to: contact)
            return .patchContact(patch.undo(on: previous))
        case .setCallFields(let fields):
            guard let previous = contacts.setCallFields(fields) else { return .setCallFields(fields) }
            return .setCallFields(previous)
        case .removeContact(let id):
            guard let previous = contacts.removeValue(forKey: id) else { return .removeContact(id) }
            unindex(previous)
            textIndex.remove(previous.id)
            orderedIDs.remove(id)
            return .putContact(previous)
        case .putDuplicateSettings(let settings):
            let previous = duplicateSettings
            duplicateSettings = settings
            return .putDuplicateSettings(previous)
        case .setIgnoredPair(let pair, let ignored):
            let changed = ignored ? ignoredPairs.insert(pair).inserted : ignoredPairs.remove(pair) != nil
            return .setIgnoredPair(pair, ignored: changed ? !ignored : ignored)
        case .putUndo(let entry):
            let previous = undoEntries.updateValue(entry, forKey: entry.id)
            nextUndoID = max(nextUndoID, entry.id + 1)
            return previous.map { .putUndo($0) } ?? .removeUndo(entry.id)
        case .removeUndo(let id):
            guard let previous = undoEntries.removeValue(forKey: id) else { return .removeUndo(id) }
            return .putUndo(previous)
        default:
            return applyCompliance(change)
        }
    }

    /// Applies every change of a set, returning the undo list in the order it must run.
    /// Runs of at least this many new contacts are indexed together (imports, bulk creation).
    static let bulkRun = 64

    /// - Complexity: as ``apply(_:)-(Change)`` per change; a run of new contacts (an import) builds
    ///   the text index in bulk, several times faster than one by one.
    @discardableResult
    public mutating func apply(_ changes: [Change]) -> [Change] {
        var undo: [Change] = []
        undo.reserveCapacity(changes.count)
        var position = 0
        while position < changes.count {
            var end = position
            var ids: Set<ContactID> = []
            while end < changes.count, case .putContact(let contact) = changes[end], !contacts.contains(contact.id), ids.insert(contact.id).inserted {
                end += 1
            }
            if end - position >= Self.bulkRun {
                let run = changes[position..<end].lazy.compactMap { change -> Contact? in
                    if case .putContact(let contact) = change { contact } else { nil }
                }
                load(run)
                undo.append(contentsOf: run.map { .removeContact($0.id) })
                position = end
            } else {
                undo.append(apply(changes[position]))
                position += 1
            }
        }
        return undo.reversed()
    }

    private mutating func index(_ contact: Contact, isNew: Bool, memberships: Bool = true, keys: Bool = true) {
        phoneIndex[contact.phone] = contact.id
        if keys { duplicateKeys.insert(contact) }
        if memberships {
            Self.addMemberships(
                of: contact, isNew: isNew, tags: &tagIndex, display: &tagDisplay, departments: &departmentIndex, ordered: &orderedIDs)
        }
    }

    /// Adds a new or changed contact to the tag, department and ordered id lists.
    private static func addMemberships(
        of contact: Contact, isNew: Bool, tags: inout [TagKey: SortedIDs], display: inout [TagKey: String],
        departments: inout [DepartmentID: SortedIDs], ordered: inout SortedIDs
    ) {
        for tag in contact.tags {
            guard let key = TagKey(tag) else { continue }
            tags[key, default: []].insert(contact.id)
            // Plans write every tag in the organization's display form, so the latest spelling
            // applied is the display form (a re-spelling changes every carrier in one change set).
            display[key] = tag
        }
        departments[contact.departmentID, default: []].insert(contact.id)
        if isNew { ordered.insert(contact.id) }
    }

    /// Moves a changed contact's index entries: only the memberships that differ between
    /// `old` and `new` are touched, so a call logged or a note edited touches no id list.
    /// - Complexity: O(tags²) to compare, plus O(log n + block size) per membership that changes.
    private mutating func reindex(from old: Contact, to new: Contact) {
        if old.phone != new.phone {
            if phoneIndex[old.phone] == old.id { phoneIndex[old.phone] = nil }
            phoneIndex[new.phone] = new.id
        }
        if old.tags != new.tags {
            let oldKeys = old.tags.compactMap(TagKey.init)
            let newKeys = new.tags.compactMap(TagKey.init)
            for key in oldKeys where !newKeys.contains(key) {
                tagIndex[key]?.remove(old.id)
                if tagIndex[key]?.isEmpty == true {
                    tagIndex[key] = nil
                    tagDisplay[key] = nil
                }
            }
            for tag in new.tags {
                guard let key = TagKey(tag) else { continue }
                if !oldKeys.contains(key) { tagIndex[key, default: []].insert(new.id) }
                // As in ``index(_:isNew:)``: the latest spelling applied is the display form.
                tagDisplay[key] = tag
            }
        }
        if old.departmentID != new.departmentID {
            departmentIndex[old.departmentID]?.remove(old.id)
            if departmentIndex[old.departmentID]?.isEmpty == true { departmentIndex[old.departmentID] = nil }
            departmentIndex[new.departmentID, default: []].insert(new.id)
        }
        if old.name != new.name || old.email != new.email || old.company != new.company || old.phone != new.phone {
            textIndex.put(new)
        }
        if old.name != new.name || old.email != new.email {
            duplicateKeys.remove(old)
            duplicateKeys.insert(new)
        }
    }

    /// Adds contacts not yet present, in ascending id order, building the text index in bulk.
    /// Used when loading a version-1 snapshot and for runs of new contacts (imports); the
    /// result equals applying `.putContact` for each.
    ///
    /// A large load builds the text index on a second core while this one fills the table and
    /// the other indexes: the two share nothing but the contacts they read.
    mutating func load(_ loaded: some Collection<Contact>) {
        reserveForLoad(loaded.count)
        guard loaded.count >= Self.parallelLoad else {
            loadRecords(loaded)
            textIndex.putAll(loaded)
            return
        }
        let records = Array(loaded)
        // Each half owns its box alone (moved out of `self`, so nothing is copied on write).
        let text = LoadHalf(textIndex)
        textIndex = ContactTextIndex()
        let table = LoadHalf(self)
        self = OrganizationState(organization: organization)
        // The table on a worker thread, the text index on this one: not both inside one
        // `concurrentPerform`, where the text index's own two-thread posting fill would run serially.
        let tableDone = DispatchGroup()
        DispatchQueue.global().async(group: tableDone) { table.value.loadRecords(records) }
        text.value.putAll(records)
        tableDone.wait()
        self = table.value
        textIndex = text.value
    }

    /// Loads `count` contacts that `next` decodes one by one into a state that holds none yet,
    /// and the text index `readImage` reads (a version-2 snapshot).
    ///
    /// A large load is a pipeline: this thread decodes contacts and hands them on in batches to
    /// a second one that fills the table and the other indexes, then reads the text index image
    /// while the second finishes.
    mutating func load(
        count: Int, next: () throws(CallsheetError) -> Contact, textIndexImage readImage: () throws(CallsheetError) -> ContactTextIndex
    ) throws(CallsheetError) {
        reserveForLoad(count)
        guard count >= Self.parallelLoad else {
            var loaded: [Contact] = []
            loaded.reserveCapacity(count)
            for _ in 0..<count { loaded.append(try next()) }
            loadRecords(loaded)
            textIndex = try readImage()
            return
        }
        let table = LoadHalf(self)
        self = OrganizationState(organization: organization)
        let worker = DispatchQueue(label: "callsheet.load")
        defer {
            worker.sync {}
            let loadedHere = self
            self = table.value
            textIndex = loadedHere.textIndex
            tagIndex = loadedHere.tagIndex
            tagDisplay = loadedHere.tagDisplay
            departmentIndex = loadedHere.departmentIndex
            orderedIDs = loadedHere.orderedIDs
        }
        var batch: [Contact] = []
        batch.reserveCapacity(Self.loadBatch)
        // This thread fills the id lists while it decodes (the table's thread has more to do:
        // interning, the contact slots, the phone map).
        for index in 0..<count {
            let contact = try next()
            Self.addMemberships(
                of: contact, isNew: true, tags: &tagIndex, display: &tagDisplay, departments: &departmentIndex, ordered: &orderedIDs)
            batch.append(contact)
            if batch.count == Self.loadBatch || index == count - 1 {
                let full = batch
                worker.async { table.value.loadRecords(full, memberships: false) }
                batch.removeAll(keepingCapacity: true)
            }
        }
        textIndex = try readImage()
    }

    /// A load of at least this many contacts runs on two cores.
    public static let parallelLoad = 20_000
    /// Contacts a pipelined load hands on at once.
    static let loadBatch = 4_096

    /// Room in the table and phone map for `count` more contacts, reserved once before a load
    /// (reserving per batch would grow every shard again and again).
    private mutating func reserveForLoad(_ count: Int) {
        contacts.reserveCapacity(contacts.count + count)
        phoneIndex.reserveCapacity(phoneIndex.count + count)
    }

    /// The table and every index but the text index (and without `memberships`, but the tag,
    /// department and ordered id lists), for ``load(_:)``.
    private mutating func loadRecords(_ loaded: some Collection<Contact>, memberships: Bool = true) {
        for contact in loaded {
            let previous = contacts.updateValue(contact, forKey: contact.id)
            if let previous { duplicateKeys.remove(previous) }
            index(contact, isNew: previous == nil, memberships: memberships, keys: false)
            nextContactID = max(nextContactID, contact.id + 1)
        }
        // The duplicate keys in bulk: one merge per key, not a sorted insertion per contact.
        duplicateKeys.insertAll(loaded)
    }

    private mutating func unindex(_ contact: Contact) {
        if phoneIndex[contact.phone] == contact.id { phoneIndex[contact.phone] = nil }
        duplicateKeys.remove(contact)
        for tag in contact.tags {
            guard let key = TagKey(tag) else { continue }
            tagIndex[key]?.remove(contact.id)
            if tagIndex[key]?.isEmpty == true {
                tagIndex[key] = nil
                tagDisplay[key] = nil
            }
        }
        departmentIndex[contact.departmentID]?.remove(contact.id)
        if departmentIndex[contact.departmentID]?.isEmpty == true { departmentIndex[contact.departmentID] = nil }
    }

    /// Custom field definitions in display order.
    public var orderedFields: [FieldDefinition] { fieldOrder }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate false then true along the array.
    /// - Complexity: O(log n).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}

/// One half of a parallel ``OrganizationState/load(_:)``: `@unchecked Sendable` because only
/// one of the two threads touches each box, and the load waits for both before reading them.
final class LoadHalf<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
