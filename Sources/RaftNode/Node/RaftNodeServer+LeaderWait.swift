import NIOCore

/// The `wait-new-term` bug mode: client requests held while the node waits for a term it expects to come.
///
/// A node that notices it has lost its leader starts holding requests, to answer them once an election has
/// settled who leads; it is woken only when the term advances. A correct node answers at once (421 with the
/// leader, or a definite 503 when it knows none) and lets the client look elsewhere.
extension RaftNodeServer {
    /// A client request held while the node waits for a new term, with when it arrived.
    struct HeldRequest {
        var since: NIODeadline
        var retry: () -> Void
    }

    /// Called on every flush, before the role change is logged: starts waiting when the leader is lost, and
    /// releases the held requests when a new term begins.
    func watchForNewTerm() {
        guard config.bugs.contains(.waitNewTerm) else { return }
        if let waiting = waitingPastTerm {
            guard core.term > waiting else { return }
            waitingPastTerm = nil
            let held = heldRequests
            heldRequests.removeAll()
            log.info("term \(core.term) began; releasing \(held.count) held client requests")
            let oldest = NIODeadline.now() - .milliseconds(Int64(config.requestTimeoutMs))
            for request in held where request.since > oldest { request.retry() }
        } else if lastLeader != nil, core.leader == nil {
            waitingPastTerm = core.term
            log.info("lost leader \(lastLeader!) in term \(core.term); holding client requests until a new term")
        }
    }

    /// Holds `retry` while the node waits for a new term.
    /// - Returns: true when held (the caller must not answer now).
    func holdUntilNewTerm(_ retry: @escaping () -> Void) -> Bool {
        guard waitingPastTerm != nil else { return false }
        heldRequests.append(HeldRequest(since: .now(), retry: retry))
        return true
    }

    /// Shutdown: every held request is retried, and finds the node stopping.
    func releaseHeldRequests() {
        let held = heldRequests
        heldRequests.removeAll()
        for request in held { request.retry() }
    }
}
