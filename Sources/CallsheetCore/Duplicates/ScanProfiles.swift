import TextIndex

/// What a scan compares of one contact, as plain values: no class and no reference count, so
/// that each of a scan's millions of comparisons reads two records and a few bytes of its
/// arena (``ScanProfiles``) instead of retaining and releasing two ``DuplicateProfile``s.
///
/// Texts a comparison only asks "equal?" of (phone, national number, email, company) are kept as
/// hashes; the name's canonical forms as bytes in the arena. Two records decide whether a scan
/// may link the pair (``ScanProfiles/mayLink(_:_:arena:rules:)``); the few pairs it may are
/// compared by the matcher itself on full profiles, so that a scan's results are the matcher's,
/// evidence and all.
struct ScanProfile {
    /// ``NameKeys/hash(_:bytes:)`` of kind 6 of the E.164 phone, the national number and the
    /// normalized email (as ``DuplicateProfile``'s), and of kind 7 of the normalized company.
    var phoneKey: UInt64
    var nationalKey: UInt64
    var emailKey: UInt64
    var companyKey: UInt64
    /// The byte bag of the canonical name joined (``NameProfile/bag``).
    var bag: SIMD16<UInt8>
    /// Where the canonical tokens joined by spaces start in the arena, and the sorted ones (the
    /// same offset when the tokens are in order).
    var joinedStart: UInt32
    var sortedStart: UInt32
    var joinedCount: UInt16
    var tokenCount: UInt8
    var flags: Flags

    struct Flags: OptionSet {
        let rawValue: UInt8
        static let hasPhone = Flags(rawValue: 1)
        /// A national number of at least seven digits (the `nationalPhone` rule's minimum).
        static let longNational = Flags(rawValue: 2)
        static let hasEmail = Flags(rawValue: 4)
        static let hasCompany = Flags(rawValue: 8)
        /// A token as written of one byte (``NameProfile/hasInitial``).
        static let hasInitial = Flags(rawValue: 16)
        /// The email or company holds non-ASCII bytes: two of them that differ in bytes may still
        /// be equal as `String`s (canonical equivalence), so a hash that differs proves nothing.
        static let unicodeEmail = Flags(rawValue: 32)
        static let unicodeCompany = Flags(rawValue: 64)
    }
}

/// The rules of the settings a scan compares with, read once.
struct ScanRules {
    var phone: Bool
    var nationalPhone: Bool
    var email: Bool
    var name: Bool
    var nameCompany: Bool
    var threshold: Int

    init(_ settings: DuplicateSettings) {
        phone = settings.isOn(.phone)
        nationalPhone = settings.isOn(.nationalPhone)
        email = settings.isOn(.email)
        name = settings.isOn(.name)
        nameCompany = settings.isOn(.nameCompany)
        threshold = settings.threshold
    }
}

/// The profiles a scan compares, packed: one record per contact and every name's bytes in one
/// arena (a thread builds its own; ``append(contentsOf:)`` joins them).
struct ScanProfiles {
    private(set) var records: [ScanProfile] = []
    private(set) var bytes: [UInt8] = []
    private(set) var ids: [ContactID] = []

    /// Scratch reused from one contact to the next (no allocation per contact).
    private var tokens = TokenScratch()
    private var emailBytes: [UInt8] = []

    var count: Int { records.count }

    mutating func reserveCapacity(_ count: Int) {
        records.reserveCapacity(count)
        ids.reserveCapacity(count)
        bytes.reserveCapacity(count * 32)
    }

    /// Another thread's profiles after these, their arena offsets moved along.
    mutating func append(contentsOf other: ScanProfiles) {
        let shift = UInt32(bytes.count)
        bytes += other.bytes
        ids += other.ids
        records += other.records.lazy.map { record in
            var moved = record
            moved.joinedStart += shift
            moved.sortedStart += shift
            return moved
        }
    }

    /// Appends a contact's profile from the texts the text index folded (`foldedName`,
    /// `foldedCompany`; nil for a contact without a company), and its blocking keys to `keys`
    /// (unsorted, as ``NameKeys/keys(of:settings:into:)`` gives them).
    /// - Returns: the hash of the sorted canonical name (kind 5) and its first eight bytes (the
    ///   scan's name order).
    mutating func append(
        id: ContactID, foldedName: UnsafeBufferPointer<UInt8>, phone: String, email: String?, foldedCompany: UnsafeBufferPointer<UInt8>?,
        settings: DuplicateSettings, keys: inout [UInt64]
    ) -> (nameHash: UInt64, order: UInt64) {
        var flags: ScanProfile.Flags = []
        // Phone and national number, as DuplicateProfile's.
        let national = PhoneCountryCodes.nationalNumber(ofE164: phone)
        if !phone.isEmpty { flags.insert(.hasPhone) }
        if national.utf8.count >= 7 { flags.insert(.longNational) }
        let phoneKey = NameKeys.hash(6, bytes: phone.utf8)
        let nationalKey = NameKeys.hash(6, bytes: national.utf8)
        // Email: lower-cased, Gmail's rules (DuplicateProfile.normalizedEmail(lowered:gmail:)).
        var emailKey: UInt64 = 0
        if let email {
            flags.insert(.hasEmail)
            if !Self.normalizeEmail(email, gmail: settings.gmailNormalization, into: &emailBytes) { flags.insert(.unicodeEmail) }
            emailKey = NameKeys.hash(6, bytes: emailBytes)
            if settings.isOn(.email) { keys.append(NameKeys.hash(1, bytes: emailBytes)) }
        }
        if settings.isOn(.nationalPhone) || settings.isOn(.phone), flags.contains(.longNational) {
            keys.append(NameKeys.hash(2, bytes: national.utf8))
        }
        // Company: its tokens without legal suffixes, joined (DuplicateProfile.normalizedCompany).
        var companyKey: UInt64 = 0
        if let foldedCompany {
            let (key, unicode) = Self.companyKey(ofFolded: foldedCompany, scratch: &tokens)
            if let key {
                flags.insert(.hasCompany)
                companyKey = key
                if unicode { flags.insert(.unicodeCompany) }
            }
        }
        // Name: tokens, canonical tokens joined, sorted and joined, into the arena.
        tokens.split(foldedName)
        if tokens.hasInitial { flags.insert(.hasInitial) }
        let joinedStart = bytes.count
        tokens.canonicalize(foldedName, into: &bytes)
        let joinedCount = bytes.count - joinedStart
        var bag = SIMD16<UInt8>()
        for index in joinedStart..<bytes.count { bag[Int(bytes[index] & 15)] &+= 1 }
        let sortedStart = tokens.appendSorted(to: &bytes, joinedStart: joinedStart)
        if settings.isOn(.name) || settings.isOn(.nameCompany) {
            tokens.nameKeys(foldedName, arena: bytes, into: &keys)
        }
        records.append(ScanProfile(
            phoneKey: phoneKey, nationalKey: nationalKey, emailKey: emailKey, companyKey: companyKey, bag: bag,
            joinedStart: UInt32(joinedStart), sortedStart: UInt32(sortedStart), joinedCount: UInt16(joinedCount),
            tokenCount: UInt8(clamping: tokens.count), flags: flags))
        ids.append(id)
        return bytes.withUnsafeBufferPointer { arena in
            let sorted = UnsafeBufferPointer(rebasing: arena[sortedStart..<(sortedStart + joinedCount)])
            var order: UInt64 = 0
            for index in 0..<8 { order = order << 8 | UInt64(index < sorted.count ? sorted[index] : 0) }
            return (NameKeys.hash(5, bytes: sorted), order)
        }
    }

    /// `email` lower-cased and normalized as ``DuplicateProfile/normalizedEmail(lowered:gmail:)``
    /// does, into `out`; false when it is not ASCII (lower-cased by `String` then).
    private static func normalizeEmail(_ email: String, gmail: Bool, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var ascii = true
        for byte in email.utf8 {
            if byte >= 0x80 { ascii = false; break }
            out.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
        }
        if !ascii {
            out.removeAll(keepingCapacity: true)
            out += email.lowercased().utf8
        }
        guard gmail, let at = out.lastIndex(of: UInt8(ascii: "@")) else { return ascii }
        let domain = out[(at + 1)...]
        guard domain.elementsEqual("gmail.com".utf8) || domain.elementsEqual("googlemail.com".utf8) else { return ascii }
        var kept = 0
        for index in 0..<at {
            let byte = out[index]
            if byte == UInt8(ascii: "+") { break }
            if byte != UInt8(ascii: ".") {
                out[kept] = byte
                kept += 1
            }
        }
        out.removeSubrange(kept...)
        out += "@gmail.com".utf8
        return ascii
    }

    /// The hash (kind 7) of a folded company's tokens without legal suffixes, joined by spaces;
    /// nil when nothing is left. Also whether a kept token is not ASCII.
    private static func companyKey(ofFolded folded: UnsafeBufferPointer<UInt8>, scratch: inout TokenScratch) -> (UInt64?, Bool) {
        scratch.split(folded)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        hash = (hash ^ 7) &* 0x0000_0100_0000_01B3
        var kept = 0
        var unicode = false
        for token in scratch.written {
            let bytes = UnsafeBufferPointer(rebasing: folded[token.start..<(token.start + token.count)])
            guard !LegalSuffixes.contains(bytes) else { continue }
            if kept > 0 { hash = (hash ^ 0x20) &* 0x0000_0100_0000_01B3 }
            for byte in bytes {
                if byte >= 0x80 { unicode = true }
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            }
            kept += 1
        }
        return (kept == 0 ? nil : hash, unicode)
    }
}

/// ``DuplicateProfile/legalSuffixes`` by bytes: an ASCII token is one when its bytes are; any
/// other is looked up as a `String` (canonical equivalence, as the set does).
enum LegalSuffixes {
    static let byLength: [[[UInt8]]] = {
        var table = [[[UInt8]]](repeating: [], count: 16)
        for suffix in DuplicateProfile.legalSuffixes { table[suffix.utf8.count].append(Array(suffix.utf8)) }
        return table
    }()

    static func contains(_ token: UnsafeBufferPointer<UInt8>) -> Bool {
        if token.contains(where: { $0 >= 0x80 }) {
            return DuplicateProfile.legalSuffixes.contains(String(decoding: token, as: UTF8.self))
        }
        guard token.count < byLength.count else { return false }
        return byLength[token.count].contains { $0.elementsEqual(token) }
    }
}

/// The nickname table by bytes (``Nicknames/canonical``, ``NameKeys/initialBytes``): ASCII
/// tokens are looked up by their bytes, others as `String`s, so that both answer as the
/// `String`-keyed tables do.
enum NicknameBytes {
    struct Entry {
        var token: [UInt8]
        /// The name it stands for, when it is a nickname of another.
        var canonical: [UInt8]?
        /// The initials of its name's nicknames, when it is a name of the table.
        var initials: [UInt8]?
    }

    static let table: [UInt64: [Entry]] = {
        var entries: [String: Entry] = [:]
        for (nickname, name) in Nicknames.canonical where nickname != name {
            entries[nickname, default: Entry(token: Array(nickname.utf8))].canonical = Array(name.utf8)
        }
        for (name, initials) in NameKeys.initialBytes {
            entries[name, default: Entry(token: Array(name.utf8))].initials = initials
        }
        var table: [UInt64: [Entry]] = [:]
        for entry in entries.values { table[NameKeys.hash(0, bytes: entry.token), default: []].append(entry) }
        return table
    }()

    static func entry(_ token: UnsafeBufferPointer<UInt8>) -> Entry? {
        table[NameKeys.hash(0, bytes: token)]?.first { $0.token.elementsEqual(token) }
    }

    static func isASCII(_ token: UnsafeBufferPointer<UInt8>) -> Bool { !token.contains { $0 >= 0x80 } }
}

/// A name's tokens while a profile is built: where each is in the folded text, and where its
/// canonical form is in the arena. Reused from one contact to the next.
struct TokenScratch {
    struct Token {
        var start: Int
        var count: Int
    }

    /// The tokens as written: ranges of the folded text.
    var written: [Token] = []
    /// The canonical tokens: ranges of the arena (in the joined form).
    var canonical: [Token] = []
    var hasInitial = false
    private var order: [Int] = []
    /// A canonical token that is not ASCII, held as a `String` for the nickname table.
    private var unicodeCanonical: [Int: String] = [:]

    var count: Int { written.count }

    /// Splits folded text into tokens as ``NameProfile/tokens(ofFolded:)`` does: runs of ASCII
    /// letters and digits and of bytes ≥ 0x80, in the first ``NameProfile/comparedBytes`` bytes.
    mutating func split(_ folded: UnsafeBufferPointer<UInt8>) {
        written.removeAll(keepingCapacity: true)
        hasInitial = false
        var start = -1
        let end = min(folded.count, NameProfile.comparedBytes)
        for index in 0...end {
            let byte: UInt8 = index < end ? folded[index] : 0x20
            if (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39) || byte >= 0x80 {
                if start < 0 { start = index }
            } else if start >= 0 {
                written.append(Token(start: start, count: index - start))
                if index - start == 1 { hasInitial = true }
                start = -1
            }
        }
    }

    /// Appends the canonical tokens (nicknames replaced) joined by spaces to `arena`.
    mutating func canonicalize(_ folded: UnsafeBufferPointer<UInt8>, into arena: inout [UInt8]) {
        canonical.removeAll(keepingCapacity: true)
        unicodeCanonical.removeAll(keepingCapacity: true)
        for (index, token) in written.enumerated() {
            if index > 0 { arena.append(0x20) }
            let bytes = UnsafeBufferPointer(rebasing: folded[token.start..<(token.start + token.count)])
            let start = arena.count
            if NicknameBytes.isASCII(bytes) {
                if let name = NicknameBytes.entry(bytes)?.canonical { arena += name } else { arena += bytes }
            } else {
                let text = String(decoding: bytes, as: UTF8.self)
                let name = Nicknames.canonical[text].flatMap { $0 != text ? $0 : nil } ?? text
                unicodeCanonical[index] = name
                arena += name.utf8
            }
            canonical.append(Token(start: start, count: arena.count - start))
        }
    }

    /// Appends the canonical tokens sorted (as `[String].sorted()` orders them) and joined,
    /// unless they are in order already. Returns where the sorted form starts.
    mutating func appendSorted(to arena: inout [UInt8], joinedStart: Int) -> Int {
        guard canonical.count > 1 else { return joinedStart }
        let inOrder = arena.withUnsafeBufferPointer { bytes in
            (1..<canonical.count).allSatisfy { !precedes(canonical[$0], canonical[$0 - 1], bytes, $0, $0 - 1) }
        }
        guard !inOrder else { return joinedStart }
        // Out of self while sorted (the comparison reads self), its capacity kept.
        var order = self.order
        self.order = []
        order.removeAll(keepingCapacity: true)
        order += canonical.indices
        arena.withUnsafeBufferPointer { bytes in
            order.sort { precedes(canonical[$0], canonical[$1], bytes, $0, $1) }
        }
        defer { self.order = order }
        let start = arena.count
        for (position, index) in order.enumerated() {
            if position > 0 { arena.append(0x20) }
            let token = canonical[index]
            for offset in token.start..<(token.start + token.count) { arena.append(arena[offset]) }
        }
        return start
    }

    /// Whether canonical token `x` (number `i`) sorts before `y` (number `j`) as `String`s do:
    /// by bytes when both are ASCII.
    private func precedes(_ x: Token, _ y: Token, _ bytes: UnsafeBufferPointer<UInt8>, _ i: Int, _ j: Int) -> Bool {
        let a = UnsafeBufferPointer(rebasing: bytes[x.start..<(x.start + x.count)])
        let b = UnsafeBufferPointer(rebasing: bytes[y.start..<(y.start + y.count)])
        if unicodeCanonical.isEmpty || (unicodeCanonical[i] == nil && unicodeCanonical[j] == nil) {
            return a.lexicographicallyPrecedes(b)
        }
        return String(decoding: a, as: UTF8.self) < String(decoding: b, as: UTF8.self)
    }

    /// The name's blocking keys, as ``NameKeys/nameKeys(written:canonical:into:)`` makes them from
    /// `String`s: the only token of a one-token name; each canonical token of two or more bytes
    /// with the first byte of each other token as written, as canonical, and of its nicknames.
    func nameKeys(_ folded: UnsafeBufferPointer<UInt8>, arena: [UInt8], into keys: inout [UInt64]) {
        let tokens = min(canonical.count, 4)
        arena.withUnsafeBufferPointer { arena in
            func bytes(_ token: Token) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: arena[token.start..<(token.start + token.count)]) }
            if tokens == 1 { keys.append(NameKeys.hash(3, bytes: bytes(canonical[0]))) }
            for i in 0..<tokens where canonical[i].count >= 2 {
                // FNV-1a of kind 4 and the token, then each initial after a separator.
                var base: UInt64 = 0xcbf2_9ce4_8422_2325
                base = (base ^ 4) &* 0x0000_0100_0000_01B3
                for byte in bytes(canonical[i]) { base = (base ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
                base = (base ^ 0x7C) &* 0x0000_0100_0000_01B3
                for j in 0..<tokens where j != i {
                    let written = folded[self.written[j].start]
                    let first = arena[canonical[j].start]
                    keys.append((base ^ UInt64(written)) &* 0x0000_0100_0000_01B3)
                    if first != written { keys.append((base ^ UInt64(first)) &* 0x0000_0100_0000_01B3) }
                    for byte in initials(of: j, bytes(canonical[j])) where byte != written && byte != first {
                        keys.append((base ^ UInt64(byte)) &* 0x0000_0100_0000_01B3)
                    }
                }
            }
        }
    }

    /// ``NameKeys/initialBytes`` of canonical token `index`.
    private func initials(of index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        if !unicodeCanonical.isEmpty, let text = unicodeCanonical[index] { return NameKeys.initialBytes[text] ?? [] }
        return NicknameBytes.entry(bytes)?.initials ?? []
    }
}

extension ScanProfiles {
    /// Whether a scan may link the two contacts: false only when it surely does not, that is
    /// when ``DuplicateMatcher/compare(_:_:settings:)`` surely gives no match scored at least
    /// the threshold, or one whose only evidence is the `name` rule while a contact has an email
    /// or a company (which the scan never links on the name alone).
    ///
    /// Equal hashes of a phone, national number or email may link. A name may when its
    /// similarity, measured as ``NameSimilarity/compare(_:_:atLeast:)`` measures it, reaches the
    /// threshold: with the same company (`name_company`) after the penalty of emails that surely
    /// differ and the bonus of the company; else (`name`) only between contacts without email
    /// or company, whose score has no penalty.
    /// - Complexity: O(1) for most pairs (lengths and byte bags rule them out), else banded
    ///   edit distances of the names' forms.
    static func mayLink(_ a: ScanProfile, _ b: ScanProfile, arena: UnsafeBufferPointer<UInt8>, rules: ScanRules) -> Bool {
        if rules.phone, a.phoneKey == b.phoneKey, a.flags.contains(.hasPhone) { return true }
        if rules.nationalPhone, a.nationalKey == b.nationalKey, a.flags.contains(.longNational) { return true }
        let bothEmails = a.flags.contains(.hasEmail) && b.flags.contains(.hasEmail)
        if rules.email, bothEmails, a.emailKey == b.emailKey { return true }
        guard rules.name || rules.nameCompany else { return false }
        let threshold = rules.threshold
        // The matcher's own shortcut: lengths that alone rule the threshold out.
        let lengthA = Int(a.joinedCount), lengthB = Int(b.joinedCount)
        let countA = Int(a.tokenCount), countB = Int(b.tokenCount)
        let mayReach = (countA == countB && countA > 1) || (abs(countA - countB) == 1 && min(countA, countB) >= 2)
            || Levenshtein.similarity(distance: abs(lengthA - lengthB), lengthA, lengthB) >= threshold
        guard mayReach else { return false }
        // The similarity must reach the threshold, and so must the score the rule makes of it.
        let either = a.flags.union(b.flags)
        let needed: Int
        let sameCompany = a.flags.contains(.hasCompany) && b.flags.contains(.hasCompany)
            && (a.companyKey == b.companyKey || either.contains(.unicodeCompany))
        if rules.nameCompany, sameCompany {
            let emailsDiffer = bothEmails && a.emailKey != b.emailKey && !either.contains(.unicodeEmail)
            needed = max(threshold, threshold - 5 + (emailsDiffer ? DuplicateMatcher.emailConflictPenalty : 0))
        } else {
            guard rules.name, !either.contains(.hasEmail), !either.contains(.hasCompany) else { return false }
            needed = threshold
        }
        guard needed > 0 else { return true }
        guard needed <= 100 else { return false }
        return nameSimilarity(a, b, arena: arena, atLeast: needed) >= needed
    }

    /// ``NameSimilarity/compare(_:_:atLeast:)``'s score before nicknames mark it down (an exact
    /// match through a nickname is 96 there): so never below it, and equal to it when neither
    /// name has a nickname. Like it, a score below `minimum` (≥ 1) may be reported as 0.
    static func nameSimilarity(_ a: ScanProfile, _ b: ScanProfile, arena: UnsafeBufferPointer<UInt8>, atLeast minimum: Int) -> Int {
        guard a.tokenCount > 0, b.tokenCount > 0 else { return 0 }
        let joinedA = form(a.joinedStart, a.joinedCount, arena), joinedB = form(b.joinedStart, b.joinedCount, arena)
        var best = 0
        func measure(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Int? {
            let limit = Levenshtein.limit(forSimilarity: minimum, x.count, y.count)
            guard let distance = Levenshtein.distance(x, y, atMost: limit) else { return nil }
            return Levenshtein.similarity(distance: distance, x.count, y.count)
        }
        // Both plain forms hold the same bytes: the bags rule both out at once.
        let bagsAllow = bagDistance(a.bag, b.bag) <= Levenshtein.limit(forSimilarity: minimum, joinedA.count, joinedB.count)
        if bagsAllow, let score = measure(joinedA, joinedB) { best = score }
        if bagsAllow, best < 100, a.tokenCount > 1 || b.tokenCount > 1,
           let score = measure(form(a.sortedStart, a.joinedCount, arena), form(b.sortedStart, b.joinedCount, arena)), score > best {
            best = score
        }
        let countA = Int(a.tokenCount), countB = Int(b.tokenCount)
        if best < minimum, a.flags.union(b.flags).contains(.hasInitial), countA == countB, countA > 1 {
            best = max(best, initialsScore(joinedA, joinedB, count: countA))
        }
        if best < minimum, abs(countA - countB) == 1, min(countA, countB) >= 2 {
            let (long, short) = countA > countB ? (joinedA, joinedB) : (joinedB, joinedA)
            let longCount = max(countA, countB)
            // A middle name left out: only names of three or four tokens have those forms.
            if (3...4).contains(longCount) {
                withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: longCount) { ranges in
                    tokenRanges(long, into: ranges)
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: long.count) { fewer in
                        for skipped in 0..<longCount {
                            let length = joined(long, ranges: ranges, without: skipped, into: fewer)
                            if let similarity = measure(UnsafeBufferPointer(rebasing: fewer[..<length]), short) { best = max(best, min(95, similarity)) }
                        }
                    }
                }
            }
        }
        return best
    }

    private static func form(_ start: UInt32, _ count: UInt16, _ arena: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: arena[Int(start)..<(Int(start) + Int(count))])
    }

    /// ``NameProfile/bagDistance(_:_:)`` of two bags.
    static func bagDistance(_ a: SIMD16<UInt8>, _ b: SIMD16<UInt8>) -> Int {
        let low = pointwiseMin(a, b)
        return max(Int((a &- low).wrappedSum()), Int((b &- low).wrappedSum()))
    }

    /// The tokens of a joined form (split at spaces), as ranges.
    private static func tokenRanges(_ joined: UnsafeBufferPointer<UInt8>, into ranges: UnsafeMutableBufferPointer<Range<Int>>) {
        var start = 0, index = 0
        for position in 0...joined.count where position == joined.count || joined[position] == 0x20 {
            ranges[index] = start..<position
            index += 1
            start = position + 1
        }
    }

    /// The tokens of `joined` but number `skipped` (of `ranges`, its tokens), joined by spaces
    /// into `out`; its length.
    private static func joined(
        _ joined: UnsafeBufferPointer<UInt8>, ranges: UnsafeMutableBufferPointer<Range<Int>>, without skipped: Int, into out: UnsafeMutableBufferPointer<UInt8>
    ) -> Int {
        var length = 0
        for index in ranges.indices where index != skipped {
            if length > 0 {
                out[length] = 0x20
                length += 1
            }
            for position in ranges[index] {
                out[length] = joined[position]
                length += 1
            }
        }
        return length
    }

    /// ``NameSimilarity``'s initials rule over two joined canonical names of `count` tokens each:
    /// in order, then the second reversed; 0 when neither pairs.
    private static func initialsScore(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>, count: Int) -> Int {
        withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: 2 * count) { ranges in
            let x = UnsafeMutableBufferPointer(rebasing: ranges[..<count]), y = UnsafeMutableBufferPointer(rebasing: ranges[count...])
            tokenRanges(a, into: x)
            tokenRanges(b, into: y)
            let forward = initialsScore(count: count) { (UnsafeBufferPointer(rebasing: a[x[$0]]), UnsafeBufferPointer(rebasing: b[y[$0]])) }
            let reversed = initialsScore(count: count) { (UnsafeBufferPointer(rebasing: a[x[$0]]), UnsafeBufferPointer(rebasing: b[y[count - 1 - $0]])) }
            return max(forward ?? 0, reversed ?? 0)
        }
    }

    /// Tokens paired in order (``NameSimilarity``'s private `initialsScore`): each pair equal, or
    /// one a single byte that starts the other. Nil unless an initial pairs and every other
    /// token matches closely.
    private static func initialsScore(count: Int, pair: (Int) -> (UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>)) -> Int? {
        var initials = 0
        var worst = 100
        for index in 0..<count {
            let (x, y) = pair(index)
            if equalTokens(x, y) { continue }
            if x.count == 1 || y.count == 1 {
                guard x.first == y.first else { return nil }
                initials += 1
                continue
            }
            let distance = Levenshtein.distance(x, y)
            worst = min(worst, Levenshtein.similarity(distance: distance, x.count, y.count))
        }
        guard initials > 0, initials < count else { return nil }
        return min(92, worst) - (initials - 1) * 4
    }

    /// Tokens equal as `String`s are: by bytes when ASCII, else by canonical equivalence.
    private static func equalTokens(_ x: UnsafeBufferPointer<UInt8>, _ y: UnsafeBufferPointer<UInt8>) -> Bool {
        if x.elementsEqual(y) { return true }
        guard x.contains(where: { $0 >= 0x80 }) || y.contains(where: { $0 >= 0x80 }) else { return false }
        return String(decoding: x, as: UTF8.self) == String(decoding: y, as: UTF8.self)
    }
}

/// The pairs one thread's large blocks give, each as one number (`low`, then `high`, in the
/// bits the scope's size needs), sorted by radix and compared once each: sorted neighbourhoods
/// of two keys may give a pair twice. (A `Set<UInt64>` of them was 13% of a scan, an
/// open-addressing table 23%: both a cache miss per pair; sorting reads and writes in order.)
struct LargeBlockPairs {
    private var pairs: [UInt64] = []
    /// Bits of `high` (of a contact's index).
    private let indexBits: Int

    init(contacts: Int, capacity: Int) {
        indexBits = max(1, Int.bitWidth - max(1, contacts).leadingZeroBitCount)
        pairs.reserveCapacity(capacity)
    }

    mutating func append(_ low: UInt32, _ high: UInt32) {
        pairs.append(UInt64(low) << UInt64(indexBits) | UInt64(high))
    }

    /// Calls `body` with each pair once, by `low` then `high`, until it returns false.
    mutating func forEachUnique(_ body: (UInt32, UInt32) -> Bool) {
        Self.radixSort(&pairs, bits: 2 * indexBits)
        let mask = UInt64(1) << UInt64(indexBits) - 1
        var previous: UInt64?
        for pair in pairs where pair != previous {
            previous = pair
            guard body(UInt32(pair >> UInt64(indexBits)), UInt32(pair & mask)) else { return }
        }
    }

    /// Sorts `keys` (each below `2^bits`) ascending: least significant 11 bits first, a digit
    /// every key shares skipped.
    /// - Complexity: O(n × bits / 11).
    static func radixSort(_ keys: inout [UInt64], bits: Int) {
        guard keys.count > 1 else { return }
        let digitBits = 11, buckets = 1 << digitBits
        var scratch = [UInt64](repeating: 0, count: keys.count)
        var counts = [Int](repeating: 0, count: buckets)
        var shift = 0
        while shift < bits {
            let moved = keys.withUnsafeMutableBufferPointer { source in
                scratch.withUnsafeMutableBufferPointer { target in
                    counts.withUnsafeMutableBufferPointer { counts -> Bool in
                        counts.update(repeating: 0)
                        for key in source { counts[Int(truncatingIfNeeded: key >> UInt64(shift)) & (buckets - 1)] += 1 }
                        guard !counts.contains(source.count) else { return false }
                        var start = 0
                        for digit in 0..<buckets {
                            let count = counts[digit]
                            counts[digit] = start
                            start += count
                        }
                        for key in source {
                            let digit = Int(truncatingIfNeeded: key >> UInt64(shift)) & (buckets - 1)
                            target[counts[digit]] = key
                            counts[digit] += 1
                        }
                        return true
                    }
                }
            }
            // The pass wrote the keys to the scratch array: it holds them now.
            if moved { swap(&keys, &scratch) }
            shift += digitBits
        }
    }
}
