/// Identifier of an organization; unique in a data directory, never reused.
public typealias OrganizationID = UInt64
/// Identifier of a department; unique within its organization, never reused.
public typealias DepartmentID = UInt64
/// Identifier of a user; unique within its organization, never reused.
public typealias UserID = UInt64
/// Identifier of a contact; unique within its organization, never reused.
public typealias ContactID = UInt64

/// Milliseconds since 1970-01-01T00:00:00Z. Every timestamp in Callsheet is one of these.
public typealias Timestamp = Int64
