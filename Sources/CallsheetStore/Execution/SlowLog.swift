import CallsheetCore
import CallsheetProtocol
import Synchronization

/// The commands that took longer than a threshold, newest first, as Redis keeps them
/// (`SLOWLOG GET|LEN|RESET`, docs/PROTOCOL.md "Observability").
///
/// A ring of at most ``capacity`` entries in memory (never written to disk). Each entry keeps the
/// command as Redis does: at most 32 arguments (the last says how many more there were), each cut
/// to 128 bytes (saying how many more there were); the secret of `AUTH` and `HELLO … AUTH` is
/// never kept, and the bytes of an uploaded file (`CSV <bytes>`, `BASE64 <bytes>`) are kept as
/// their length. Each entry names its organization: an organization's admin reads and resets
/// their organization's entries only; the owner reads all. Erasing a contact drops its
/// organization's entries (they may quote the person).
public final class SlowLog: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: UInt64
        /// Unix time in seconds when the command started.
        public var startedAt: Int64
        public var microseconds: UInt64
        public var arguments: [String]
        public var clientAddress: String
        public var user: String
        public var organization: OrganizationID?

        /// The entry as `SLOWLOG GET` answers it: id, time, microseconds, arguments, client
        /// address, client name (here the user who ran it).
        public var reply: RESPValue {
            .array([
                .integer(Int64(id)), .integer(startedAt), .integer(Int64(clamping: microseconds)),
                .array(arguments.map { .bulk($0) }), .bulk(clientAddress), .bulk(user),
            ])
        }
    }

    /// Commands at least this slow are kept; negative keeps none, 0 keeps every command.
    public let thresholdMicroseconds: Int64
    public let capacity: Int

    private struct Ring {
        var entries: [Entry] = []
        /// Where the next entry goes once ``entries`` is full.
        var next = 0
        var nextID: UInt64 = 0
    }

    private let ring = Mutex(Ring())

    public init(thresholdMicroseconds: Int64 = 10_000, capacity: Int = 128) {
        self.thresholdMicroseconds = thresholdMicroseconds
        self.capacity = max(0, capacity)
    }

    /// True when a command of `microseconds` goes in the log.
    @inline(__always)
    func isSlow(_ microseconds: UInt64) -> Bool {
        thresholdMicroseconds >= 0 && capacity > 0 && microseconds >= UInt64(thresholdMicroseconds)
    }

    func add(_ arguments: [String], startedAt: Int64, microseconds: UInt64, clientAddress: String, user: String, organization: OrganizationID?) {
        let kept = Self.shown(arguments)
        ring.withLock { ring in
            let entry = Entry(
                id: ring.nextID, startedAt: startedAt, microseconds: microseconds, arguments: kept, clientAddress: clientAddress, user: user,
                organization: organization)
            ring.nextID += 1
            if ring.entries.count < capacity {
                ring.entries.append(entry)
            } else {
                ring.entries[ring.next] = entry
                ring.next = (ring.next + 1) % capacity
            }
        }
    }

    /// The newest `count` entries `organization` may read (nil: all of them), newest first.
    public func entries(count: Int, organization: OrganizationID?) -> [Entry] {
        ring.withLock { ring in
            let ordered = ring.entries[ring.next...] + ring.entries[..<ring.next]
            return Array(ordered.reversed().lazy.filter { organization == nil || $0.organization == organization }.prefix(max(0, count)))
        }
    }

    public func length(organization: OrganizationID?) -> Int {
        ring.withLock { ring in
            organization.map { organization in ring.entries.count { $0.organization == organization } } ?? ring.entries.count
        }
    }

    /// Drops `organization`'s entries (nil: every entry); returns how many went.
    @discardableResult
    public func reset(organization: OrganizationID?) -> Int {
        ring.withLock { ring in
            let ordered = Array(ring.entries[ring.next...] + ring.entries[..<ring.next])
            let kept = organization.map { organization in ordered.filter { $0.organization != organization } } ?? []
            ring.entries = kept
            ring.next = 0
            return ordered.count - kept.count
        }
    }

    static let maxArguments = 32
    static let maxArgumentBytes = 128

    /// The arguments as an entry keeps them (see the type's description).
    static func shown(_ arguments: [String]) -> [String] {
        guard let name = arguments.first?.uppercased() else { return [] }
        var shown: [String] = []
        var hideNext = false
        var secretFrom = Int.max
        if name == "AUTH" { secretFrom = arguments.count == 2 ? 1 : 2 }
        for (index, argument) in arguments.enumerated() {
            if shown.count == maxArguments - 1, arguments.count > maxArguments {
                shown.append("... (\(arguments.count - index) more arguments)")
                break
            }
            if index >= secretFrom {
                shown.append("(redacted)")
                continue
            }
            if hideNext {
                shown.append("(\(argument.utf8.count) bytes)")
                hideNext = false
                continue
            }
            if name == "DNC.IMPORT", index == 1 {
                shown.append("(\(argument.utf8.count) bytes)")
                continue
            }
            let word = argument.utf8.count <= 8 ? argument.uppercased() : ""
            if index > 0, name.hasPrefix("IMPORT."), word == "CSV" || word == "BASE64" { hideNext = true }
            if name == "HELLO", word == "AUTH" { secretFrom = index + 2 }
            shown.append(cut(argument))
        }
        return shown
    }

    /// At most ``maxArgumentBytes`` bytes, cut before a whole character, and how many more there were.
    private static func cut(_ argument: String) -> String {
        let total = argument.utf8.count
        guard total > maxArgumentBytes else { return argument }
        // Only the bytes kept and the one after them are copied (an argument may be megabytes).
        let head = Array(argument.utf8.prefix(maxArgumentBytes + 1))
        var end = maxArgumentBytes
        while end > 0, head[end] & 0xC0 == 0x80 { end -= 1 }
        return "\(String(decoding: head[..<end], as: UTF8.self))... (\(total - end) more bytes)"
    }
}
