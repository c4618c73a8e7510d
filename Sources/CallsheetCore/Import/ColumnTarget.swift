/// What one column of an import file fills in a contact.
public enum ColumnTarget: Sendable, Hashable, CustomStringConvertible {
    case name
    /// Joined with ``lastName`` (in that order, with a space) into the name.
    case firstName
    case lastName
    case phone
    case email
    case company
    /// Split on commas and semicolons.
    case tags
    case notes
    /// A custom field, by its name.
    case custom(String)
    case ignore

    /// The spelling used in `MAP` and in replies: `name`, `first_name`, `custom:region`, `ignore`.
    public var description: String {
        switch self {
        case .name: "name"
        case .firstName: "first_name"
        case .lastName: "last_name"
        case .phone: "phone"
        case .email: "email"
        case .company: "company"
        case .tags: "tags"
        case .notes: "notes"
        case .custom(let field): "custom:\(field)"
        case .ignore: "ignore"
        }
    }

    /// Reads a target as `MAP` writes it. A word that is no contact field names a custom field.
    public static func parse(_ text: String) -> ColumnTarget? {
        let word = text.trimmingSpaces()
        let lower = word.lowercased()
        if lower.hasPrefix("custom:") {
            let field = String(word.dropFirst("custom:".count)).trimmingSpaces()
            return field.isEmpty ? nil : .custom(field)
        }
        switch ColumnSynonyms.key(lower) {
        case "name", "fullname": return .name
        case "firstname", "first": return .firstName
        case "lastname", "last": return .lastName
        case "phone": return .phone
        case "email": return .email
        case "company": return .company
        case "tags", "tag": return .tags
        case "notes", "note": return .notes
        case "ignore", "skip", "none", "": return word.isEmpty ? nil : .ignore
        default: return .custom(word)
        }
    }

    /// True for the targets a file may map only once.
    var isSingular: Bool {
        switch self {
        case .ignore, .custom: false
        default: true
        }
    }
}

/// Header names people use for each contact field. Compared after ``key(_:)``: lower case,
/// letters and digits only, so `E-mail`, `E Mail` and `email` are one.
enum ColumnSynonyms {
    static let byKey: [String: ColumnTarget] = {
        var table: [String: ColumnTarget] = [:]
        let lists: [(ColumnTarget, [String])] = [
            (.name, ["name", "fullname", "contactname", "contact", "customername", "customer", "person", "displayname", "clientname"]),
            (.firstName, ["firstname", "first", "givenname", "forename", "fname"]),
            (.lastName, ["lastname", "last", "surname", "familyname", "lname"]),
            (.phone, ["phone", "phonenumber", "phoneno", "mobile", "mobilephone", "mobilenumber", "mobileno", "cell", "cellphone",
                      "cellnumber", "tel", "telephone", "telephonenumber", "telno", "number", "contactnumber", "primaryphone", "msisdn"]),
            (.email, ["email", "emailaddress", "mail", "emailid"]),
            (.company, ["company", "companyname", "organization", "organisation", "org", "business", "businessname", "account",
                        "accountname", "employer", "firm"]),
            (.tags, ["tags", "tag", "labels", "label", "groups", "group", "categories", "category"]),
            (.notes, ["notes", "note", "comments", "comment", "remarks", "description"]),
        ]
        for (target, names) in lists {
            for name in names { table[name] = target }
        }
        return table
    }()

    /// The comparison key of a header: lower-cased letters and digits.
    static func key(_ header: String) -> String {
        String(String.UnicodeScalarView(header.lowercased().unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) }))
    }
}
