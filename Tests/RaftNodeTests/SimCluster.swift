@testable import RaftNode

/// An in-process cluster of `RaftCore`s on a simulated network and simulated disks, driven one step at a
/// time: deterministic, and able to drop, cut, rewrite and crash.
final class SimCluster {
    /// What one node has made durable.
    struct Disk {
        var hardState = HardState()
        var snapshot: Snapshot?
        var log = RaftLog()
    }

    struct Node {
        var core: RaftCore
        var disk = Disk()
        var sm = KVStateMachine()
        var up = true
        var lastSnapshotIndex: UInt64 = 0
    }

    var nodes: [String: Node] = [:]
    /// Every node ever started, members or not.
    var ids: [String]
    /// The bootstrap configuration; nodes added later start empty (`joiners`) and learn it from the log.
    let initialIDs: [String]
    var joiners: Set<String> = []
    var inFlight: [RaftMessage] = []
    /// Directed links that drop everything: (from, to).
    var cut: Set<[String]> = []
    /// Rewrites (or drops, returning nil) a message before delivery.
    var filter: ((RaftMessage) -> RaftMessage?)?
    /// Every (index → term, data) any node has applied; two different values at one index is a violation.
    var appliedEver: [UInt64: LogEntry] = [:]
    var violations: [String] = []
    /// Leader per term ever observed; two leaders in one term is a violation.
    var leaders: [UInt64: String] = [:]
    let snapshotEvery: UInt64
    /// Chance that a message is lost, and chance that delivery picks a random message instead of the oldest.
    var dropRate = 0.0
    var reorderRate = 0.0
    var netRandom = SplitMix64(seed: 99)
    /// ReadIndex results per node.
    var reads: [String: [ReadState]] = [:]
    var failedReads: [String: [UInt64]] = [:]
    let compactionMargin: UInt64
    /// Nodes whose writer is frozen: what they ask to persist, and the messages waiting for it, are held here
    /// (in order) until `releaseWriter`.
    var frozenWriters: Set<String> = []
    var heldWrites: [String: [Ready]] = [:]

    init(size: Int, seed: UInt64 = 1, snapshotEvery: UInt64 = 0, compactionMargin: UInt64 = 0) {
        ids = (1...size).map { "n\($0)" }
        initialIDs = ids
        self.snapshotEvery = snapshotEvery
        self.compactionMargin = compactionMargin
        for id in ids { nodes[id] = Node(core: makeCore(id, seed: seed)) }
    }

    func makeCore(_ id: String, seed: UInt64, disk: Disk = Disk()) -> RaftCore {
        var config = RaftConfig(id: id, peers: initialIDs.filter { $0 != id }, electionTicks: 10, heartbeatTicks: 2,
                                seed: seed)
        config.compactionMargin = compactionMargin
        if joiners.contains(id) { config.bootstrap = Membership([]) }
        return RaftCore(config: config, hardState: disk.hardState, snapshot: disk.snapshot,
                        entries: disk.log.entries)
    }

    // MARK: - Driving

    /// Persists, sends and applies what `id`'s core has ready, like the real driver does.
    func process(_ id: String) {
        guard var n = nodes[id], n.up else { return }
        let rd = n.core.ready()
        if frozenWriters.contains(id), rd.needsPersistence || heldWrites[id] != nil {
            // Like the real driver: behind a busy writer, even messages with nothing new to persist wait.
            heldWrites[id, default: []].append(rd)
            inFlight += rd.messages
        } else {
            write(rd, on: &n)
        }
        reads[id, default: []] += rd.reads
        failedReads[id, default: []] += rd.failedReads
        for e in rd.committed {
            if let seen = appliedEver[e.index], seen != e {
                violations.append("\(id) applied index \(e.index) term \(e.term), another node applied term \(seen.term)")
            }
            appliedEver[e.index] = e
            _ = n.sm.apply(e)
        }
        if snapshotEvery > 0, n.sm.appliedIndex >= n.lastSnapshotIndex + snapshotEvery {
            let snap = Snapshot(index: n.sm.appliedIndex, term: n.sm.appliedTerm, data: n.sm.serialize())
            n.disk.snapshot = snap
            n.lastSnapshotIndex = snap.index
            n.core.compact(to: snap)
        }
        if n.core.role == .leader {
            if let other = leaders[n.core.term], other != id {
                violations.append("two leaders in term \(n.core.term): \(other) and \(id)")
            }
            leaders[n.core.term] = id
        }
        nodes[id] = n
        // A follow-up Ready (e.g. commit after persisting) must not wait for the next input.
        if !nodes[id]!.core.readyIsIdle { process(id) }
    }

    /// What the writer does with one `Ready`: persist it, report it durable, release its messages.
    private func write(_ rd: Ready, on n: inout Node) {
        if let hs = rd.hardState { n.disk.hardState = hs }
        if let s = rd.snapshot {
            n.disk.snapshot = s
            n.disk.log.reset(toSnapshot: s.index, term: s.term)
            n.sm = (try? KVStateMachine(snapshot: s.data)) ?? KVStateMachine()
            n.lastSnapshotIndex = s.index
        }
        if let first = rd.entries.first {
            n.disk.log.truncate(from: first.index)
            for e in rd.entries { n.disk.log.append(e) }
        }
        n.core.persisted(index: rd.lastIndex, term: rd.lastTerm)
        inFlight += rd.messages + rd.persistedMessages
    }

    /// Unfreezes `id`'s writer: everything it held is written in order, then the node settles.
    func releaseWriter(_ id: String) {
        frozenWriters.remove(id)
        for rd in heldWrites.removeValue(forKey: id) ?? [] {
            var held = rd
            held.messages = []  // those went out when the Ready was made
            write(held, on: &nodes[id]!)
        }
        process(id)
    }

    /// Delivers messages until the network is quiet (or `limit` deliveries happened).
    func deliverAll(limit: Int = 100_000) {
        var n = 0
        while !inFlight.isEmpty && n < limit {
            let pick = chance(reorderRate) ? Int(netRandom.next() % UInt64(inFlight.count)) : 0
            var m = inFlight.remove(at: pick)
            n += 1
            if chance(dropRate) { continue }
            guard nodes[m.to]?.up == true, nodes[m.from] != nil, !cut.contains([m.from, m.to]) else { continue }
            if let filter {
                guard let f = filter(m) else { continue }
                m = f
            }
            nodes[m.to]!.core.step(m)
            process(m.to)
        }
    }

    func chance(_ p: Double) -> Bool {
        p > 0 && Double(netRandom.next() % 1_000_000) / 1_000_000 < p
    }

    /// Advances every live node's clock `count` times, delivering everything after each tick.
    func run(ticks count: Int) {
        for _ in 0..<count {
            for id in ids where nodes[id]!.up {
                nodes[id]!.core.tick()
                process(id)
            }
            deliverAll()
        }
    }

    /// Runs until some node is leader with a majority of followers in its term, or `maxTicks` pass.
    @discardableResult
    func electLeader(maxTicks: Int = 300) -> String? {
        for _ in 0..<maxTicks {
            run(ticks: 1)
            if let l = leader() { return l }
        }
        return nil
    }

    /// The live node that believes it leads, if exactly one does in the highest term.
    func leader() -> String? {
        let live = ids.filter { nodes[$0]!.up && nodes[$0]!.core.role == .leader }
        return live.max { nodes[$0]!.core.term < nodes[$1]!.core.term }
    }

    @discardableResult
    func propose(_ id: String, _ command: Command) -> (index: UInt64, term: UInt64)? {
        let r = nodes[id]!.core.propose(command.encode())
        process(id)
        return r
    }

    func crash(_ id: String) {
        nodes[id]!.up = false
        inFlight.removeAll { $0.to == id || $0.from == id }
    }

    /// Restarts `id` from its simulated disk, as a process restart would.
    func restart(_ id: String, seed: UInt64 = 7) {
        let disk = nodes[id]!.disk
        var n = Node(core: makeCore(id, seed: seed, disk: disk), disk: disk)
        if let s = disk.snapshot {
            n.sm = (try? KVStateMachine(snapshot: s.data)) ?? KVStateMachine()
            n.lastSnapshotIndex = s.index
        }
        nodes[id] = n
    }

    /// Cuts both directions between each node of `a` and each of `b`.
    func partition(_ a: [String], _ b: [String]) {
        for x in a { for y in b { cut.insert([x, y]); cut.insert([y, x]) } }
    }

    func heal() { cut.removeAll() }

    func core(_ id: String) -> RaftCore { nodes[id]!.core }
}

extension RaftCore {
    /// True when `ready()` would return nothing to do (used by the simulator to settle a node).
    var readyIsIdle: Bool {
        let applyTo = min(commitIndex, persistedIndex)
        return applyTo <= handedIndex && unstableFrom > log.lastIndex && out.isEmpty
            && hardState == lastReadyHardState && pendingSnapshot == nil
            && !(role == .leader && (needBroadcast || (!unassignedReads.isEmpty && hasCommittedInTerm)))
    }
}
