/// The choices of one import; what is nil falls back to the organization's ``ImportSettings``.
public struct ImportOptions: Sendable, Hashable {
    /// `column=target` overrides of the suggested mapping, as `MAP` gives them.
    public var mapping: String?
    public var duplicates: DuplicatePolicy?
    public var strictness: ImportStrictness?
    /// `.some(nil)`: no auto-tag even if the organization has one (`NOTAG`).
    public var autoTag: String??
    /// Department for new contacts; admins only (managers' contacts go to their own).
    public var department: DepartmentID?
    public var encoding: CSVEncoding = .utf8

    public init(mapping: String? = nil, duplicates: DuplicatePolicy? = nil, strictness: ImportStrictness? = nil,
                autoTag: String?? = nil, department: DepartmentID? = nil, encoding: CSVEncoding = .utf8) {
        self.mapping = mapping
        self.duplicates = duplicates
        self.strictness = strictness
        self.autoTag = autoTag
        self.department = department
        self.encoding = encoding
    }

    /// The options with every default filled from `settings`, the auto-tag expanded for `now`.
    public func resolved(with settings: ImportSettings, now: Timestamp) -> ResolvedImportOptions {
        let template: String? = autoTag ?? settings.autoTag
        return ResolvedImportOptions(
            duplicates: duplicates ?? settings.duplicates,
            strictness: strictness ?? settings.strictness,
            autoTag: template.map { ImportSettings.expand($0, now: now) },
            department: department
        )
    }
}

/// Import choices with nothing left open.
public struct ResolvedImportOptions: Sendable, Hashable {
    public var duplicates: DuplicatePolicy
    public var strictness: ImportStrictness
    public var autoTag: String?
    public var department: DepartmentID?

    public init(duplicates: DuplicatePolicy, strictness: ImportStrictness, autoTag: String?, department: DepartmentID? = nil) {
        self.duplicates = duplicates
        self.strictness = strictness
        self.autoTag = autoTag
        self.department = department
    }

    public var json: JSONValue {
        .object([
            ("duplicates", .string(duplicates.rawValue)),
            ("strictness", .string(strictness.rawValue)),
            ("auto_tag", autoTag.map { .string($0) } ?? .null),
        ])
    }
}
