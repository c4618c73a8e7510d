#if canImport(Glibc)
import Glibc
#endif

/// Scheduling priority for background work (snapshots): on Linux each thread has its own nice
/// value, so the thread that encodes and compresses a snapshot can yield the cores to the
/// threads serving commands while it still uses whatever they leave idle.
public enum BackgroundPriority {
    /// The nice value background threads run at (0 is normal, 19 the lowest).
    public static let niceness: Int32 = 10

    /// Lowers the calling thread's priority to ``niceness``. Best effort: a failure leaves it
    /// at normal priority.
    public static func lowerCurrentThread() {
        #if os(Linux)
        // Who 0 is the calling task, which on Linux is this thread alone.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
        #endif
    }

    /// The calling thread's nice value (tests).
    public static func currentNiceness() -> Int32 {
        #if os(Linux)
        errno = 0
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        #else
        return 0
        #endif
    }
}
