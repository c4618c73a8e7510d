/// A dictionary split into smaller dictionaries by the key's hash, so that a copy shares the
/// shards: after a copy (a snapshot's view of an organization), the next write to either copies
/// the shard directory and the one shard it changes — about 1/1,024 of the entries — instead of
/// the whole dictionary.
///
/// A small dictionary is one shard (a small organization pays for no directory); past
/// ``splitThreshold`` entries it splits once into ``shardCount`` shards.
public struct ShardedDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// How many shards a large dictionary has.
    @inlinable
    public static var shardCount: Int { 1 << shardBits }
    @inlinable static var shardBits: Int { 10 }
    /// A one-shard dictionary holding more entries than this splits (an O(n) pass, once).
    @inlinable
    public static var splitThreshold: Int { 4_096 }

    /// Empty, one shard, or ``shardCount`` shards.
    @usableFromInline var shards: [[Key: Value]] = []

    @inlinable
    public init() {}

    /// The shard of ``shardCount`` that `key` lives in: the top bits of its hash. A shard's own
    /// dictionary seeds its hashing per storage, so sharing these bits does not crowd its buckets.
    @inlinable @inline(__always)
    static func shard(for key: Key) -> Int {
        var hasher = Hasher()
        hasher.combine(key)
        return Int(truncatingIfNeeded: UInt(bitPattern: hasher.finalize()) >> UInt(UInt.bitWidth - shardBits))
    }

    /// The index in `shards` of `key`'s shard (0 while there is one).
    @inlinable @inline(__always)
    func position(of key: Key) -> Int { shards.count == 1 ? 0 : Self.shard(for: key) }

    @inlinable
    mutating func allocateShards() {
        if shards.isEmpty { shards = [[:]] }
    }

    /// Splits a one-shard dictionary grown past ``splitThreshold``, or any when `force`.
    @inlinable
    mutating func splitIfLarge(force: Bool = false) {
        guard shards.count <= 1, force || (shards.first?.count ?? 0) > Self.splitThreshold else { return }
        let whole = shards.first ?? [:]
        var split = [[Key: Value]](repeating: [:], count: Self.shardCount)
        for (key, value) in whole { split[Self.shard(for: key)][key] = value }
        shards = split
    }

    /// - Complexity: O(shards).
    @inlinable
    public var count: Int { shards.reduce(0) { $0 + $1.count } }
    @inlinable
    public var isEmpty: Bool { shards.allSatisfy(\.isEmpty) }
    /// The entries the shards have room for without reallocating.
    @inlinable
    public var capacity: Int { shards.reduce(0) { $0 + $1.capacity } }

    @inlinable
    public subscript(key: Key) -> Value? {
        get {
            if shards.isEmpty { return nil }
            return shards[position(of: key)][key]
        }
        _modify {
            allocateShards()
            defer { splitIfLarge() }
            yield &shards[position(of: key)][key]
        }
    }

    @inlinable
    public subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        _modify {
            allocateShards()
            defer { splitIfLarge() }
            yield &shards[position(of: key)][key, default: defaultValue()]
        }
    }

    @discardableResult
    @inlinable
    public mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
        allocateShards()
        defer { splitIfLarge() }
        return shards[position(of: key)].updateValue(value, forKey: key)
    }

    @discardableResult
    @inlinable
    public mutating func removeValue(forKey key: Key) -> Value? {
        if shards.isEmpty { return nil }
        return shards[position(of: key)].removeValue(forKey: key)
    }

    /// Reserves room for `count` entries in all, spread evenly over the shards. Shards that have
    /// room already are left alone (reserving in a shard a copy shares would copy it).
    @inlinable
    public mutating func reserveCapacity(_ count: Int) {
        guard count > 0 else { return }
        allocateShards()
        if count > Self.splitThreshold { splitIfLarge(force: true) }
        let each = (count + shards.count - 1) / shards.count
        for index in shards.indices where shards[index].capacity < each { shards[index].reserveCapacity(each) }
    }

    /// Every key, shard by shard (no particular order).
    @inlinable
    public var keys: some Sequence<Key> { shards.lazy.flatMap(\.keys) }
    /// Every value, shard by shard (no particular order).
    @inlinable
    public var values: some Sequence<Value> { shards.lazy.flatMap(\.values) }
}

extension ShardedDictionary: Sequence {
    public typealias Element = (key: Key, value: Value)

    public struct Iterator: IteratorProtocol {
        @usableFromInline var shards: IndexingIterator<[[Key: Value]]>
        @usableFromInline var current: Dictionary<Key, Value>.Iterator?

        @inlinable
        init(_ shards: [[Key: Value]]) {
            self.shards = shards.makeIterator()
        }

        @inlinable
        public mutating func next() -> Element? {
            while true {
                if let element = current?.next() { return element }
                guard let shard = shards.next() else { return nil }
                current = shard.makeIterator()
            }
        }
    }

    @inlinable
    public func makeIterator() -> Iterator { Iterator(shards) }
    @inlinable
    public var underestimatedCount: Int { count }
}

extension ShardedDictionary: Equatable where Value: Equatable {
    /// The same keys with the same values, whatever the shards' layout.
    @inlinable
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.count == rhs.count && lhs.allSatisfy { rhs[$0.key] == $0.value }
    }
}

extension ShardedDictionary {
    /// The shard `key` lives in once split, from 0 to ``shardCount`` − 1.
    @inlinable
    public static func shardIndex(of key: Key) -> Int { shard(for: key) }

    /// Calls `body` with the ``shardCount`` shards (split first if need be), for a bulk load that
    /// fills disjoint shards from several threads: each thread may change only the shards it
    /// owns, and only ``shardIndex(of:)``'s keys in each.
    @inlinable
    public mutating func withShards<Result>(_ body: (UnsafeMutableBufferPointer<[Key: Value]>) throws -> Result) rethrows -> Result {
        allocateShards()
        splitIfLarge(force: true)
        return try shards.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// How many non-empty shards this dictionary shares with `other` (the same storage, not
    /// equal contents): tests use it to prove that a write after a copy copied one shard.
    @inlinable
    public func _sharedShards(with other: ShardedDictionary) -> Int {
        // A native dictionary is one reference to its storage: equal bits, the same storage.
        zip(shards, other.shards).reduce(0) { shared, pair in
            shared + (!pair.0.isEmpty && unsafeBitCast(pair.0, to: UInt.self) == unsafeBitCast(pair.1, to: UInt.self) ? 1 : 0)
        }
    }

    /// How many shards hold entries.
    @inlinable
    public var _occupiedShards: Int { shards.count { !$0.isEmpty } }
}
