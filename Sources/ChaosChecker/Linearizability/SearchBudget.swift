import Synchronization

/// Time and memory shared by the partitions of one check; running out of either makes the verdict `unknown`.
final class SearchBudget: Sendable {
    let deadline: ContinuousClock.Instant
    let memoryLimit: Int
    private let used = Atomic<Int>(0)

    init(timeLimit: Duration, memoryLimit: Int) {
        deadline = ContinuousClock.now.advanced(by: timeLimit)
        self.memoryLimit = memoryLimit
    }

    /// Records `bytes` more of search memory; false once the total passes the limit.
    func reserve(_ bytes: Int) -> Bool {
        used.add(bytes, ordering: .relaxed).newValue <= memoryLimit
    }

    func release(_ bytes: Int) { used.subtract(bytes, ordering: .relaxed) }

    var expired: Bool { ContinuousClock.now >= deadline }
}
