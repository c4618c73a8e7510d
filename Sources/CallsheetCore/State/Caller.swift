/// Who is running a command: the user's role and department decide what they see and change.
public struct Caller: Sendable, Hashable {
    public var userID: UserID
    public var name: String
    public var role: Role
    public var departmentID: DepartmentID?
    /// The local REPL's owner: full rights over every organization of its data directory.
    public var isOwner: Bool

    public init(userID: UserID, name: String, role: Role, departmentID: DepartmentID?, isOwner: Bool = false) {
        self.userID = userID
        self.name = name
        self.role = role
        self.departmentID = departmentID
        self.isOwner = isOwner
    }

    /// The owner of a local data directory (the REPL without `--connect`).
    public static let owner = Caller(userID: 0, name: "owner", role: .admin, departmentID: nil, isOwner: true)

    public init(_ user: User) {
        self.init(userID: user.id, name: user.name, role: user.role, departmentID: user.departmentID)
    }

    /// True when this caller may see the contact at all. Admins see every department; managers
    /// and agents see their own.
    public func canSee(_ contact: Contact) -> Bool {
        role == .admin || contact.departmentID == departmentID
    }

    /// Throws FORBIDDEN unless the caller's role is at least `role`.
    public func require(_ role: Role, for command: String) throws(CallsheetError) {
        guard self.role >= role else {
            throw CallsheetError(.forbidden, "\(command) needs the \(role.rawValue) role; you are \(self.role.rawValue)")
        }
    }
}
