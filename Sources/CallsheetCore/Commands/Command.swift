/// A parsed request of the command language, shared by the REPL and the TCP server.
/// `docs/PROTOCOL.md` documents each; ``CommandCatalog`` carries their usage and help.
public enum Command: Sendable, Hashable {
    // Connection
    case ping(String?)
    case help(String?)
    case auth(user: String, secret: String)
    case hello([String])
    case quit
    case whoami
    case use(String)
    case compatibility(String)
    case echo(String)

    // Organization administration
    case orgCreate(name: String, region: String, admin: String?)
    case orgList
    case orgInfo
    case orgSet(key: String, value: String)
    case deptCreate(String)
    case deptList
    case deptRename(DepartmentID, String)
    case deptDelete(DepartmentID)
    case userCreate(name: String, role: Role, department: DepartmentID?)
    case userList
    case userDelete(String)
    case userResetSecret(String)
    case userSetRole(name: String, role: Role, department: DepartmentID?)

    // Contacts
    case contactAdd(JSONValue)
    case contactGet(ContactID)
    case contactByPhone(String)
    case contactUpdate(ContactID, JSONValue)
    case contactDelete(ContactID, permanent: Bool)
    case contactRestore(ContactID)
    case contactList(cursor: ContactID?, limit: Int, archived: ArchivedFilter)
    case contactSearch(ContactQuery)
    case contactCallerID(String, limit: Int, after: ContactID?)
    case contactBulkEdit(BulkSelection, [BulkAction], strict: Bool)
    case contactBulkDelete(BulkSelection, permanent: Bool, strict: Bool)
    case contactLogCall(ContactID, outcome: String, at: Timestamp?)
    case contactCount

    // Custom fields and tags
    case fieldCreate(JSONValue)
    case fieldList
    case fieldGet(String)
    case fieldUpdate(String, JSONValue, force: Bool)
    case fieldReorder([String])
    case fieldArchive(String)
    case fieldUnarchive(String)
    case fieldDelete(String)
    case tagList
    case tagMerge([String], into: String)
    case tagDelete(String, force: Bool)

    // Saved searches
    case presetSave(String, [String])
    case presetList
    case presetGet(String)
    case presetRename(String, String)
    case presetDelete(String)

    // Operations
    case snapshot
    case info
    /// `COMPACT`: snapshot, cut the journal, remove what retention no longer needs (owner only).
    case compact
    /// `BACKUP <path>`: one file with a snapshot and the journal after it (owner only).
    case backup(path: String)

    // Import (Sources/CallsheetCore/Import)
    case importing(ImportCommand)
}

/// Which contacts a listing includes.
public enum ArchivedFilter: String, Sendable, Hashable {
    case active, archived, all

    public func includes(_ contact: Contact) -> Bool {
        switch self {
        case .active: contact.archivedAt == nil
        case .archived: contact.archivedAt != nil
        case .all: true
        }
    }
}

extension Command {
    /// True for commands that change state (and so are journaled before their reply).
    public var isWrite: Bool {
        switch self {
        case .orgCreate, .orgSet, .deptCreate, .deptRename, .deptDelete, .userCreate, .userDelete, .userResetSecret,
             .userSetRole, .contactAdd, .contactUpdate, .contactDelete, .contactRestore, .contactLogCall, .fieldCreate,
             .fieldUpdate, .fieldReorder, .fieldArchive, .fieldUnarchive, .fieldDelete, .contactBulkEdit, .contactBulkDelete,
             .tagMerge, .tagDelete, .presetSave, .presetRename, .presetDelete:
            true
        case .importing(let command):
            command.isWrite
        default:
            false
        }
    }
}
