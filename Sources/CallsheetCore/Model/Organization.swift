import PhoneNumbers

/// A customer of the calling platform. Owns departments, users, custom fields and contacts.
public struct Organization: Sendable, Hashable {
    public var id: OrganizationID
    public var name: String
    /// ISO 3166 region used to read phone numbers written without a country code, e.g. `US`.
    public var defaultRegion: String
    public var settings: OrganizationSettings
    public var createdAt: Timestamp

    public init(id: OrganizationID, name: String, defaultRegion: String, settings: OrganizationSettings = .init(), createdAt: Timestamp) {
        self.id = id
        self.name = name
        self.defaultRegion = defaultRegion
        self.settings = settings
        self.createdAt = createdAt
    }
}

/// Organization-wide settings an admin may change with `ORG.SET`.
public struct OrganizationSettings: Sendable, Hashable {
    /// `valid` accepts only numbers libphonenumber knows to be assigned; `possible` relaxes to plausible lengths.
    public var phoneValidation: PhoneValidation = .valid
    /// Largest number of rows one import may carry.
    public var maxImportRows: Int = 10_000
    /// Largest CSV file one import may carry, in bytes.
    public var maxImportBytes: Int = 50 * 1024 * 1024
    /// Import defaults: duplicate handling, strictness, auto-tag.
    public var importing = ImportSettings()

    public init() {}
}

/// A department of an organization. Managers and agents belong to one.
public struct Department: Sendable, Hashable {
    public var id: DepartmentID
    public var name: String

    public init(id: DepartmentID, name: String) {
        self.id = id
        self.name = name
    }
}

/// A person who signs in with `AUTH name secret`.
public struct User: Sendable, Hashable {
    public var id: UserID
    /// Login name, unique across the data directory.
    public var name: String
    public var role: Role
    /// Required for managers and agents; optional for admins.
    public var departmentID: DepartmentID?
    public var secret: SecretHash
    public var createdAt: Timestamp

    public init(id: UserID, name: String, role: Role, departmentID: DepartmentID?, secret: SecretHash, createdAt: Timestamp) {
        self.id = id
        self.name = name
        self.role = role
        self.departmentID = departmentID
        self.secret = secret
        self.createdAt = createdAt
    }
}
