import Foundation
import NIOCore
import NIOPosix

/// One Raft node process: the `RaftCore` on its own event loop, the `raft-writer` and `raft-apply` threads,
/// peer TCP transport and the HTTP API.
///
/// Every access to `core` and the other loop-confined fields happens on `coreLoop`; that is what makes the
/// class safe to share (hence `@unchecked Sendable`).
public final class RaftNodeServer: @unchecked Sendable {
    public let config: NodeConfig
    let log: NodeLog
    let coreGroup: MultiThreadedEventLoopGroup
    let ioGroup: MultiThreadedEventLoopGroup
    let coreLoop: any EventLoop
    var core: RaftCore
    let proposals = ProposalTable()
    let writer: WALWriter
    let applier: Applier
    var transport: PeerTransport!
    var http: HTTPServer?
    /// HTTP address per member, for redirects; grows when a configuration change adds a member.
    var peerHTTP: [String: HostPort]

    // Confined to coreLoop.
    var flushScheduled = false
    var writerInFlight = 0
    var stopping = false
    var tickTask: RepeatedTask?
    var nextReadID: UInt64 = 0
    var readWaiters: [UInt64: (key: String, promise: EventLoopPromise<String?>)] = [:]
    var lastRole: RaftRole = .follower
    var lastTerm: UInt64 = 0
    var lastLeader: String?
    /// `wait-new-term` only: the term the node lost its leader in, and the requests held until it passes.
    var waitingPastTerm: UInt64?
    var heldRequests: [HeldRequest] = []
    /// Replicator threads and the wait table that wakes them (`startReplicators`); none by default.
    let waits = LogWaitTable()
    var replicators: [Replicator] = []
    /// The configuration entry last acted on (links, addresses, log line), and `half-reconfig`'s held appends.
    var seenMembershipIndex: UInt64 = .max
    var heldForReconfig: [HeldRequest] = []

    /// Opens (or creates) the data dir and recovers from it; binds nothing yet.
    /// - Throws: `RaftNodeError` for bad settings, a data dir of another node or cluster, or corruption.
    public init(config: NodeConfig) throws {
        try config.validate()
        self.config = config
        self.log = NodeLog(id: config.id)
        let members = [config.id] + config.peers.map(\.id)
        let (storage, recovered, wal) = try DiskStorage.open(dataDir: config.dataDir,
                                                             meta: NodeMeta(nodeID: config.id, members: members))
        if recovered.truncatedBytes > 0 {
            log.warn("WAL had a torn tail of \(recovered.truncatedBytes) bytes (interrupted write); truncated it")
        }
        var rc = RaftConfig(id: config.id, peers: config.peers.map(\.id),
                            electionTicks: max(2, config.electionTimeoutMs / config.tickMs),
                            heartbeatTicks: max(1, config.heartbeatMs / config.tickMs),
                            seed: UInt64(UInt32.random(in: 0...UInt32.max)))
        rc.compactionMargin = min(1000, config.snapshotEvery / 2)
        rc.bugs = config.bugs
        rc.replicatorThreads = config.replicatorThreads || config.bugs.contains(.lostWakeup)
        rc.bootstrap = config.bootstrapMembership
        if !config.bugs.isEmpty {
            log.warn("test-only bug modes on: \(config.bugs.map(\.rawValue).sorted().joined(separator: ", "))")
        }
        core = RaftCore(config: rc, hardState: recovered.hardState, snapshot: recovered.snapshot,
                        entries: recovered.entries)
        lastTerm = core.term
        log.info("recovered term \(core.term) vote \(core.hardState.vote ?? "-") snapshot "
            + "\(recovered.snapshot?.index ?? 0) last index \(core.lastIndex)")
        peerHTTP = Dictionary(uniqueKeysWithValues: config.peers.map { ($0.id, $0.http) })
        coreGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        coreLoop = coreGroup.next()
        ioGroup = MultiThreadedEventLoopGroup(numberOfThreads: 2)

        let loop = coreLoop
        let box = WeakBox()
        writer = WALWriter(wal: wal, snapshots: storage.snapshots, log: log,
                           ackBeforeFsync: config.bugs.contains(.ackBeforeFsync)) { batches in
            loop.execute { box.server?.durable(batches) }
        }
        applier = try Applier(restoring: recovered.snapshot, snapshotEvery: config.snapshotEvery,
                              snapshots: storage.snapshots, proposals: proposals, log: log) { snap in
            loop.execute { box.server?.snapshotTaken(snap) }
        }
        box.server = self
        transport = PeerTransport(id: config.id, listen: config.listenRaft,
                                  peers: Dictionary(uniqueKeysWithValues: config.peers.map { ($0.id, $0.raft) }),
                                  group: ioGroup) { messages in
            loop.execute { box.server?.receive(messages) }
        }
    }

    /// Binds the raft and HTTP listeners and starts the clock and the threads.
    /// - Throws: `RaftNodeError.network` when an address cannot be bound.
    public func start() throws {
        writer.start()
        applier.start()
        try transport.start()
        let server = HTTPServer(node: self, address: config.listenHTTP, group: ioGroup)
        try server.start()
        http = server
        startReplicators()
        let tick = TimeAmount.milliseconds(Int64(config.tickMs))
        try coreLoop.submit {
            self.tickTask = self.coreLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
                self.core.tick()
                self.flush()
            }
        }.wait()
        log.info("listening raft \(config.listenRaft) http \(config.listenHTTP); peers "
            + config.peers.map { "\($0.id)=\($0.raft)" }.joined(separator: " "))
    }

    /// Stops accepting, finishes in-flight fsyncs, closes files. Returns within about `budget`.
    public func shutdown(budget: TimeAmount = .milliseconds(1500)) {
        let deadline = DispatchTime.now() + .nanoseconds(Int(budget.nanoseconds))
        if config.bugs.contains(.unsafeShutdown) {
            // The bug: storage is released first, while the writer may be in the middle of a batch.
            writer.releaseStorageUnsafely()
        }
        stopReplicators()
        http?.stop()
        try? coreLoop.submit {
            self.stopping = true
            self.tickTask?.cancel()
            for (_, w) in self.readWaiters { w.promise.fail(NodeAPIError.unavailable("node is shutting down")) }
            self.readWaiters.removeAll()
            self.releaseHeldRequests()
            self.releaseHeldForReconfig()
        }.wait()
        writer.stop(timeout: deadline)
        applier.stop(timeout: deadline)
        proposals.failAll(.unavailable("node is shutting down"))
        transport.shutdown()
        try? ioGroup.syncShutdownGracefully()
        try? coreGroup.syncShutdownGracefully()
        log.info("stopped")
    }

    // MARK: - Core loop

    func receive(_ messages: [RaftMessage]) {
        guard !stopping else { return }
        for m in messages { core.step(m) }
        scheduleFlush()
    }

    /// Coalesces everything that arrives before the loop gets to it into one `Ready`.
    func scheduleFlush() {
        guard !flushScheduled else { return }
        flushScheduled = true
        coreLoop.execute { self.flush() }
    }

    func flush() {
        flushScheduled = false
        guard !stopping else { return }
        let rd = core.ready()
        let published = publishAppends()
        defer { wakeReplicators(after: published) }
        watchMembership()
        watchForNewTerm()
        logRoleChange()
        guard !rd.isEmpty else { return }
        transport.send(rd.messages)
        if let s = rd.snapshot { applier.queue.push(.restore(s)) }
        if !rd.committed.isEmpty { applier.queue.push(.entries(rd.committed)) }
        for r in rd.reads {
            if let w = readWaiters.removeValue(forKey: r.id) {
                applier.queue.push(.read(index: r.index, key: w.key, promise: w.promise))
            }
        }
        for id in rd.failedReads {
            readWaiters.removeValue(forKey: id)?.promise.fail(notLeaderError())
        }
        if rd.needsPersistence || (!rd.persistedMessages.isEmpty && writerInFlight > 0) {
            writerInFlight += 1
            writer.queue.push(.batch(WALWriter.Batch(hardState: rd.hardState, snapshot: rd.snapshot,
                                                     entries: rd.entries, lastIndex: rd.lastIndex,
                                                     lastTerm: rd.lastTerm, messages: rd.persistedMessages)))
        } else {
            // Nothing new to persist and nothing in flight: what these depend on is already durable.
            transport.send(rd.persistedMessages)
        }
    }

    /// The writer made `batches` durable: tell the core, then release the messages that waited for it.
    func durable(_ batches: [WALWriter.Batch]) {
        writerInFlight -= batches.count
        guard !stopping else { return }
        if let last = batches.last { core.persisted(index: last.lastIndex, term: last.lastTerm) }
        for b in batches { transport.send(b.messages) }
        scheduleFlush()
    }

    func snapshotTaken(_ s: Snapshot) {
        guard !stopping else { return }
        core.compact(to: s)
        writer.queue.push(.mark(index: s.index, term: s.term))
    }

    func notLeaderError() -> NodeAPIError {
        if core.role != .leader, let l = core.leader, l != config.id {
            return .notLeader(leader: l, leaderHTTP: peerHTTP[l])
        }
        return .refused("no leader")
    }

    private func logRoleChange() {
        guard core.role != lastRole || core.term != lastTerm || core.leader != lastLeader else { return }
        if core.role != lastRole || core.term != lastTerm {
            log.info("role \(core.role.rawValue) term \(core.term) (was \(lastRole.rawValue) term \(lastTerm))"
                + (core.role == .leader ? "; elected leader" : ""))
        }
        if core.leader != lastLeader, core.role != .leader {
            log.info("leader is \(core.leader ?? "unknown") in term \(core.term)")
        }
        lastRole = core.role
        lastTerm = core.term
        lastLeader = core.leader
    }
}

/// Breaks the init-time cycle between the server and the threads' callbacks.
final class WeakBox: @unchecked Sendable {
    weak var server: RaftNodeServer?
}
