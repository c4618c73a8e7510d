import Dispatch

/// Finding duplicates: the candidates of one contact (`DUP.CHECK`, warnings on writes) and
/// groups over the organization (`DUP.SCAN`). Candidates come from indexes (the phone map, the
/// text index's word and phone-suffix postings), never from comparing every pair.
extension OrganizationState {
    /// Candidates a search for one contact keeps per query.
    static let candidatesPerQuery = 200
    /// What the check a write makes keeps of each search (a write warns of its best three: a
    /// hundred contacts of one name would add nothing but time).
    static let candidatesPerWriteQuery = 32
    /// The most candidates the check a write makes compares (the name keys stop adding there).
    static let candidatesPerWrite = 96

    /// Adopts duplicate keys built off the shard from ``DuplicateKeyIndex/pendingBuild``.
    public mutating func adoptDuplicateKeys(_ built: DuplicateKeyIndex, for marker: AnyObject) {
        duplicateKeys.adopt(built, for: marker)
    }

    /// Likely duplicates of `profile` among the active contacts `caller` may see (not `excluding`),
    /// best first, at most `limit`.
    /// - Complexity: a phone lookup, a phone-suffix lookup, an email text search, a lookup per
    ///   name key (a binary search in a common one), plus a comparison per candidate (at most
    ///   ``candidatesPerWrite`` for a write); `thorough` adds a text search per name token pair.
    ///
    /// Every search looks up the phone, the national number, the email's local part (a trigram
    /// intersection), and the name's blocking keys in ``DuplicateKeyIndex`` (each name token with
    /// the initials of the others: the same name, typos, initials, nicknames, token order), which
    /// bound what they give. That is the check every write makes, at any size of organization,
    /// each search kept to ``candidatesPerWriteQuery`` and the whole to ``candidatesPerWrite``.
    /// `thorough` (`DUP.CHECK`) adds text searches of the name as written and reversed and of each
    /// name token with the initials of the others, each kept to ``candidatesPerQuery``, which find
    /// a little more but walk a common surname's whole posting list.
    public func duplicateCandidates(
        of profile: DuplicateProfile, excluding: ContactID? = nil, settings: DuplicateSettings? = nil, for caller: Caller, limit: Int = 10,
        thorough: Bool = true
    ) -> [DuplicateMatch] {
        let settings = settings ?? duplicateSettings
        // Until the name keys are built (a few seconds after a restart), text searches stand in.
        let thorough = thorough || !duplicateKeys.isBuilt
        let perQuery = thorough ? Self.candidatesPerQuery : Self.candidatesPerWriteQuery
        var candidates = Set<ContactID>()
        let accept: (ContactID) -> Bool = { id in
            guard id != excluding, !self.ignoredPairs.contains(ContactPair(id, profile.id)) || profile.id == 0,
                  let contact = self.contacts[id] else { return false }
            return contact.archivedAt == nil && caller.canSee(contact)
        }
        if settings.isOn(.phone), let id = phoneIndex[profile.phone], accept(id) { candidates.insert(id) }
        if settings.isOn(.nationalPhone), profile.nationalNumber.utf8.count >= 7 {
            for id in textIndex.phoneSuffix(String(profile.nationalNumber.suffix(12)), limit: perQuery) where accept(id) {
                candidates.insert(id)
            }
        }
        if settings.isOn(.email), let written = profile.writtenEmail {
            // The address as typed, without a `+tag`: stored addresses containing its local part,
            // and (when it has dots) those holding each dotted part, so that `john.doe@gmail.com`
            // finds `johndoe+crm@gmail.com` too. The comparison then decides.
            var local = written.split(separator: "@", omittingEmptySubsequences: false).first.map(String.init) ?? written
            if let plus = local.firstIndex(of: "+") { local = String(local[..<plus]) }
            // A write finds the same address through the keys below; `DUP.CHECK` searches text.
            if thorough, local.utf8.count >= 3 {
                for id in textIndex.phraseSearch(local, limit: perQuery, where: accept) { candidates.insert(id) }
            }
            if thorough, local.contains(".") {
                for id in textIndex.search(local.split(separator: ".").joined(separator: " "), limit: Self.candidatesPerQuery, where: accept) {
                    candidates.insert(id)
                }
            }
        }
        // The email's key and the name's keys (the same name among them: equal names share every
        // key and sit side by side in a common key's name order), up to a bound a write can afford.
        let nameRules = settings.isOn(.name) || settings.isOn(.nameCompany)
        if nameRules || settings.isOn(.email) {
            duplicateKeys.candidates(of: profile, email: settings.isOn(.email), names: nameRules) { id in
                if candidates.count < Self.candidatesPerWrite || thorough, !candidates.contains(id), accept(id) { candidates.insert(id) }
            }
        }
        if nameRules, !profile.name.isEmpty {
            if thorough {
                let tokens = profile.name.tokens
                for phrase in Set([tokens.joined(separator: " "), tokens.reversed().joined(separator: " ")]) where phrase.utf8.count >= 3 {
                    for id in textIndex.phraseSearch(phrase, limit: perQuery, where: accept) { candidates.insert(id) }
                }
                for query in Self.nameQueries(profile.name) {
                    for id in textIndex.search(query, limit: Self.candidatesPerQuery, where: accept) { candidates.insert(id) }
                }
            }
        }
        var matches: [DuplicateMatch] = []
        for id in candidates {
            guard let contact = contacts[id] else { continue }
            let other = duplicateProfile(of: contact, settings: settings)
            if let match = DuplicateMatcher.compare(profile, other, settings: settings) { matches.append(match) }
        }
        matches.sort { ($0.score, $1.id) > ($1.score, $0.id) }
        return Array(matches.prefix(limit))
    }

    /// Searches that find a name's likely spellings: each token of two or more letters with the
    /// first letter of another token (`doe j` finds John, Jon and J. Doe), the initials taken
    /// from the token and every nickname of its name (`smith b` and `smith r` for Bob Smith).
    static func nameQueries(_ name: NameProfile) -> [String] {
        let tokens = Array(name.tokens.prefix(4))
        if tokens.count == 1 { return tokens[0].utf8.count >= 2 ? [tokens[0]] : [] }
        var queries: [String] = []
        for (i, token) in tokens.enumerated() where token.utf8.count >= 2 {
            for (j, other) in tokens.enumerated() where j != i {
                // The token's own first letter, its name's, and (ASCII) those of its nicknames.
                var initials = [other.first, name.canonical[j].first].compactMap { $0 }
                initials += (NameKeys.initialBytes[name.canonical[j]] ?? []).map { Character(UnicodeScalar($0)) }
                for initial in Set(initials) { queries.append(token + " " + String(initial)) }
            }
        }
        return Array(Set(queries)).sorted()
    }

    /// A contact's profile, from the folded texts the text index holds when it has them (a
    /// scan builds a million: folding them all again would cost more than comparing them).
    public func duplicateProfile(of contact: Contact, settings: DuplicateSettings) -> DuplicateProfile {
        guard let folded = textIndex.foldedFields(of: contact.id), folded.count >= 3 else { return DuplicateProfile(contact, settings: settings) }
        return DuplicateProfile(
            id: contact.id, foldedName: folded[0], phone: contact.phone, email: contact.email,
            foldedCompany: contact.company == nil ? nil : folded[2], settings: settings)
    }

    /// The likely duplicates of a contact one write stores, as the organization's setting says
    /// to treat them: returned for the reply's `duplicates` (`warn`), or refused (`block`).
    /// An update is checked only when it changes the name, phone, email or company.
    /// - Throws: `LIKELY_DUPLICATE` naming the candidates and their rules (`block`).
    public func likelyDuplicates(of contact: Contact, before: Contact? = nil, by caller: Caller) throws(CallsheetError) -> [DuplicateMatch] {
        guard duplicateSettings.action != .off else { return [] }
        if let before, before.name == contact.name, before.phone == contact.phone, before.email == contact.email, before.company == contact.company {
            return []
        }
        let profile = DuplicateProfile(contact, settings: duplicateSettings)
        let matches = duplicateCandidates(of: profile, excluding: contact.id, for: caller, limit: 3, thorough: false)
        if duplicateSettings.action == .block, !matches.isEmpty {
            throw CallsheetError(.likelyDuplicate, "looks like a duplicate of \(Self.describe(matches)); nothing changed. CONTACT.MERGE them, DUP.IGNORE the pair, or ask an admin to DUP.SETTINGS SET action warn")
        }
        return matches
    }

    /// `contact 12 (email 100, name 88)`, for warnings and errors.
    public static func describe(_ matches: [DuplicateMatch]) -> String {
        matches.map { match in
            "contact \(match.id) (\(match.evidence.map { "\($0.rule.rawValue) \($0.score)" }.joined(separator: ", ")))"
        }.joined(separator: "; ")
    }
}

extension CallsheetError.Code {
    /// A write refused because it looks like a duplicate (`DUP.SETTINGS SET action block`).
    public static let likelyDuplicate = CallsheetError.Code(rawValue: "LIKELY_DUPLICATE")
}

/// Blocking keys of duplicate detection: contacts that share a key are compared.
enum NameKeys {
    /// FNV-1a over `bytes`, `kind` first: keys of different kinds never meet.
    static func hash(_ kind: UInt8, bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        hash = (hash ^ UInt64(kind)) &* 0x0000_0100_0000_01B3
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    /// The first bytes a token's initial may be: its own, and those of its name's nicknames
    /// (`robert` → `r`, `b`), by canonical name.
    static let initialBytes: [String: [UInt8]] = {
        var map: [String: [UInt8]] = [:]
        for (name, nicknames) in Nicknames.groups {
            var bytes: [UInt8] = []
            for word in [name] + nicknames { if let first = word.utf8.first, !bytes.contains(first) { bytes.append(first) } }
            map[name] = bytes
        }
        return map
    }()

    /// Every key of a contact: its email, its national number, and each name token with the
    /// initials of each other token (as ``OrganizationState/nameQueries(_:)`` searches).
    static func keys(of profile: DuplicateProfile, settings: DuplicateSettings, into keys: inout [UInt64]) {
        if settings.isOn(.email), let email = profile.email { keys.append(hash(1, bytes: email.utf8)) }
        if settings.isOn(.nationalPhone) || settings.isOn(.phone), profile.nationalNumber.utf8.count >= 7 {
            keys.append(hash(2, bytes: profile.nationalNumber.utf8))
        }
        guard settings.isOn(.name) || settings.isOn(.nameCompany) else { return }
        nameKeys(written: profile.name.tokens, canonical: profile.name.canonical, into: &keys)
    }

    /// The name's keys (a scan's and ``DuplicateKeyIndex``'s): the only token of a one-token
    /// name; each canonical token of two or more bytes with the first byte of each other token
    /// as written, as canonical, and of its name's nicknames (of the first four tokens).
    static func nameKeys(written: [String], canonical: [String], into keys: inout [UInt64]) {
        let tokens = canonical.prefix(4)
        if tokens.count == 1, let only = tokens.first { keys.append(hash(3, bytes: only.utf8)) }
        for (i, token) in tokens.enumerated() where token.utf8.count >= 2 {
            // FNV-1a of kind 4 and the token, then each initial after a separator.
            var base: UInt64 = 0xcbf2_9ce4_8422_2325
            base = (base ^ 4) &* 0x0000_0100_0000_01B3
            for byte in token.utf8 { base = (base ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
            base = (base ^ 0x7C) &* 0x0000_0100_0000_01B3
            for (j, other) in tokens.enumerated() where j != i {
                let written = written[j].utf8.first
                if let written { keys.append((base ^ UInt64(written)) &* 0x0000_0100_0000_01B3) }
                if let first = other.utf8.first, first != written { keys.append((base ^ UInt64(first)) &* 0x0000_0100_0000_01B3) }
                for byte in initialBytes[other] ?? [] where byte != written && byte != other.utf8.first {
                    keys.append((base ^ UInt64(byte)) &* 0x0000_0100_0000_01B3)
                }
            }
        }
    }
}

extension OrganizationState {
    /// The profile of a contact described by `DUP.CHECK`'s JSON: `name`, `phone` (any format,
    /// read with the organization's region), `email`, `company`, each optional.
    /// - Throws: `INVALID_PHONE` for a phone that cannot be read, `BAD_REQUEST` for a member
    ///   that is not text or an input with none of them.
    public func duplicateProfile(of input: JSONValue, context: PlanningContext) throws(CallsheetError) -> DuplicateProfile {
        func text(_ key: String) throws(CallsheetError) -> String? {
            switch input[key] {
            case nil, .null?: return nil
            case .string(let value)?:
                guard value.utf8.count <= 1024 else { throw CallsheetError(.badRequest, "DUP.CHECK: '\(key)' is longer than 1024 bytes") }
                let trimmed = value.trimmingSpaces()
                return trimmed.isEmpty ? nil : trimmed
            default: throw CallsheetError(.badRequest, "DUP.CHECK: '\(key)' must be text")
            }
        }
        let name = try text("name"), phoneText = try text("phone"), email = try text("email"), company = try text("company")
        guard name != nil || phoneText != nil || email != nil else {
            throw CallsheetError(.badRequest, "DUP.CHECK needs at least one of name, phone or email, e.g. {\"name\":\"Jon Doe\",\"phone\":\"+1 650 253 0000\"}")
        }
        let phone = try phoneText.map { (text) throws(CallsheetError) in try normalizePhone(text, context: context) } ?? ""
        return DuplicateProfile(id: 0, name: name ?? "", phone: phone, email: email, company: company, settings: duplicateSettings)
    }

    /// The summary an import's undo entry carries, which `IMPORT.REVERT` finds it by.
    public static func importSummary(job: String) -> String { "IMPORT \(job)" }
}
