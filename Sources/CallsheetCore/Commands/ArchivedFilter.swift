/// Which contacts a listing includes (`CONTACT.LIST … ARCHIVED|ALL`).
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
