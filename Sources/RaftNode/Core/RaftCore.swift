/// The Raft protocol as a deterministic state machine: no threads, no clock, no I/O.
///
/// Inputs are `tick()`, `step(_:)`, `propose(_:)`, `readIndex(id:)`, `persisted(index:term:)` and
/// `compact(to:)`; outputs come out of `ready()`. Everything that could make a run non-reproducible (time,
/// randomness, the network, the disk) lives in the driver, so tests can run whole clusters in one thread.
public struct RaftCore {
    public let config: RaftConfig
    var id: String { config.id }
    /// Every other member, voters and learners: whom a leader replicates to.
    var peers: [String] { membership.ids.filter { $0 != id } }
    /// Every other voter: whose votes and acknowledgements count.
    var voterPeers: [String] { membership.voters.filter { $0 != id } }
    /// Votes or acknowledgements needed among the voters.
    var quorum: Int { membership.quorum }
    /// Whether this node's own vote and log count in the current configuration.
    var isVoter: Bool { membership.isVoter(id) }

    /// The newest configuration in the log (committed or not), else the snapshot's, else the bootstrap one.
    public internal(set) var membership: Membership
    /// Index of the entry that holds `membership` (0: it came from the bootstrap or a snapshot).
    public internal(set) var membershipIndex: UInt64 = 0
    /// The configuration as of the log's first index minus one (snapshot or bootstrap), for truncations.
    var baseMembership: Membership
    /// `half-reconfig` only: the learner this node, as leader, added and means to promote (in memory only).
    var ownPendingPromotion: String?
    /// The tick since which each learner has been caught up without interruption.
    var learnerCaughtUpSince: [String: Int] = [:]
    /// The last tick each learner was seen answering (its progress marked recently active).
    var learnerLastHeard: [String: Int] = [:]

    public internal(set) var hardState: HardState
    public internal(set) var role: RaftRole = .follower
    public internal(set) var leader: String?
    var log = RaftLog()
    public internal(set) var commitIndex: UInt64 = 0
    /// Highest index known durable on this node's own disk.
    public internal(set) var persistedIndex: UInt64 = 0
    /// Highest index handed to the driver for applying.
    var handedIndex: UInt64 = 0
    /// First index not yet handed to the driver for persisting.
    var unstableFrom: UInt64 = 1
    /// `leak-on-retry` only: what the retry path never releases.
    var leakedOnRetry: [[UInt8]] = []
    var lastReadyHardState: HardState
    var pendingSnapshot: Snapshot?
    /// The newest state-machine snapshot, sent to followers that are behind the compacted prefix.
    public internal(set) var latestSnapshot: Snapshot?

    var now = 0
    var electionElapsed = 0
    var heartbeatElapsed = 0
    var randomizedElectionTimeout = 0
    var votes: [String: Bool] = [:]
    var progress: [String: Progress] = [:]
    /// With replicator threads: per follower, the last index its replicator announced (`announce(to:)`).
    var announced: [String: UInt64] = [:]
    var needBroadcast = false
    var rng: SplitMix64

    var readRound: UInt64 = 0
    var unassignedReads: [UInt64] = []
    var roundReads: [(round: UInt64, id: UInt64, index: UInt64)] = []

    var out = Ready()

    /// Creates a core from what the disk holds (all empty for a new node).
    public init(config: RaftConfig, hardState: HardState = HardState(), snapshot: Snapshot? = nil,
                entries: [LogEntry] = []) {
        self.config = config
        self.hardState = hardState
        self.lastReadyHardState = hardState
        self.rng = SplitMix64(seed: config.seed &+ fnv1a(config.id))
        let bootstrap = config.bootstrap
            ?? Membership(([config.id] + config.peers).map { Member(id: $0, address: "") })
        self.baseMembership = snapshot.flatMap { KVStateMachine.membership(inSnapshot: $0.data) } ?? bootstrap
        self.membership = baseMembership
        if let snapshot {
            log.reset(toSnapshot: snapshot.index, term: snapshot.term)
            commitIndex = snapshot.index
            handedIndex = snapshot.index
            latestSnapshot = snapshot
        }
        for e in entries where e.index > log.lastIndex { log.append(e) }
        refreshMembership()
        persistedIndex = log.lastIndex
        unstableFrom = log.lastIndex + 1
        resetElectionTimer()
    }

    public var lastIndex: UInt64 { log.lastIndex }
    public var lastTerm: UInt64 { log.lastTerm }
    public var snapshotIndex: UInt64 { log.snapshotIndex }
    public var term: UInt64 { hardState.term }

    /// The entries held in memory in `from...to` (compacted ones are absent).
    public func entries(from: UInt64, to: UInt64) -> [LogEntry] { log.slice(from: from, to: to) }

    /// Match and next index per follower, on the leader only.
    public var followerProgress: [String: (match: UInt64, next: UInt64)] {
        progress.mapValues { ($0.match, $0.next) }
    }

    // MARK: - Inputs

    /// Advances the logical clock by one tick: heartbeats on the leader, elections elsewhere.
    public mutating func tick() {
        now += 1
        electionElapsed += 1
        if role == .leader {
            heartbeatElapsed += 1
            if heartbeatElapsed >= config.heartbeatTicks {
                heartbeatElapsed = 0
                broadcastHeartbeat()
            }
            if electionElapsed >= config.electionTicks {
                electionElapsed = 0
                checkQuorum()
            }
        } else if electionElapsed >= randomizedElectionTimeout {
            // Learners and nodes outside the configuration wait to be told; they never call an election.
            if isVoter { campaign(preVote: true) } else { resetElectionTimer() }
        }
    }

    /// Appends a command to the leader's log.
    /// - Returns: the index and term the entry got, or nil when this node is not the leader.
    public mutating func propose(_ data: [UInt8]) -> (index: UInt64, term: UInt64)? {
        guard role == .leader else { return nil }
        let entry = LogEntry(index: log.lastIndex + 1, term: term, data: data)
        log.append(entry)
        needBroadcast = true
        return (entry.index, entry.term)
    }

    /// Starts a linearizable read: `ready()` later returns `id` in `reads` (with the index to wait for)
    /// or in `failedReads`.
    public mutating func readIndex(id: UInt64) {
        guard role == .leader else {
            out.failedReads.append(id)
            return
        }
        unassignedReads.append(id)
    }

    /// The driver's writer made everything up to (`index`, `term`) durable.
    public mutating func persisted(index: UInt64, term: UInt64) {
        // A later truncation may have replaced that entry; the term tells (Log Matching).
        guard log.matches(index: index, term: term), index > persistedIndex else { return }
        persistedIndex = index
        if role == .leader { maybeCommit() }
    }

    /// The state machine saved `snapshot`; forget the log below it (minus the configured margin).
    public mutating func compact(to snapshot: Snapshot) {
        guard snapshot.index <= handedIndex, log.matches(index: snapshot.index, term: snapshot.term) else { return }
        if snapshot.index > (latestSnapshot?.index ?? 0) { latestSnapshot = snapshot }
        let target = snapshot.index > config.compactionMargin ? snapshot.index - config.compactionMargin : 0
        if target > log.snapshotIndex, let t = log.term(at: target) {
            noteCompaction(through: target)
            log.compact(through: target, term: t)
        }
    }

    /// Collects what the driver must do now, and clears it.
    public mutating func ready() -> Ready {
        if role == .leader {
            settleMembership()
        }
        if role == .leader {
            if needBroadcast {
                needBroadcast = false
                for p in peers { sendAppends(to: p) }
            }
            startReadRound()
        }
        var rd = out
        out = Ready()
        if hardState != lastReadyHardState {
            rd.hardState = hardState
            lastReadyHardState = hardState
        }
        rd.snapshot = pendingSnapshot
        pendingSnapshot = nil
        if unstableFrom <= log.lastIndex {
            rd.entries = log.slice(from: unstableFrom, to: log.lastIndex)
        }
        unstableFrom = log.lastIndex + 1
        rd.lastIndex = log.lastIndex
        rd.lastTerm = log.lastTerm
        let applyTo = min(commitIndex, persistedIndex)
        if applyTo > handedIndex {
            rd.committed = log.slice(from: handedIndex + 1, to: applyTo)
            handedIndex = applyTo
        }
        return rd
    }

    // MARK: - Role changes

    mutating func resetElectionTimer() {
        electionElapsed = 0
        randomizedElectionTimeout = config.electionTicks + Int(rng.next() % UInt64(max(1, config.electionTicks)))
    }

    mutating func becomeFollower(term newTerm: UInt64, leader newLeader: String?) {
        if newTerm > hardState.term {
            hardState = HardState(term: newTerm, vote: nil)
        }
        if role == .leader { failAllReads() }
        role = .follower
        leader = newLeader
        progress = [:]
        resetElectionTimer()
    }

    mutating func campaign(preVote: Bool) {
        resetElectionTimer()
        leader = nil
        if preVote {
            role = .preCandidate
        } else {
            role = .candidate
            hardState = HardState(term: hardState.term + 1, vote: id)
        }
        votes = [id: true]
        if votes.count >= quorum {
            if preVote { campaign(preVote: false) } else { becomeLeader() }
            return
        }
        let voteTerm = preVote ? hardState.term + 1 : hardState.term
        for p in voterPeers {
            send(RaftMessage(from: id, to: p, term: voteTerm,
                             body: .requestVote(lastIndex: log.lastIndex, lastTerm: log.lastTerm, preVote: preVote)))
        }
    }

    mutating func becomeLeader() {
        role = .leader
        leader = id
        heartbeatElapsed = 0
        electionElapsed = 0
        progress = [:]
        ownPendingPromotion = nil
        learnerCaughtUpSince = [:]
        learnerLastHeard = [:]
        for p in peers { progress[p] = Progress(next: log.lastIndex + 1) }
        // The no-op of the new term: committing it commits every earlier entry (Figure 8) and opens reads.
        log.append(LogEntry(index: log.lastIndex + 1, term: term, data: []))
        // A new leader's replicators start from its whole log, the no-op included.
        announced = Dictionary(uniqueKeysWithValues: peers.map { ($0, log.lastIndex) })
        needBroadcast = true
    }

    /// Steps down when a majority has not been heard from for an election timeout, so an isolated leader
    /// stops serving reads and clients look elsewhere.
    mutating func checkQuorum() {
        var active = isVoter ? 1 : 0
        for p in voterPeers {
            if progress[p]?.recentActive == true { active += 1 }
            progress[p]?.recentActive = false
        }
        for p in peers where !voterPeers.contains(p) { progress[p]?.recentActive = false }
        if active < quorum { becomeFollower(term: term, leader: nil) }
    }

    // MARK: - Output

    /// Queues a message; what claims something durable (append acks, votes, a new term's campaign) waits for
    /// the disk, the rest goes out at once. A heartbeat response claims nothing (as in etcd/raft), so a follower
    /// with a slow or stalled writer still counts as alive and still confirms ReadIndex rounds, and the leader
    /// still learns that it is reachable again and probes it.
    mutating func send(_ m: RaftMessage) {
        switch m.body {
        case .appendEntries, .heartbeat, .installSnapshot, .heartbeatResponse, .requestVote(_, _, true),
             .voteResponse(_, true):
            out.messages.append(m)
        default:
            out.persistedMessages.append(m)
        }
    }
}

/// A small, seedable random generator so elections are reproducible in tests.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// FNV-1a over a string's UTF-8 bytes: stable across runs, unlike `hashValue`.
func fnv1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}
