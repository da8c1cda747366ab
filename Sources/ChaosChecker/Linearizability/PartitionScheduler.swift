import Dispatch
import Foundation
import Synchronization

/// One partition's search as the scheduler sees it: resumable in quanta, whatever its model.
///
/// Closures rather than a protocol existential: they are made where the model's type is known, so the search
/// loop they call is specialized for it (a generic class's methods called through an existential run
/// unspecialized, an order of magnitude slower).
struct PartitionJob: Sendable {
    /// Steps in the partition (the cutoff compares against it).
    let size: Int
    /// Set once the search has ended.
    let outcome: @Sendable () -> SearchOutcome?
    /// Runs one quantum; true once the search has ended.
    let resume: @Sendable (_ quantum: Int, _ budget: SearchBudget) -> Bool
    /// The result once ended.
    let result: @Sendable () -> Linearizability.PartitionResult
    /// When `ZoneCheck` proved the partition not linearizable before any search: that proof as a result.
    let zoneProof: (@Sendable () -> Linearizability.PartitionResult)?
}

/// Runs every partition's search on a few worker threads that take turns: each takes the next partition from
/// a queue, searches it for one quantum (a few milliseconds) and puts it back unless it ended. A partition that
/// fails in a few steps is thus proven in milliseconds even behind partitions that explode, and once it is, the
/// budget's cutoff ends the others (the workers drop them at their next turn or poll).
enum PartitionScheduler {
    /// Steps per turn: long enough that switching costs nothing, short enough that every partition gets a
    /// turn often (about 1–10 ms).
    static let quantum = 1 << 15

    static func run(_ jobs: [PartitionJob], budget: SearchBudget,
                    workers: Int = ProcessInfo.processInfo.activeProcessorCount) {
        guard !jobs.isEmpty else { return }
        // Smallest first: the quickest proofs come first, and a large partition never delays a small one.
        let order = jobs.indices.sorted { jobs[$0].size < jobs[$1].size }
        let queue = Mutex(Queue(items: order.map { jobs[$0] }))
        let watch = BudgetWatch(budget)
        defer { watch.stop() }
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, jobs.count))) { _ in
            while let job = queue.withLock({ $0.pop() }) {
                if job.resume(quantum, budget) {
                    if job.outcome() == .notLinearizable { budget.proven(steps: job.size) }
                } else {
                    queue.withLock { $0.push(job) }
                }
            }
        }
    }

    /// A FIFO of paused jobs: an array with a moving head, compacted when the head passes half.
    private struct Queue: ~Copyable {
        var items: [PartitionJob]
        var head = 0

        mutating func pop() -> PartitionJob? {
            guard head < items.count else { return nil }
            let job = items[head]
            head += 1
            if head > 1024 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return job
        }

        mutating func push(_ job: PartitionJob) { items.append(job) }
    }
}
