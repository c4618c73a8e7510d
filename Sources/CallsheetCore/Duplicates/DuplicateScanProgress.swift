import Synchronization

/// How far one running ``OrganizationState/scanDuplicates(for:threshold:progress:)`` is, and
/// whether it should stop: written by the scan's threads, read by whoever asks (`DUP.STATUS`),
/// set to stop by `DUP.CANCEL`. Counters only, so asking costs the scan nothing but an atomic
/// add per thousand contacts or comparisons.
public final class DuplicateScanProgress: Sendable {
    /// What the scan is doing: building profiles and keys, comparing the pairs blocking chose,
    /// then joining links into groups.
    public enum Phase: Int, Sendable {
        case profiles = 0, comparing, grouping, finished

        public var name: String {
            switch self {
            case .profiles: "profiles"
            case .comparing: "comparing"
            case .grouping: "grouping"
            case .finished: "finished"
            }
        }
    }

    private let phaseValue = Atomic<Int>(Phase.profiles.rawValue)
    private let total = Atomic<Int>(0)
    private let profiled = Atomic<Int>(0)
    private let planned = Atomic<Int>(0)
    private let compared = Atomic<Int>(0)
    private let stop = Atomic<Bool>(false)

    public init() {}

    /// Contacts in the scan's scope, once the scope is known.
    public var contactsTotal: Int { total.load(ordering: .relaxed) }
    /// Contacts whose profile and keys are built: every contact once the comparisons start.
    public var contactsScanned: Int { profiled.load(ordering: .relaxed) }
    /// Pairs blocking chose to compare (an upper bound: a pair two blocks share is compared once),
    /// known once the comparisons start.
    public var comparisonsPlanned: Int { planned.load(ordering: .relaxed) }
    public var comparisonsDone: Int { compared.load(ordering: .relaxed) }
    public var phase: Phase { Phase(rawValue: phaseValue.load(ordering: .relaxed)) ?? .finished }

    /// Asks the scan to stop; it returns nil at its next check (within a thousand contacts or
    /// comparisons of each thread).
    public func cancel() { stop.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { stop.load(ordering: .relaxed) }

    func start(total: Int) { self.total.store(total, ordering: .relaxed) }
    func enter(_ phase: Phase) { phaseValue.store(phase.rawValue, ordering: .relaxed) }
    func profiled(_ count: Int) { profiled.add(count, ordering: .relaxed) }
    func plan(_ comparisons: Int) { planned.store(comparisons, ordering: .relaxed) }
    func compared(_ count: Int) { compared.add(count, ordering: .relaxed) }
}
