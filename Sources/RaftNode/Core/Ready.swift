/// Everything a `RaftCore` asks its driver to do after a batch of inputs.
///
/// The driver must persist `hardState`, `snapshot` and `entries` (in that order) before it sends
/// `persistedMessages`; `messages` may go out at once. `committed` entries are durable locally and safe to
/// apply. `reads` are ReadIndex requests whose leadership check passed: serve each once the state machine
/// has applied its `index`.
public struct Ready: Sendable {
    public var hardState: HardState?
    public var snapshot: Snapshot?
    /// New or rewritten entries; the first one's index implies truncation of everything at and after it.
    public var entries: [LogEntry] = []
    public var messages: [RaftMessage] = []
    public var persistedMessages: [RaftMessage] = []
    public var committed: [LogEntry] = []
    public var reads: [ReadState] = []
    /// ReadIndex requests this node cannot serve (it is not, or no longer, the leader).
    public var failedReads: [UInt64] = []
    /// The log's last position after this batch: the writer reports it back through `persisted(index:term:)`.
    public var lastIndex: UInt64 = 0
    public var lastTerm: UInt64 = 0

    /// True when there is something to write to disk.
    public var needsPersistence: Bool {
        hardState != nil || snapshot != nil || !entries.isEmpty
    }

    public var isEmpty: Bool {
        !needsPersistence && messages.isEmpty && persistedMessages.isEmpty && committed.isEmpty
            && reads.isEmpty && failedReads.isEmpty
    }
}

/// A ReadIndex request whose leadership check passed: it may be served once `index` is applied.
public struct ReadState: Sendable, Equatable {
    public var id: UInt64
    public var index: UInt64
}

/// Tunables of the Raft core, in ticks of the driver's clock.
public struct RaftConfig: Sendable {
    public var id: String
    /// Every other member of the cluster.
    public var peers: [String]
    public var electionTicks: Int
    public var heartbeatTicks: Int
    public var seed: UInt64
    /// Appends sent to a follower and not acknowledged yet, at most.
    public var maxInflight = 256
    /// Payload bytes of one AppendEntries, at most (one entry always goes, however large).
    public var maxMessageBytes = 1 << 20
    /// Entries kept in memory below a snapshot, so a slightly lagging follower needs no snapshot.
    public var compactionMargin: UInt64 = 1000
    /// Test-only bugs to switch on (none in normal use).
    public var bugs: Set<Bug> = []
    /// New entries go to a follower only once its replicator thread announced them (`announce(to:)`).
    public var replicatorThreads = false
    /// The configuration before the log holds any (with addresses); nil means `id` and `peers`, all voters.
    /// An empty one is a node that joins an existing cluster: it waits for a leader to send it the log.
    public var bootstrap: Membership?

    public init(id: String, peers: [String], electionTicks: Int = 30, heartbeatTicks: Int = 5, seed: UInt64 = 0) {
        self.id = id
        self.peers = peers
        self.electionTicks = electionTicks
        self.heartbeatTicks = heartbeatTicks
        self.seed = seed
    }
}
