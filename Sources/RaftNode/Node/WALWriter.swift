import Foundation

/// The persistence path on its own thread, `raft-writer`: takes every batch queued while the previous fsync
/// ran, writes them with one write and one fdatasync (group commit), then reports them durable.
///
/// If this thread is frozen nothing new becomes durable, so nothing that depends on it is acknowledged; the
/// rest of the node keeps answering.
final class WALWriter: @unchecked Sendable {
    /// What one `Ready` asks to persist, and the messages that may go out once it is durable.
    struct Batch: Sendable {
        var hardState: HardState?
        var snapshot: Snapshot?
        var entries: [LogEntry]
        var lastIndex: UInt64
        var lastTerm: UInt64
        var messages: [RaftMessage]
    }

    enum Job: Sendable {
        case batch(Batch)
        /// A local snapshot of (`index`, `term`) is on disk: mark it in the WAL and drop older segments.
        case mark(index: UInt64, term: UInt64)
    }

    let queue = WorkQueue<Job>()
    private let wal: WAL
    private let snapshots: SnapshotStore
    private let log: NodeLog
    private let onDurable: @Sendable ([Batch]) -> Void
    /// `ack-before-fsync`: report batches durable once written, before their fsync returns.
    private let ackBeforeFsync: Bool
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    /// - Parameter onDurable: called on the writer thread with the batches just made durable, in order.
    init(wal: WAL, snapshots: SnapshotStore, log: NodeLog, ackBeforeFsync: Bool = false,
         onDurable: @escaping @Sendable ([Batch]) -> Void) {
        self.ackBeforeFsync = ackBeforeFsync
        self.wal = wal
        self.snapshots = snapshots
        self.log = log
        self.onDurable = onDurable
        wal.log = log
    }

    func start() {
        thread = startNamedThread("raft-writer") { self.run() }
    }

    /// Finishes what is queued (the in-flight fsync included), closes the files and returns.
    func stop(timeout: DispatchTime) {
        queue.close()
        _ = finished.wait(timeout: timeout)
    }

    /// `unsafe-shutdown` only: closes the WAL under the writer's feet, from another thread.
    func releaseStorageUnsafely() {
        // A write into the unmapped buffer must kill the node at once by SIGSEGV, as a native program dies: the
        // Swift runtime's backtracer would catch it first and may never finish while a thread is ptrace-frozen.
        signal(SIGSEGV, SIG_DFL)
        signal(SIGBUS, SIG_DFL)
        wal.closeUnsafely()
    }

    private func run() {
        while let jobs = queue.takeAll() {
            do {
                try process(jobs)
            } catch where wal.isClosed {
                break  // released under us at shutdown (`unsafe-shutdown`): nothing more can be written
            } catch {
                // Without a working disk the node can promise nothing: stop rather than ack from memory.
                log.error("WAL write failed: \(error); stopping the node")
                exit(1)
            }
        }
        finished.signal()
    }

    private func process(_ jobs: [Job]) throws {
        // The write buffer is taken once for the whole group, as soon as the writer starts on it.
        var group = try StagedWrite(wal)
        var records: [WALRecord] = []
        var done: [Batch] = []
        for job in jobs {
            switch job {
            case .batch(let b):
                if let hs = b.hardState { records.append(.hardState(hs)) }
                if let s = b.snapshot {
                    try wal.append(records, using: &group)
                    records.removeAll()
                    try snapshots.save(s)
                    try wal.markSnapshot(index: s.index, term: s.term)
                    snapshots.prune()
                    log.info("installed snapshot from leader at index \(s.index) term \(s.term) "
                        + "(\(s.data.count) bytes)")
                }
                if !b.entries.isEmpty { records.append(.entries(b.entries)) }
                done.append(b)
            case .mark(let index, let term):
                try wal.append(records, using: &group)
                records.removeAll()
                try wal.markSnapshot(index: index, term: term)
                snapshots.prune()
            }
        }
        if ackBeforeFsync, !done.isEmpty {
            // The bug: the acknowledgements leave between the write and the fsync.
            let early = done
            done.removeAll()
            try wal.append(records, using: &group, beforeSync: { onDurable(early) })
        } else {
            try wal.append(records, using: &group)
        }
        if !done.isEmpty { onDurable(done) }
    }
}
