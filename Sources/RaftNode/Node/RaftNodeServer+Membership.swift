import NIOCore

/// What `GET /admin/members` reports: the configuration this node holds and whether it is committed.
public struct MembershipView: Sendable {
    public var membership: Membership
    /// Index of the configuration entry (0: the bootstrap configuration or a snapshot's).
    public var index: UInt64
    public var committed: Bool
    public var leader: String?
}

/// The admin side of membership changes, and the node-level effects of a new configuration.
extension RaftNodeServer {
    /// The configuration as this node sees it.
    public func members() -> EventLoopFuture<MembershipView> {
        coreLoop.submit {
            MembershipView(membership: self.core.membership, index: self.core.membershipIndex,
                           committed: !self.core.membershipChangePending, leader: self.core.leader)
        }
    }

    /// Proposes one single-server change and completes once its entry is applied here (the leader).
    ///
    /// Adding a node adds it as a learner; the leader promotes it to voter once it has caught up, which the
    /// caller sees by polling `members()`.
    public func changeMembership(_ change: MembershipChange, on loop: any EventLoop)
        -> EventLoopFuture<ApplyOutcome> {
        let promise = loop.makePromise(of: ApplyOutcome.self)
        coreLoop.execute {
            guard !self.stopping else {
                promise.fail(NodeAPIError.unavailable("node is shutting down"))
                return
            }
            switch self.core.proposeMembership(change) {
            case .success(let at):
                self.log.info("proposed membership change \(change) at index \(at.index)")
                self.proposals.register(index: at.index, term: at.term, promise: promise)
                self.scheduleFlush()
            case .failure(.notLeader):
                promise.fail(self.notLeaderError())
            case .failure(.leaderNotReady):
                promise.fail(NodeAPIError.refused("leader has not committed an entry of its term yet; retry"))
            case .failure(.changeInProgress(let index)):
                promise.fail(NodeAPIError.refused("the change at index \(index) is not committed yet; retry"))
            case .failure(.invalid(let why)):
                promise.fail(MembershipAPIError.invalid(why))
            }
        }
        let timeout = loop.scheduleTask(in: .milliseconds(Int64(config.requestTimeoutMs))) {
            promise.fail(NodeAPIError.unavailable("change not committed within \(self.config.requestTimeoutMs)ms"))
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        return promise.futureResult
    }

    /// On every flush: when the configuration changed, reach the new members and log it; release appends held
    /// by `half-reconfig` once the change is whole again.
    func watchMembership() {
        if core.membershipIndex != seenMembershipIndex {
            seenMembershipIndex = core.membershipIndex
            for m in core.membership.members where m.id != config.id {
                guard let (raft, http) = m.hostPorts else { continue }
                transport.connect(m.id, to: raft)
                peerHTTP[m.id] = http
            }
            let m = core.membership
            log.info("configuration at index \(core.membershipIndex): voters \(m.voters.joined(separator: ","))"
                + (m.learners.isEmpty ? "" : " learners \(m.learners.joined(separator: ","))")
                + (m.member(config.id) == nil ? " (this node is not a member)" : ""))
        }
        if !heldForReconfig.isEmpty, core.membership.learners.isEmpty { releaseHeldForReconfig() }
    }

    /// `half-reconfig`: holds a client append while a learner is in the configuration (the change is half done).
    /// - Returns: true when held (the caller must not answer now).
    func holdWhileReconfiguring(_ retry: @escaping () -> Void) -> Bool {
        guard config.bugs.contains(.halfReconfig), core.role == .leader, !core.membership.learners.isEmpty else {
            return false
        }
        if heldForReconfig.isEmpty {
            log.info("holding client appends until learners \(core.membership.learners.joined(separator: ",")) "
                + "are promoted")
        }
        heldForReconfig.append(HeldRequest(since: .now(), retry: retry))
        return true
    }

    /// Retries every append held by `half-reconfig` (the change completed, or shutdown).
    func releaseHeldForReconfig() {
        let held = heldForReconfig
        heldForReconfig.removeAll()
        // Requests older than the deadline were answered 503 already; retrying them would append them anyway.
        let oldest = NIODeadline.now() - .milliseconds(Int64(config.requestTimeoutMs))
        for request in held where request.since > oldest || stopping { request.retry() }
    }
}

/// A membership change that cannot apply to the configuration: 400, and retrying will not help.
public enum MembershipAPIError: Error, Sendable {
    case invalid(String)
}
