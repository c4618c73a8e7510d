/// Which contact field each column of a file fills, one target per header column.
///
/// Built by ``suggest(header:fields:)`` from the header names (synonyms, custom field names and
/// labels), then changed by the caller's `MAP` overrides with ``applying(_:)``.
public struct ColumnMapping: Sendable, Hashable {
    public var header: [String]
    public var targets: [ColumnTarget]

    public init(header: [String], targets: [ColumnTarget]) {
        self.header = header
        self.targets = targets
    }

    /// The mapping the header names suggest. Custom fields match by name or label; each contact
    /// field is taken by its first matching column (a second `Phone` column is ignored); a
    /// full-name column wins over first and last name columns.
    public static func suggest(header: [String], fields: [FieldDefinition]) -> ColumnMapping {
        var customByKey: [String: String] = [:]
        for field in fields where !field.archived {
            customByKey[ColumnSynonyms.key(field.label)] = field.name
            customByKey[ColumnSynonyms.key(field.name)] = field.name
        }
        var taken: Set<ColumnTarget> = []
        var targets: [ColumnTarget] = []
        for name in header {
            let key = ColumnSynonyms.key(name)
            var target = ColumnSynonyms.byKey[key] ?? customByKey[key].map { .custom($0) } ?? .ignore
            if target.isSingular {
                if taken.contains(target) { target = .ignore } else { taken.insert(target) }
            }
            targets.append(target)
        }
        if taken.contains(.name) {
            targets = targets.map { $0 == .firstName || $0 == .lastName ? .ignore : $0 }
        }
        return ColumnMapping(header: header, targets: targets)
    }

    /// The mapping with `overrides` (`column=target` pairs) applied. A column is a header name
    /// (any case) or `#N`, 1-based. Taking a contact field from another column frees it there.
    /// - Throws: `WRONG_ARGS` naming the column or target that is not understood.
    public func applying(_ overrides: String) throws(CallsheetError) -> ColumnMapping {
        var mapping = self
        let pairs = Self.splitPairs(overrides)
        guard pairs.count <= CSVReader.maximumColumns else {
            throw CallsheetError(.wrongArguments, "MAP takes at most \(CSVReader.maximumColumns) column=target pairs, got \(pairs.count)")
        }
        for pair in pairs {
            guard let equals = pair.lastIndex(of: "=") else {
                throw CallsheetError(.wrongArguments, "MAP expects column=target pairs separated by ';', e.g. \"Mobile=phone; Given=first_name\"; got '\(pair.prefix(80))'")
            }
            let column = String(pair[..<equals]).trimmingSpaces()
            let targetText = String(pair[pair.index(after: equals)...])
            guard let index = mapping.columnIndex(column) else {
                throw CallsheetError(.wrongArguments, "MAP: the file has no column '\(column.prefix(80))'; its columns are \(columnList) (or #1–#\(header.count))")
            }
            guard let target = ColumnTarget.parse(targetText) else {
                throw CallsheetError(.wrongArguments, "MAP: '\(targetText.prefix(80))' is no target; use name, first_name, last_name, phone, email, company, tags, notes, ignore or a custom field name")
            }
            if target.isSingular {
                for other in mapping.targets.indices where mapping.targets[other] == target { mapping.targets[other] = .ignore }
            }
            mapping.targets[index] = target
        }
        return mapping
    }

    /// The index of a column named by header (case-insensitive) or `#N`.
    func columnIndex(_ reference: String) -> Int? {
        if reference.hasPrefix("#"), let number = Int(reference.dropFirst()), (1...header.count).contains(number) { return number - 1 }
        if let exact = header.firstIndex(of: reference) { return exact }
        let lower = reference.lowercased()
        return header.firstIndex { $0.lowercased() == lower }
    }

    /// Pairs separated by `;` or newlines; commas separate them too when no target contains one.
    static func splitPairs(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == ";" || $0 == "\n" || $0 == "," }).map(String.init).filter { !$0.trimmingSpaces().isEmpty }
    }

    /// The index of the column mapped to `target`, if any.
    public func column(for target: ColumnTarget) -> Int? { targets.firstIndex(of: target) }

    /// Checks the mapping can make contacts: a name (or first/last name) and a phone column.
    /// - Throws: `BAD_REQUEST` saying which MAP to add.
    public func requireEssentials() throws(CallsheetError) {
        let hasName = targets.contains(.name) || targets.contains(.firstName) || targets.contains(.lastName)
        guard hasName else {
            throw CallsheetError(.badRequest, "no column maps to the contact's name; add MAP \"<column>=name\" (or first_name and last_name). Columns: \(columnList)")
        }
        guard targets.contains(.phone) else {
            throw CallsheetError(.badRequest, "no column maps to the phone number; add MAP \"<column>=phone\". Columns: \(columnList)")
        }
    }

    /// The header for an error message, bounded whatever the file: the first 20 names, each cut
    /// to 40 characters, and how many more there are.
    var columnList: String {
        var names = header.prefix(20).map { $0.count > 40 ? $0.prefix(39) + "…" : Substring($0) }.joined(separator: ", ")
        if header.count > 20 { names += " and \(header.count - 20) more" }
        return names
    }

    /// `[{"column": "Header", "index": 1, "target": "name"}, …]` in column order (`index` is
    /// 1-based, as `#N` in MAP): a list, since two columns may share a header.
    public var json: JSONValue {
        .array(zip(header, targets).enumerated().map { position, pair in
            .object([("column", .string(pair.0)), ("index", .integer(Int64(position + 1))), ("target", .string(pair.1.description))])
        })
    }
}
