import TextIndex
import Dispatch

/// Contacts that look like one person: linked pairs, each with its explanation.
public struct DuplicateGroup: Sendable {
    public var members: [ContactID]
    /// The weakest link's score: every member is at least this close to another.
    public var score: Int
    /// The pairs that joined the group (a spanning tree of it), with why.
    public var links: [(a: ContactID, match: DuplicateMatch)]

    public var rules: [String] {
        var seen: [String] = []
        for link in links {
            for evidence in link.match.evidence where !seen.contains(evidence.rule.rawValue) { seen.append(evidence.rule.rawValue) }
        }
        return seen
    }
}

/// What `DUP.SCAN` found, with the time each member was last updated, so that a cached group a
/// later write touched is known to be stale.
public struct DuplicateScanResult: Sendable {
    public var groups: [DuplicateGroup]
    public var contacts: Int
    public var comparisons: Int
    public var threshold: Int
    public var stamps: [ContactID: Timestamp]
    public var milliseconds: Int = 0
}

extension OrganizationState {
    /// Blocks at most this large are compared pair by pair; larger ones by sorted neighbourhood.
    static let scanBlock = 24
    /// The neighbours each contact of a large block is compared with, sorted by name.
    static let scanWindow = 4
    /// The most contacts that may share a name for a scan to link two on the name alone.
    static let rareName = 2

    /// The pairs a block of `count` contacts compares: all in a small one, a window each in a large one.
    static func comparisons(in count: Int) -> Int {
        count <= scanBlock ? count * (count - 1) / 2 : count * scanWindow
    }

    /// Groups the active contacts `caller` may see into likely duplicates at `threshold`.
    ///
    /// Blocking: each contact gets keys (email, national number, each name token with the
    /// initials of the others; see ``NameKeys``); contacts sharing a key are compared, all pairs
    /// in a small block and the nearest by sorted name in a large one (sorted neighbourhood).
    /// Comparison and profile building run on two threads. Pairs someone ignored never link.
    /// - Complexity: O(n log n) for n contacts in scope, plus O(n × keys × window) comparisons.
    public func scanDuplicates(for caller: Caller, threshold: Int? = nil) -> DuplicateScanResult {
        scanDuplicates(for: caller, threshold: threshold, progress: DuplicateScanProgress())
            ?? DuplicateScanResult(groups: [], contacts: 0, comparisons: 0, threshold: threshold ?? duplicateSettings.threshold, stamps: [:])
    }

    /// ``scanDuplicates(for:threshold:)`` reporting to `progress` as it goes; nil when
    /// `progress` was cancelled before the scan finished (`DUP.CANCEL`).
    public func scanDuplicates(for caller: Caller, threshold: Int?, progress: DuplicateScanProgress) -> DuplicateScanResult? {
        var chosen = duplicateSettings
        if let threshold { chosen.threshold = threshold }
        let settings = chosen
        let scope: [ContactID]
        if caller.role == .admin {
            scope = Array(orderedIDs)
        } else if let department = caller.departmentID, let ids = departmentIndex[department] {
            scope = Array(ids)
        } else {
            scope = []
        }
        progress.start(total: scope.count)
        progress.enter(.profiles)
        // Profiles and keys, on two threads, each over half of the scope. Each thread puts a key
        // in one of two buckets by its top bit, so that a key's whole block lands in one bucket
        // and the buckets are sorted on the two threads next, with no merge between them.
        let halves = 2
        let parts = ScanParts(count: halves)
        DispatchQueue.concurrentPerform(iterations: halves) { half in
            let range = (scope.count * half / halves)..<(scope.count * (half + 1) / halves)
            var part = ScanPart(halves: halves)
            part.profiles.reserveCapacity(range.count)
            part.nameHashes.reserveCapacity(range.count)
            part.order.reserveCapacity(range.count)
            for bucket in 0..<halves { part.buckets[bucket].reserveCapacity(range.count * 4 / halves) }
            part.ownKeys.reserveCapacity(range.count * 4)
            var buffer: [UInt64] = []
            for position in range {
                if position & 1023 == 1023 {
                    progress.profiled(1024)
                    if progress.isCancelled { break }
                }
                guard let contact = contacts[scope[position]], contact.archivedAt == nil else { continue }
                buffer.removeAll(keepingCapacity: true)
                let (nameHash, order) = appendScanProfile(of: contact, to: &part.profiles, settings: settings, keys: &buffer)
                buffer.sort()
                var unique = 0
                for index in buffer.indices where index == 0 || buffer[index] != buffer[unique - 1] {
                    buffer[unique] = buffer[index]
                    unique += 1
                }
                buffer.removeLast(buffer.count - unique)
                // The profile's index within this half; offset once both halves are known.
                let local = UInt32(part.profiles.count - 1)
                for key in buffer { part.buckets[Int(key >> 63)].append((key, local)) }
                part.ownKeys += buffer
                part.ownStart.append(UInt32(part.ownKeys.count))
                part.nameHashes.append(nameHash)
                part.order.append(order)
            }
            parts.store(half, part)
        }
        guard !progress.isCancelled else { return nil }
        var gathered = ScanProfiles()
        // Each contact's own keys, sorted, at profileKeys[keyStart[i]..<keyStart[i + 1]].
        var profileKeys: [UInt64] = []
        var keyStart: [UInt32] = [0]
        var hashes: [UInt64] = []
        var orderGathered: [UInt64] = []
        var offsets: [UInt32] = []
        for half in 0..<halves {
            let part = parts.parts[half]
            offsets.append(UInt32(gathered.count))
            gathered.append(contentsOf: part.profiles)
            let keyOffset = UInt32(profileKeys.count)
            profileKeys += part.ownKeys
            keyStart += part.ownStart.dropFirst().map { $0 + keyOffset }
            hashes += part.nameHashes
            orderGathered += part.order
        }
        let profiles = gathered.records, arena = gathered.bytes, ids = gathered.ids
        gathered = ScanProfiles()
        let rules = ScanRules(settings)
        let order = orderGathered
        let ownKeys = profileKeys, ownStart = keyStart, halfOffsets = offsets
        // How many contacts in scope share each name (canonical tokens, sorted): a link on the
        // name alone between common names (eleven John Smiths) says little, so it needs a
        // name held by at most ``rareName`` contacts, as record linkage weighs a value by its rarity.
        // Counted by binary search in the sorted hashes (asked only for links on a name alone).
        let profileHashes = hashes
        hashes.sort()
        let nameHashes = hashes
        @Sendable func frequency(_ index: UInt32) -> Int {
            let hash = profileHashes[Int(index)]
            let first = nameHashes.partitioningIndex { $0 >= hash }
            let end = nameHashes.partitioningIndex { $0 > hash }
            return end - first
        }
        // Each bucket sorted on a thread of its own, cut into runs of one key (blocks). Whether
        // each of a contact's keys makes a small block (all pairs compared there): a pair
        // sharing small blocks is compared in the one of its smallest common key only, and a pair
        // of a large block that shares a small one is left to it; the other pairs of large blocks
        // are deduplicated by a set (sorted neighbourhoods of two keys may meet). A key is in one
        // bucket, so the two threads set different flags.
        var small = [Bool](repeating: false, count: profileKeys.count)
        let bucketBlocks = ScanBlocks(count: halves)
        small.withUnsafeMutableBufferPointer { flags in
            let flags = ScanFlags(flags)
            DispatchQueue.concurrentPerform(iterations: halves) { bucket in
                var keys: [(UInt64, UInt32)] = []
                keys.reserveCapacity((0..<halves).reduce(0) { $0 + parts.parts[$1].buckets[bucket].count })
                for half in 0..<halves {
                    let offset = halfOffsets[half]
                    keys += parts.parts[half].buckets[bucket].lazy.map { ($0.0, $0.1 + offset) }
                }
                keys.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                var blocks: [(key: UInt64, members: [UInt32])] = []
                var start = 0
                while start < keys.count {
                    var end = start + 1
                    while end < keys.count, keys[end].0 == keys[start].0 { end += 1 }
                    if end - start > 1 {
                        let members = keys[start..<end].map(\.1)
                        if members.count <= Self.scanBlock {
                            for member in members {
                                for position in Int(ownStart[Int(member)])..<Int(ownStart[Int(member) + 1]) where ownKeys[position] == keys[start].0 {
                                    flags.pointer[position] = true
                                }
                            }
                        }
                        blocks.append((keys[start].0, members))
                    }
                    start = end
                }
                bucketBlocks.store(bucket, blocks)
            }
        }
        parts.parts = []
        let blocks = bucketBlocks.blocks.flatMap { $0 }
        let runs = blocks
        // The blocks split between the threads by the comparisons they hold, not their number.
        var work = 0
        var splitAt = [0]
        let total = blocks.reduce(0) { $0 + Self.comparisons(in: $1.members.count) }
        for (index, block) in blocks.enumerated() {
            work += Self.comparisons(in: block.members.count)
            if splitAt.count < halves, work * halves >= total * splitAt.count { splitAt.append(index + 1) }
        }
        while splitAt.count <= halves { splitAt.append(blocks.count) }
        splitAt[halves] = blocks.count
        let isSmall = small
        let bounds = splitAt
        progress.profiled(scope.count - progress.contactsScanned)
        progress.plan(total)
        progress.enter(.comparing)
        let links = ScanLinks(count: halves)
        DispatchQueue.concurrentPerform(iterations: halves) { half in
          profiles.withUnsafeBufferPointer { all in
          arena.withUnsafeBufferPointer { arena in
            var found: [(UInt32, UInt32, DuplicateMatch)] = []
            var comparisons = 0
            // The pairs of the half's large blocks, compared once each after all are known
            // (sorted neighbourhoods of two keys may meet): room for every pair they may give.
            var largePairs = LargeBlockPairs(contacts: profiles.count, capacity: runs[bounds[half]..<bounds[half + 1]].reduce(0) {
                $0 + ($1.members.count > Self.scanBlock ? Self.comparisons(in: $1.members.count) : 0)
            })
            let checkIgnored = !ignoredPairs.isEmpty
            func fullProfile(_ index: UInt32) -> DuplicateProfile? {
                contacts[ids[Int(index)]].map { duplicateProfile(of: $0, settings: settings) }
            }
            /// The smallest key of a small block both contacts are in, if any.
            /// Both key lists are sorted: one walk along the two finds it.
            func smallestSmallKey(_ x: UInt32, _ y: UInt32) -> UInt64? {
                var i = Int(ownStart[Int(x)]), j = Int(ownStart[Int(y)])
                let endX = Int(ownStart[Int(x) + 1]), endY = Int(ownStart[Int(y) + 1])
                while i < endX, j < endY {
                    let a = ownKeys[i], b = ownKeys[j]
                    if a < b {
                        i += 1
                    } else if b < a {
                        j += 1
                    } else {
                        // One key, one block: its flag is the same in both lists.
                        if isSmall[i] { return a }
                        i += 1
                        j += 1
                    }
                }
                return nil
            }
            /// A pair of a small block, compared in the block of its smallest small key only.
            func compareInSmall(_ x: UInt32, _ y: UInt32, block: UInt64) {
                let (low, high) = x < y ? (x, y) : (y, x)
                guard low != high, smallestSmallKey(low, high) == block else { return }
                compare(low, high)
            }
            /// A pair of a large block, left to a small block they share if any.
            func collectInLarge(_ x: UInt32, _ y: UInt32) {
                let (low, high) = x < y ? (x, y) : (y, x)
                guard low != high, smallestSmallKey(low, high) == nil else { return }
                largePairs.append(low, high)
            }
            func compare(_ low: UInt32, _ high: UInt32) {
                guard !checkIgnored || !ignoredPairs.contains(ContactPair(ids[Int(low)], ids[Int(high)])) else { return }
                comparisons += 1
                // The packed profiles rule out nearly every pair; the rest the matcher compares
                // on full profiles, so that links and their evidence are the matcher's own.
                guard ScanProfiles.mayLink(all[Int(low)], all[Int(high)], arena: arena, rules: rules) else { return }
                guard let a = fullProfile(low), let b = fullProfile(high),
                      var match = DuplicateMatcher.compare(a, b, settings: settings), match.score >= settings.threshold else { return }
                if !match.evidence.contains(where: { $0.rule != .name && $0.score >= settings.threshold }) {
                    // A name alone links two contacts only when neither has an email or company
                    // to tell them apart, and few contacts in scope share the name.
                    guard a.email == nil, b.email == nil, a.company == nil, b.company == nil else { return }
                    let common = max(frequency(low), frequency(high))
                    guard common <= Self.rareName else { return }
                    match.evidence[0].detail += "; name rare in scope"
                }
                found.append((low, high, match))
            }
            var reported = 0
            /// Progress every 1,024 comparisons; false once the scan is cancelled.
            func report() -> Bool {
                guard comparisons - reported >= 1024 else { return true }
                progress.compared(comparisons - reported)
                reported = comparisons
                return !progress.isCancelled
            }
            for (block, members) in runs[bounds[half]..<bounds[half + 1]] {
                guard report() else { break }
                if members.count <= Self.scanBlock {
                    for i in members.indices { for j in (i + 1)..<members.count { compareInSmall(members[i], members[j], block: block) } }
                } else {
                    // Each member's place read once (looking it up per comparison of the sort
                    // missed the cache).
                    let sorted = members.map { (order[Int($0)], $0) }.sorted { $0 < $1 }.map(\.1)
                    for i in sorted.indices {
                        for j in (i + 1)..<min(sorted.count, i + 1 + Self.scanWindow) { collectInLarge(sorted[i], sorted[j]) }
                    }
                }
            }
            largePairs.forEachUnique { low, high in
                guard report() else { return false }
                compare(low, high)
                return true
            }
            progress.compared(comparisons - reported)
            links.store(half, found: found, comparisons: comparisons)
          }
          }
        }
        guard !progress.isCancelled else { return nil }
        progress.enter(.grouping)
        // Union-find over the links, best first, so each group keeps its strongest spanning links.
        // Sorted by index (moving the links themselves retains and releases their evidence).
        let found = links.found.flatMap { $0 }
        let all = found.indices.sorted { (found[$0].2.score, found[$1].0, found[$1].1) > (found[$1].2.score, found[$0].0, found[$0].1) }.map { found[$0] }
        var parent = Array(0..<UInt32(ids.count))
        func root(_ x: UInt32) -> UInt32 {
            var x = x
            while parent[Int(x)] != x {
                parent[Int(x)] = parent[Int(parent[Int(x)])]
                x = parent[Int(x)]
            }
            return x
        }
        var spanning: [(UInt32, UInt32, DuplicateMatch)] = []
        for link in all {
            let a = root(link.0), b = root(link.1)
            guard a != b else { continue }
            parent[Int(max(a, b))] = min(a, b)
            spanning.append(link)
        }
        var byRoot: [UInt32: Int] = [:]
        var groups: [DuplicateGroup] = []
        // Each contact joins its group once (a group of many members stays linear to build).
        var placed = [Bool](repeating: false, count: ids.count)
        for (a, b, match) in spanning {
            let group = root(a)
            let index = byRoot[group] ?? {
                groups.append(DuplicateGroup(members: [], score: 100, links: []))
                byRoot[group] = groups.count - 1
                return groups.count - 1
            }()
            groups[index].links.append((ids[Int(a)], match))
            groups[index].score = min(groups[index].score, match.score)
            for member in [a, b] where !placed[Int(member)] {
                placed[Int(member)] = true
                groups[index].members.append(ids[Int(member)])
            }
        }
        var stamps: [ContactID: Timestamp] = [:]
        for index in groups.indices {
            groups[index].members.sort()
            for id in groups[index].members { stamps[id] = contacts[id]?.updatedAt }
        }
        groups.sort { ($0.score, $1.members[0]) > ($1.score, $0.members[0]) }
        progress.enter(.finished)
        return DuplicateScanResult(
            groups: groups, contacts: ids.count, comparisons: links.comparisons.reduce(0, +), threshold: settings.threshold, stamps: stamps)
    }
}

extension OrganizationState {
    /// Appends a contact's packed profile (and its blocking keys to `keys`), from the folded
    /// texts the text index holds when it has them, as ``duplicateProfile(of:settings:)`` does.
    /// - Returns: its sorted name's hash and place in name order (``ScanProfiles/append``).
    func appendScanProfile(of contact: Contact, to profiles: inout ScanProfiles, settings: DuplicateSettings, keys: inout [UInt64]) -> (UInt64, UInt64) {
        var name: String, company: String?
        if let folded = textIndex.foldedFields(of: contact.id), folded.count >= 3 {
            name = folded[0]
            company = contact.company == nil ? nil : folded[2]
        } else {
            name = TextFolding.fold(contact.name)
            company = contact.company.map(TextFolding.fold)
        }
        return name.withUTF8 { name in
            guard var company else {
                return profiles.append(id: contact.id, foldedName: name, phone: contact.phone, email: contact.email, foldedCompany: nil, settings: settings, keys: &keys)
            }
            return company.withUTF8 { company in
                profiles.append(id: contact.id, foldedName: name, phone: contact.phone, email: contact.email, foldedCompany: company, settings: settings, keys: &keys)
            }
        }
    }
}

/// What one thread of a scan's first phase builds over its half of the scope.
private struct ScanPart {
    var profiles = ScanProfiles()
    /// (key, index of the profile in this half), in one bucket per thread of the next phase.
    var buckets: [[(UInt64, UInt32)]]
    /// Each profile's own keys, sorted, at ownKeys[ownStart[i]..<ownStart[i + 1]].
    var ownKeys: [UInt64] = []
    var ownStart: [UInt32] = [0]
    /// Each profile's sorted name, hashed (how common it is) and its first eight bytes (order).
    var nameHashes: [UInt64] = []
    var order: [UInt64] = []

    init(halves: Int) { buckets = Array(repeating: [], count: halves) }
}

/// The halves of a scan's first phase: `@unchecked Sendable` because each thread writes only
/// its own index, and the threads of the next phase only read them
/// them after both finished.
private final class ScanParts: @unchecked Sendable {
    var parts: [ScanPart]
    init(count: Int) { parts = Array(repeating: ScanPart(halves: count), count: count) }
    func store(_ half: Int, _ part: ScanPart) { parts[half] = part }
}

/// Each bucket's blocks (as ``ScanParts``).
private final class ScanBlocks: @unchecked Sendable {
    var blocks: [[(key: UInt64, members: [UInt32])]]
    init(count: Int) { blocks = Array(repeating: [], count: count) }
    func store(_ bucket: Int, _ blocks: [(key: UInt64, members: [UInt32])]) { self.blocks[bucket] = blocks }
}

/// The small-block flags of every contact's keys: `@unchecked Sendable` because each thread
/// sets the flags of its own bucket's keys only (different elements), and the scan reads them
/// after both finished.
private struct ScanFlags: @unchecked Sendable {
    let pointer: UnsafeMutableBufferPointer<Bool>
    init(_ pointer: UnsafeMutableBufferPointer<Bool>) { self.pointer = pointer }
}

/// The halves of a scan's comparisons (as ``ScanParts``).
private final class ScanLinks: @unchecked Sendable {
    var found: [[(UInt32, UInt32, DuplicateMatch)]]
    var comparisons: [Int]
    init(count: Int) {
        found = Array(repeating: [], count: count)
        comparisons = Array(repeating: 0, count: count)
    }
    func store(_ half: Int, found: [(UInt32, UInt32, DuplicateMatch)], comparisons: Int) {
        self.found[half] = found
        self.comparisons[half] = comparisons
    }
}
