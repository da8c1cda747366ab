import NIOCore
import Synchronization

/// Client requests waiting for their log entry to be applied, keyed by index.
///
/// The core's loop registers a proposal with the term it got; the `raft-apply` thread completes it when the
/// entry at that index is applied — successfully only if that entry is the proposed one (same term).
final class ProposalTable: Sendable {
    private struct Waiter {
        var term: UInt64
        var promise: EventLoopPromise<ApplyOutcome>
    }

    private let waiters = Mutex<[UInt64: Waiter]>([:])

    func register(index: UInt64, term: UInt64, promise: EventLoopPromise<ApplyOutcome>) {
        let replaced = waiters.withLock { $0.updateValue(Waiter(term: term, promise: promise), forKey: index) }
        replaced?.promise.fail(NodeAPIError.refused("proposal dropped: another leader took over"))
    }

    /// Completes the waiter of an applied entry, if any.
    func complete(_ entry: LogEntry, _ outcome: ApplyOutcome) {
        guard let w = waiters.withLock({ $0.removeValue(forKey: entry.index) }) else { return }
        if w.term == entry.term {
            w.promise.succeed(outcome)
        } else {
            w.promise.fail(NodeAPIError.refused("proposal dropped: another leader took over"))
        }
    }

    /// Fails every waiter (shutdown).
    func failAll(_ error: NodeAPIError) {
        let all = waiters.withLock { w in
            defer { w.removeAll() }
            return Array(w.values)
        }
        for w in all { w.promise.fail(error) }
    }
}

/// Why a client request was not served; the HTTP layer maps each case to a status code.
public enum NodeAPIError: Error, Sendable {
    /// 421: ask the leader instead.
    case notLeader(leader: String?, leaderHTTP: HostPort?)
    /// 503: no quorum or the deadline passed; the request may still take effect.
    case unavailable(String)
    /// 503 with `"definite": true`: the request certainly did not take effect (no leader to propose to, or
    /// its entry was overwritten by another leader's), so a client may record a definite failure.
    case refused(String)
}
