import Synchronization

/// The leader's wait table for new log entries (braft's `LogManager::wait` / `wakeup_all_waiter`): a follower's
/// replicator thread that has sent everything registers here, keyed by the last index it saw, and the appender
/// wakes the waiters of the index its append moved past.
///
/// Appending is two steps, as in a log manager that publishes an entry when it is in memory and wakes waiters
/// once the batch is handed on: `publish` (the new last index becomes visible) and later `wake` (the waiters of
/// the old last index are released). A waiter registered under an index that is no longer the last one is never
/// woken again, so registration must check and insert under one lock (`wait(afterAnnouncing:)`). The test-only
/// `lost-wakeup` mode reads first and inserts later (`peekLast` then `register`): a replicator descheduled
/// between the two while an append is published and announced is forgotten for good.
final class LogWaitTable: Sendable {
    /// One registered replicator; allocated per wait, like braft's pooled `WaitMeta`.
    final class Waiter: Sendable {
        let peer: String
        let wake: @Sendable () -> Void

        init(peer: String, wake: @escaping @Sendable () -> Void) {
            self.peer = peer
            self.wake = wake
        }
    }

    private struct State {
        var last: UInt64 = 0
        var waiters: [UInt64: [Waiter]] = [:]
    }

    private let state = Mutex(State())

    /// The appender's first step: `index` is now the last entry. - Returns: the previous last index.
    func publish(_ index: UInt64) -> UInt64? {
        state.withLock { s in
            guard index > s.last else { return nil }
            defer { s.last = index }
            return s.last
        }
    }

    /// The appender's second step: releases whoever waited for more than `previous`.
    func wake(after previous: UInt64) {
        let woken = state.withLock { $0.waiters.removeValue(forKey: previous) ?? [] }
        for waiter in woken { waiter.wake() }
    }

    /// The correct registration: under one lock, waits only if nothing beyond `announced` was published.
    /// - Returns: false when there is more to send already (the caller sends instead of waiting).
    func wait(afterAnnouncing announced: UInt64, _ waiter: Waiter) -> Bool {
        state.withLock { s in
            guard s.last <= announced else { return false }
            s.waiters[s.last, default: []].append(waiter)
            return true
        }
    }

    /// `lost-wakeup`'s first step: the last index as of now, the lock released again.
    ///
    /// Kept out of line (like `register`), as braft's `LogManager::wait` is a function of its own: the optimiser
    /// would otherwise fold both into the replicator's loop, leaving no symbol where the window begins for a
    /// `stop_at` breakpoint to aim at. It changes nothing in the window, which is still two lock acquisitions.
    @inline(never)
    func peekLast() -> UInt64 {
        state.withLock { $0.last }
    }

    /// `lost-wakeup`'s second step: registers under `seen`, whatever the last index has become meanwhile.
    @inline(never)
    func register(_ waiter: Waiter, seen: UInt64) {
        state.withLock { $0.waiters[seen, default: []].append(waiter) }
    }

    /// Releases every waiter (shutdown).
    func wakeAll() {
        let all = state.withLock { s in
            defer { s.waiters.removeAll() }
            return s.waiters.values.flatMap { $0 }
        }
        for waiter in all { waiter.wake() }
    }
}
