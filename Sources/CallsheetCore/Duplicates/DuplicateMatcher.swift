import TextIndex

/// What duplicate detection compares of one contact, computed once per contact. A class, so
/// that a scan's millions of comparisons pass references, not copies of its texts.
public final class DuplicateProfile: Sendable {
    public let id: ContactID
    public let name: NameProfile
    /// E.164.
    public let phone: String
    /// The digits after the country code.
    public let nationalNumber: Substring
    /// Lower case; a Gmail address without dots or `+tag` when the setting says so.
    public let email: String?
    /// Folded, punctuation and legal suffixes (`Inc`, `GmbH` …) dropped.
    public let company: String?
    /// The address as written, lower-cased (what a search of the text index looks for).
    public let writtenEmail: String?
    /// Hashes of the phone, national number and email, compared before the texts.
    let phoneKey: UInt64
    let nationalKey: UInt64
    let emailKey: UInt64

    public convenience init(_ contact: Contact, settings: DuplicateSettings) {
        self.init(id: contact.id, name: contact.name, phone: contact.phone, email: contact.email, company: contact.company, settings: settings)
    }

    public convenience init(id: ContactID, name: String, phone: String, email: String?, company: String?, settings: DuplicateSettings) {
        self.init(id: id, name: NameProfile(name), phone: phone, email: email, company: company.flatMap(Self.normalizedCompany), settings: settings)
    }

    /// A profile from texts the text index already folded (a scan reads them there instead of
    /// folding every contact again): `foldedCompany` is normalized here.
    convenience init(id: ContactID, foldedName: String, phone: String, email: String?, foldedCompany: String?, settings: DuplicateSettings) {
        self.init(id: id, name: NameProfile(folded: foldedName), phone: phone, email: email,
                  company: foldedCompany.flatMap { Self.normalizedCompany(tokens: NameProfile.tokens(ofFolded: $0)) }, settings: settings)
    }

    private init(id: ContactID, name: NameProfile, phone: String, email: String?, company: String?, settings: DuplicateSettings) {
        self.id = id
        self.name = name
        self.phone = phone
        let national = PhoneCountryCodes.nationalNumber(ofE164: phone)
        self.nationalNumber = national
        // Lower-cased once: the normalized address shares it unless Gmail's rules change it.
        let written = email?.lowercased()
        let normalized = written.map { Self.normalizedEmail(lowered: $0, gmail: settings.gmailNormalization) }
        self.email = normalized
        self.writtenEmail = written
        self.phoneKey = NameKeys.hash(6, bytes: phone.utf8)
        self.nationalKey = NameKeys.hash(6, bytes: national.utf8)
        self.emailKey = normalized.map { NameKeys.hash(6, bytes: $0.utf8) } ?? 0
        self.company = company
    }

    /// `John.Doe+news@GoogleMail.com` → `johndoe@gmail.com` (with `gmail`); other addresses
    /// lower-cased only.
    public static func normalizedEmail(_ email: String, gmail: Bool) -> String {
        normalizedEmail(lowered: email.lowercased(), gmail: gmail)
    }

    /// By bytes, not characters: a scan normalizes a million addresses.
    static func normalizedEmail(lowered: String, gmail: Bool) -> String {
        let bytes = lowered.utf8
        guard gmail, let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return lowered }
        let domain = bytes[bytes.index(after: at)...]
        guard domain.elementsEqual("gmail.com".utf8) || domain.elementsEqual("googlemail.com".utf8) else { return lowered }
        var local: [UInt8] = []
        local.reserveCapacity(bytes.count)
        for byte in bytes[..<at] {
            if byte == UInt8(ascii: "+") { break }
            if byte != UInt8(ascii: ".") { local.append(byte) }
        }
        local.append(contentsOf: "@gmail.com".utf8)
        return String(decoding: local, as: UTF8.self)
    }

    static let legalSuffixes: Set<String> = [
        "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company", "gmbh", "ag", "sa",
        "sarl", "sas", "plc", "bv", "nv", "srl", "spa", "pty", "oy", "ab", "as", "kk", "llp", "lp", "pvt", "pte", "the",
    ]

    /// `The Acme Corp.` and `ACME, Inc` → `acme`; nil when nothing is left.
    public static func normalizedCompany(_ company: String) -> String? {
        normalizedCompany(tokens: NameProfile(company).tokens)
    }

    static func normalizedCompany(tokens: [String]) -> String? {
        let kept = tokens.filter { !legalSuffixes.contains($0) }
        return kept.isEmpty ? nil : kept.joined(separator: " ")
    }
}

/// One reason two contacts may be the same: the rule, its score, the fields it compared.
public struct DuplicateEvidence: Sendable, Hashable {
    public var rule: DuplicateSettings.Rule
    /// 0–100.
    public var score: Int
    public var fields: [String]
    public var detail: String

    public var json: JSONValue {
        .object([
            ("rule", .string(rule.rawValue)), ("score", .integer(Int64(score))),
            ("fields", .array(fields.map { .string($0) })), ("detail", .string(detail)),
        ])
    }
}

/// A likely duplicate: the other contact, the best score, and every rule that matched.
public struct DuplicateMatch: Sendable, Hashable {
    public var id: ContactID
    public var score: Int
    public var evidence: [DuplicateEvidence]

    public var json: JSONValue {
        .object([("id", .integer(Int64(id))), ("score", .integer(Int64(score))), ("rules", .array(evidence.map(\.json)))])
    }

    /// The best score of a rule other than the name alone: what an automatic merge goes by (a
    /// name, however close, is never enough to merge without a person looking).
    public var corroboratedScore: Int {
        evidence.filter { $0.rule != .name }.map(\.score).max() ?? 0
    }
}

public enum DuplicateMatcher {
    /// What an email that differs costs a name match (both contacts have one).
    static let emailConflictPenalty = 25
    /// What a company that differs costs a name match (both contacts have one).
    static let companyConflictPenalty = 20

    /// The rules `settings` turns on that say `a` and `b` are alike, scored; nil when none
    /// reaches the threshold. A name match is marked down when the contacts' emails or
    /// companies differ (two people called John Smith at two companies are not one), and a
    /// name match at the same company is the `name_company` rule.
    public static func compare(_ a: DuplicateProfile, _ b: DuplicateProfile, settings: DuplicateSettings) -> DuplicateMatch? {
        var evidence: [DuplicateEvidence] = []
        if settings.isOn(.phone), a.phoneKey == b.phoneKey, !a.phone.isEmpty, a.phone == b.phone {
            evidence.append(DuplicateEvidence(rule: .phone, score: 100, fields: ["phone"], detail: "same number \(a.phone)"))
        }
        if settings.isOn(.nationalPhone), a.nationalKey == b.nationalKey, a.phone != b.phone, a.nationalNumber.utf8.count >= 7, a.nationalNumber == b.nationalNumber {
            evidence.append(DuplicateEvidence(rule: .nationalPhone, score: 90, fields: ["phone"], detail: "national number \(a.nationalNumber) under another country code (\(a.phone), \(b.phone))"))
        }
        if settings.isOn(.email), a.emailKey == b.emailKey, let x = a.email, let y = b.email, x == y {
            evidence.append(DuplicateEvidence(rule: .email, score: 100, fields: ["email"], detail: "same address \(x)"))
        }
        let nameRules = settings.isOn(.name) || settings.isOn(.nameCompany)
        let lengthA = a.name.joined.count, lengthB = b.name.joined.count
        // Names whose lengths alone rule out the threshold skip the edit distance (the sorted and
        // middle-name forms are no shorter; initials are compared only when token counts match).
        let countA = a.name.canonical.count, countB = b.name.canonical.count
        let mayReach = (countA == countB && countA > 1) || (abs(countA - countB) == 1 && min(countA, countB) >= 2)
            || Levenshtein.similarity(distance: abs(lengthA - lengthB), lengthA, lengthB) >= settings.threshold
        if nameRules, mayReach {
            let similarity = NameSimilarity.compare(a.name, b.name, atLeast: settings.threshold)
            if similarity.score >= settings.threshold {
                var score = similarity.score
                var notes: [String] = []
                if let x = a.email, let y = b.email, x != y {
                    score -= emailConflictPenalty
                    notes.append("emails differ")
                }
                let sameCompany = a.company != nil && a.company == b.company
                if let x = a.company, let y = b.company, x != y {
                    score -= companyConflictPenalty
                    notes.append("companies differ")
                }
                let detail = ([similarity.how] + notes).joined(separator: "; ")
                if sameCompany, settings.isOn(.nameCompany) {
                    evidence.append(DuplicateEvidence(rule: .nameCompany, score: min(100, score + 5), fields: ["name", "company"], detail: detail + "; same company"))
                } else if settings.isOn(.name) {
                    evidence.append(DuplicateEvidence(rule: .name, score: max(0, score), fields: ["name"], detail: detail))
                }
            }
        }
        guard let best = evidence.map(\.score).max(), best >= settings.threshold || evidence.contains(where: { $0.rule != .name && $0.rule != .nameCompany }) else {
            return nil
        }
        return DuplicateMatch(id: b.id, score: best, evidence: evidence.sorted { $0.score > $1.score })
    }
}

/// Country calling codes, enough to split an E.164 number into code and national number
/// without parsing it (the codes are prefix-free: ITU-T E.164 assigns 1, 7, a list of two-digit
/// codes, and three digits for the rest).
enum PhoneCountryCodes {
    static let twoDigit: Set<Int> = [
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58,
        60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ]

    /// `+442079460000` → `2079460000`; the digits after `+` when the number is too short.
    static func nationalNumber(ofE164 phone: String) -> Substring {
        let digits = phone.utf8.first == UInt8(ascii: "+") ? phone.dropFirst() : phone[...]
        guard let first = digits.utf8.first, digits.utf8.count > 4 else { return digits }
        if first == UInt8(ascii: "1") || first == UInt8(ascii: "7") { return digits.dropFirst(1) }
        var bytes = digits.utf8.makeIterator()
        let two = Int((bytes.next() ?? 48) &- 48) * 10 + Int((bytes.next() ?? 48) &- 48)
        return twoDigit.contains(two) ? digits.dropFirst(2) : digits.dropFirst(3)
    }
}
