import Dispatch
import Foundation
import Synchronization

/// One thread per follower, `raft-repl-<peer>`, that tells the core how far the follower may be sent new
/// entries (braft's `Replicator`): woken by the log's wait table, it announces the leader's last index to the
/// core on the core loop, then checks for entries appended meanwhile and, if none, waits in the table again.
///
/// The core itself only resends and continues pipelines up to what was announced, so a replicator that is
/// never woken again leaves its follower with heartbeats only: the braft#473 symptom.
final class Replicator: @unchecked Sendable {
    let peer: String
    private let table: LogWaitTable
    private let racy: Bool
    private let announce: @Sendable () throws -> UInt64
    private let wakeup = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    private var thread: Thread?

    /// - Parameters:
    ///   - racy: `lost-wakeup`: check and registration as two separate steps.
    ///   - announce: runs on the core loop; lets the core send the follower everything appended so far and
    ///     returns the last index announced. Throws once the loop is gone.
    init(peer: String, table: LogWaitTable, racy: Bool, announce: @escaping @Sendable () throws -> UInt64) {
        self.peer = peer
        self.table = table
        self.racy = racy
        self.announce = announce
    }

    func start() {
        thread = startNamedThread("raft-repl-\(peer)") { self.run() }
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        wakeup.signal()
    }

    private func run() {
        while !stopped.load(ordering: .acquiring) {
            guard let announced = try? announce() else { return }
            // After sending, check whether the log has grown and, if not, wait to be woken by the next append.
            let wake = wakeup
            let waiter = LogWaitTable.Waiter(peer: peer) { wake.signal() }
            if racy {
                // The window is only what lies between the two lock acquisitions (the waiter is made before,
                // as braft takes its WaitMeta before locking): a comparison, tens of nanoseconds.
                let seen = table.peekLast()
                if seen > announced { continue }
                table.register(waiter, seen: seen)
            } else {
                if !table.wait(afterAnnouncing: announced, waiter) { continue }
            }
            wakeup.wait()
        }
    }
}
