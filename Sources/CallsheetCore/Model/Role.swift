/// What a user may do. See docs/PROTOCOL.md "Roles and scope".
public enum Role: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// Whole organization: contacts of every department, fields, users, departments, settings.
    case admin
    /// Contacts of their own department; no organization administration.
    case manager
    /// Read-only lookups (`CONTACT.GET`, `CONTACT.BYPHONE`) for screen-pop, agent-visible fields only.
    case agent

    private var rank: Int {
        switch self {
        case .admin: 2
        case .manager: 1
        case .agent: 0
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    public static func parse(_ text: String) throws(CallsheetError) -> Role {
        guard let role = Role(rawValue: text.lowercased()) else {
            throw CallsheetError(.badRequest, "unknown role '\(text)'; expected admin, manager or agent")
        }
        return role
    }
}
