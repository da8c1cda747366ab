import NIOCore

/// What `GET /status` reports.
public struct NodeStatus: Sendable {
    public var id: String
    public var role: RaftRole
    public var term: UInt64
    public var leader: String?
    public var commitIndex: UInt64
    public var appliedIndex: UInt64
    public var lastIndex: UInt64
    public var snapshotIndex: UInt64
    /// Match and next index per follower (leader only).
    public var peers: [String: (match: UInt64, next: UInt64)]
}

extension RaftNodeServer {
    /// Proposes `command` and completes once it is applied (or fails with `NodeAPIError`).
    /// - Parameter loop: the caller's loop, where the returned future completes.
    public func propose(_ command: Command, on loop: any EventLoop) -> EventLoopFuture<ApplyOutcome> {
        let promise = loop.makePromise(of: ApplyOutcome.self)
        let data = command.encode()
        coreLoop.execute { self.admitProposal(data, promise) }
        return withDeadline(promise, on: loop)
    }

    /// On the core loop: appends the proposal to the log if this node leads, else answers where to go.
    private func admitProposal(_ data: [UInt8], _ promise: EventLoopPromise<ApplyOutcome>) {
        guard !stopping else {
            promise.fail(NodeAPIError.unavailable("node is shutting down"))
            return
        }
        if holdUntilNewTerm({ self.admitProposal(data, promise) }) { return }
        if holdWhileReconfiguring({ self.admitProposal(data, promise) }) { return }
        guard let (index, term) = core.propose(data) else {
            promise.fail(notLeaderError())
            return
        }
        proposals.register(index: index, term: term, promise: promise)
        scheduleFlush()
    }

    /// A linearizable read of `key` through ReadIndex: leadership is confirmed by a quorum, then the value
    /// is read once the state machine has applied the commit index of that moment.
    public func read(_ key: String, on loop: any EventLoop) -> EventLoopFuture<String?> {
        let promise = loop.makePromise(of: String?.self)
        coreLoop.execute { self.admitRead(key, promise) }
        return withDeadline(promise, on: loop)
    }

    /// On the core loop: starts a ReadIndex round if this node leads, else answers where to go.
    private func admitRead(_ key: String, _ promise: EventLoopPromise<String?>) {
        guard !stopping else {
            promise.fail(NodeAPIError.unavailable("node is shutting down"))
            return
        }
        if holdUntilNewTerm({ self.admitRead(key, promise) }) { return }
        guard core.role == .leader else {
            promise.fail(notLeaderError())
            return
        }
        nextReadID += 1
        readWaiters[nextReadID] = (key, promise)
        core.readIndex(id: nextReadID)
        scheduleFlush()
    }

    /// Fails `promise` with 503 when the request deadline passes first.
    private func withDeadline<T>(_ promise: EventLoopPromise<T>, on loop: any EventLoop) -> EventLoopFuture<T> {
        let timeout = loop.scheduleTask(in: .milliseconds(Int64(config.requestTimeoutMs))) {
            promise.fail(NodeAPIError.unavailable("no quorum within \(self.config.requestTimeoutMs)ms"))
        }
        promise.futureResult.whenComplete { _ in timeout.cancel() }
        return promise.futureResult
    }

    /// The node's current view, as `/status` reports it.
    public func status() -> EventLoopFuture<NodeStatus> {
        coreLoop.submit {
            NodeStatus(id: self.config.id, role: self.core.role, term: self.core.term, leader: self.core.leader,
                       commitIndex: self.core.commitIndex,
                       appliedIndex: self.applier.appliedIndex.load(ordering: .acquiring),
                       lastIndex: self.core.lastIndex, snapshotIndex: self.core.snapshotIndex,
                       peers: self.core.role == .leader ? self.core.followerProgress : [:])
        }
    }

    /// Entries held in memory in `from...to` (at most `limit`), with the commit index.
    public func logEntries(from: UInt64, to: UInt64, limit: UInt64 = 10_000)
        -> EventLoopFuture<(commitIndex: UInt64, entries: [LogEntry])> {
        coreLoop.submit {
            let hi = min(to, from &+ limit &- 1)
            return (self.core.commitIndex, self.core.entries(from: max(1, from), to: hi))
        }
    }

    /// The HTTP address of a member, for redirects.
    func httpAddress(of id: String) -> HostPort? {
        id == config.id ? config.listenHTTP : peerHTTP[id]
    }
}
