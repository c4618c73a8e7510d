import ChunkedCollections

/// Phone → contact, keyed by the E.164 number's digits as an integer (16 bytes an entry and a
/// hash of one word, instead of a `String` key hashed byte by byte); a phone that is not
/// `+` and digits (none is, since phones are stored in E.164; kept for damaged or old data)
/// goes to a side dictionary. Sharded like the other large indexes, so a copy costs O(1).
public struct PhoneMap: Sendable, Equatable {
    private var numbers = ShardedDictionary<UInt64, ContactID>()
    private var others: [String: ContactID] = [:]

    public init() {}

    public subscript(phone: String) -> ContactID? {
        get {
            if let digits = ContactRecord.e164Digits(phone) { return numbers[digits] }
            return others[phone]
        }
        set {
            if let digits = ContactRecord.e164Digits(phone) { numbers[digits] = newValue } else { others[phone] = newValue }
        }
    }

    /// The contact of an E.164 number given as its digits (a snapshot load reads them so).
    subscript(digits digits: UInt64) -> ContactID? {
        get { numbers[digits] }
        set { numbers[digits] = newValue }
    }

    public var count: Int { numbers.count + others.count }

    public mutating func reserveCapacity(_ count: Int) { numbers.reserveCapacity(count) }

    /// Every phone and its contact, in no particular order.
    public var entries: [(phone: String, id: ContactID)] {
        numbers.map { ("+" + String($0.key), $0.value) } + others.map { ($0.key, $0.value) }
    }

    /// Tests of copy-on-write: shards shared with `other`, shards in use.
    public func _sharedShards(with other: PhoneMap) -> Int { numbers._sharedShards(with: other.numbers) }
    public var _occupiedShards: Int { numbers._occupiedShards }
}
