import Foundation
import Testing
@testable import CallsheetStorage

@Suite struct BackgroundPriorityTests {
    /// The snapshot thread runs at a lower priority; the threads serving commands keep theirs.
    @Test func lowersOnlyTheCallingThread() async throws {
        let before = BackgroundPriority.currentNiceness()
        let seen = await withCheckedContinuation { (continuation: CheckedContinuation<Int32, Never>) in
            Thread {
                BackgroundPriority.lowerCurrentThread()
                continuation.resume(returning: BackgroundPriority.currentNiceness())
            }.start()
        }
        #expect(seen == max(before, BackgroundPriority.niceness))
        #expect(BackgroundPriority.currentNiceness() == before)
    }
}
