/// Finds documents whose phone digits end with 4 to 12 given digits — caller-id matching when
/// the number arrives without its country code (`2530000` or `6502530000` finds
/// `16502530000`).
///
/// Numbers are bucketed by their last four digits (10,000 buckets). Inside a bucket each entry
/// is one `UInt64`: the next eight digits from the end, reversed, as nibbles `digit + 1` (0
/// where the number is shorter), above the 32-bit slot; entries are kept sorted. Ending with a
/// suffix is then a prefix of the reversed digits, a contiguous range found by binary search,
/// so lookups are exact without storing the numbers. About 8 bytes a number plus bucket slack.
public struct PhoneSuffixIndex: Sendable {
    /// The shortest suffix a lookup accepts.
    public static let minimumDigits = 4
    /// The longest suffix compared; longer queries are compared on their last 12 digits.
    public static let maximumDigits = 12

    var buckets: [[UInt64]] = Array(repeating: [], count: 10_000)

    /// The number of (slot, number) entries.
    public internal(set) var count = 0

    /// An empty index.
    public init() {}

    /// Adds `doc` under the number `digits` (non-digits are ignored; numbers under four digits
    /// are not indexed). A document can have several numbers.
    ///
    /// - Complexity: O(log *b* + *b*) for a bucket of *b* entries (about 100 at a million).
    public mutating func insert(_ doc: UInt32, digits: String) {
        guard let (bucket, entry) = Self.entry(doc, digits: digits) else { return }
        let position = Self.lowerBound(entry, in: buckets[bucket])
        guard position == buckets[bucket].count || buckets[bucket][position] != entry else { return }
        buckets[bucket].insert(entry, at: position)
        count += 1
    }

    /// Removes `doc`'s entry for the number `digits`, if present.
    ///
    /// - Complexity: as ``insert(_:digits:)``.
    public mutating func remove(_ doc: UInt32, digits: String) {
        guard let (bucket, entry) = Self.entry(doc, digits: digits) else { return }
        let position = Self.lowerBound(entry, in: buckets[bucket])
        guard position < buckets[bucket].count, buckets[bucket][position] == entry else { return }
        buckets[bucket].remove(at: position)
        count -= 1
    }

    /// The documents with a number ending in `suffix` (its ASCII digits; fewer than four → none),
    /// in order of their reversed digits, then slot, at most `limit`.
    ///
    /// - Complexity: O(log *b* + results).
    public func lookup(suffix: String, limit: Int = .max) -> [UInt32] {
        let digits = Self.digitValues(suffix)
        guard digits.count >= Self.minimumDigits, limit > 0 else { return [] }
        let tail = digits.suffix(Self.maximumDigits)
        let bucket = tail.suffix(4).reduce(0) { $0 * 10 + Int($1) }
        var prefix: UInt64 = 0
        var shift: UInt64 = 64
        for digit in tail.dropLast(4).reversed() {
            shift -= 4
            prefix |= UInt64(digit + 1) << shift
        }
        let low = prefix
        let high = prefix | ((1 << shift) &- 1)  // `1 << 64` is 0 for a bare 4-digit suffix
        let entries = buckets[bucket]
        var position = Self.lowerBound(low, in: entries)
        var result: [UInt32] = []
        while position < entries.count, entries[position] <= high, result.count < limit {
            result.append(UInt32(truncatingIfNeeded: entries[position]))
            position += 1
        }
        return result
    }

    /// Whether `doc` is indexed under the number `digits` (false for numbers under four digits).
    public func contains(_ doc: UInt32, digits: String) -> Bool {
        guard let (bucket, entry) = Self.entry(doc, digits: digits) else { return false }
        let position = Self.lowerBound(entry, in: buckets[bucket])
        return position < buckets[bucket].count && buckets[bucket][position] == entry
    }

    /// Whether the number `digits` is long enough to be indexed.
    public static func isIndexed(_ digits: String) -> Bool { digitValues(digits).count >= minimumDigits }

    /// An estimate of the heap bytes held.
    public var memoryFootprint: Int {
        buckets.capacity * MemoryLayout<[UInt64]>.stride
            + buckets.reduce(0) { $0 + ($1.capacity == 0 ? 0 : $1.capacity * 8 + 48) }
    }

    /// Checks that every bucket is sorted without duplicates and ``count`` is right. For tests.
    public func _checkInvariants() throws(TextIndexError) {
        var total = 0
        for (index, bucket) in buckets.enumerated() {
            total += bucket.count
            for position in bucket.indices.dropFirst() where bucket[position - 1] >= bucket[position] {
                throw .invariant("suffix bucket \(index) is not strictly increasing at \(position)")
            }
        }
        guard total == count else { throw .invariant("suffix index counts \(count), holds \(total)") }
    }

    private static func entry(_ doc: UInt32, digits text: String) -> (Int, UInt64)? {
        let digits = digitValues(text)
        guard digits.count >= minimumDigits else { return nil }
        let bucket = digits.suffix(4).reduce(0) { $0 * 10 + Int($1) }
        var key: UInt64 = 0
        var shift: UInt64 = 64
        for digit in digits.dropLast(4).suffix(maximumDigits - 4).reversed() {
            shift -= 4
            key |= UInt64(digit + 1) << shift
        }
        return (bucket, key | UInt64(doc))
    }

    private static func digitValues(_ text: String) -> [UInt8] {
        text.utf8.compactMap { $0 &- 0x30 < 10 ? $0 - 0x30 : nil }
    }

    private static func lowerBound(_ value: UInt64, in entries: [UInt64]) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
