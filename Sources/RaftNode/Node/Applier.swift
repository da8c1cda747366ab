import Foundation
import NIOCore
import Synchronization

/// The `raft-apply` thread: applies committed entries to the key-value / log state machine in order,
/// completes the client requests waiting on them, serves confirmed reads, and takes snapshots.
final class Applier: @unchecked Sendable {
    enum Task: Sendable {
        case entries([LogEntry])
        case restore(Snapshot)
        /// A ReadIndex read: answer with the value of `key` once `index` is applied.
        case read(index: UInt64, key: String, promise: EventLoopPromise<String?>)
    }

    let queue = WorkQueue<Task>()
    /// Highest applied index, readable from any thread for `/status`.
    let appliedIndex = Atomic<UInt64>(0)
    private var state = KVStateMachine()
    private var waitingReads: [(index: UInt64, key: String, promise: EventLoopPromise<String?>)] = []
    private var lastSnapshotIndex: UInt64 = 0
    private let snapshotEvery: UInt64
    private let snapshots: SnapshotStore
    private let proposals: ProposalTable
    private let log: NodeLog
    private let onSnapshot: @Sendable (Snapshot) -> Void
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameter onSnapshot: called on the apply thread after a snapshot file is durable.
    init(restoring snapshot: Snapshot?, snapshotEvery: UInt64, snapshots: SnapshotStore, proposals: ProposalTable,
         log: NodeLog, onSnapshot: @escaping @Sendable (Snapshot) -> Void) throws {
        self.snapshotEvery = snapshotEvery
        self.snapshots = snapshots
        self.proposals = proposals
        self.log = log
        self.onSnapshot = onSnapshot
        if let snapshot { try restore(snapshot) }
    }

    func start() {
        _ = startNamedThread("raft-apply") { self.run() }
    }

    func stop(timeout: DispatchTime) {
        queue.close()
        _ = finished.wait(timeout: timeout)
        for r in waitingReads { r.promise.fail(NodeAPIError.unavailable("node is shutting down")) }
        waitingReads.removeAll()
    }

    private func restore(_ s: Snapshot) throws {
        state = try KVStateMachine(snapshot: s.data)
        lastSnapshotIndex = s.index
        appliedIndex.store(state.appliedIndex, ordering: .releasing)
    }

    private func run() {
        while let tasks = queue.takeAll() {
            for task in tasks {
                switch task {
                case .entries(let entries):
                    for e in entries where e.index > state.appliedIndex {
                        let outcome = state.apply(e)
                        proposals.complete(e, outcome)
                    }
                case .restore(let s):
                    do {
                        try restore(s)
                    } catch {
                        log.error("cannot restore snapshot \(s.index) from leader: \(error); stopping the node")
                        exit(1)
                    }
                case let .read(index, key, promise):
                    waitingReads.append((index, key, promise))
                }
            }
            appliedIndex.store(state.appliedIndex, ordering: .releasing)
            serveReads()
            maybeSnapshot()
        }
        finished.signal()
    }

    private func serveReads() {
        guard !waitingReads.isEmpty else { return }
        let applied = state.appliedIndex
        waitingReads.removeAll { r in
            guard r.index <= applied else { return false }
            r.promise.succeed(state.get(r.key))
            return true
        }
    }

    private func maybeSnapshot() {
        guard state.appliedIndex >= lastSnapshotIndex + snapshotEvery else { return }
        let s = Snapshot(index: state.appliedIndex, term: state.appliedTerm, data: state.serialize())
        do {
            try snapshots.save(s)
            lastSnapshotIndex = s.index
            log.info("snapshot at index \(s.index) term \(s.term) (\(s.data.count) bytes)")
            onSnapshot(s)
        } catch {
            log.error("snapshot at index \(s.index) failed: \(error); will retry")
            lastSnapshotIndex = s.index
        }
    }
}
