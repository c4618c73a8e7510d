import Dispatch

extension Array where Element: Sendable {
    /// `map(transform)` computed on two threads, each transforming one half: for the per-item
    /// work of a bulk load (folding texts, listing index keys) on a machine of two cores.
    /// Arrays shorter than `minimumCount` are mapped on the calling thread.
    @inlinable
    public func mapOnTwoThreads<T: Sendable>(minimumCount: Int = 1_024, _ transform: @Sendable (Element) -> T) -> [T] {
        guard count >= minimumCount else { return map(transform) }
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let output = TwoThreadOutput(buffer: buffer)
            let half = count / 2
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                for index in (part == 0 ? 0..<half : half..<count) {
                    (output.buffer.baseAddress! + index).initialize(to: transform(self[index]))
                }
            }
            initialized = count
        }
    }
}

/// The output of ``Swift/Array/mapOnTwoThreads(minimumCount:_:)``: `@unchecked Sendable` because
/// each thread initializes its own half and `concurrentPerform` returns after both.
@usableFromInline
struct TwoThreadOutput<T>: @unchecked Sendable {
    @usableFromInline let buffer: UnsafeMutableBufferPointer<T>
    @inlinable init(buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}
