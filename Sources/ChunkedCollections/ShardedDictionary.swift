/// A dictionary split into a fixed number of smaller dictionaries by the key's hash, so that a
/// copy shares the shards: after a copy (a snapshot's view of an organization), the next write
/// to either copies the shard directory and the one shard it changes — about 1/1,024 of the
/// entries — instead of the whole dictionary.
///
/// The shards are allocated on the first insertion, so an empty one costs one word.
public struct ShardedDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// How many shards a non-empty dictionary has.
    @inlinable
    public static var shardCount: Int { 1 << shardBits }
    @inlinable static var shardBits: Int { 10 }

    @usableFromInline var shards: [[Key: Value]] = []

    @inlinable
    public init() {}

    /// The shard `key` lives in: the top bits of its hash. A shard's own dictionary seeds its
    /// hashing per storage, so sharing these bits does not crowd its buckets.
    @inlinable @inline(__always)
    static func shard(for key: Key) -> Int {
        var hasher = Hasher()
        hasher.combine(key)
        return Int(truncatingIfNeeded: UInt(bitPattern: hasher.finalize()) >> UInt(UInt.bitWidth - shardBits))
    }

    @inlinable
    mutating func allocateShards() {
        if shards.isEmpty { shards = Array(repeating: [:], count: Self.shardCount) }
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
            return shards[Self.shard(for: key)][key]
        }
        _modify {
            allocateShards()
            yield &shards[Self.shard(for: key)][key]
        }
    }

    @inlinable
    public subscript(key: Key, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[key] ?? defaultValue() }
        _modify {
            allocateShards()
            yield &shards[Self.shard(for: key)][key, default: defaultValue()]
        }
    }

    @discardableResult
    @inlinable
    public mutating func updateValue(_ value: Value, forKey key: Key) -> Value? {
        allocateShards()
        return shards[Self.shard(for: key)].updateValue(value, forKey: key)
    }

    @discardableResult
    @inlinable
    public mutating func removeValue(forKey key: Key) -> Value? {
        if shards.isEmpty { return nil }
        return shards[Self.shard(for: key)].removeValue(forKey: key)
    }

    /// Reserves room for `count` entries in all, spread evenly over the shards.
    @inlinable
    public mutating func reserveCapacity(_ count: Int) {
        guard count > 0 else { return }
        allocateShards()
        let each = (count + Self.shardCount - 1) / Self.shardCount
        for index in shards.indices { shards[index].reserveCapacity(each) }
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
    /// The shard `key` lives in, from 0 to ``shardCount`` − 1.
    @inlinable
    public static func shardIndex(of key: Key) -> Int { shard(for: key) }

    /// Calls `body` with the shards (allocated), for a bulk load that fills disjoint shards from
    /// several threads: each thread may change only the shards it owns, and only
    /// ``shardIndex(of:)``'s keys in each.
    @inlinable
    public mutating func withShards<Result>(_ body: (UnsafeMutableBufferPointer<[Key: Value]>) throws -> Result) rethrows -> Result {
        allocateShards()
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
