/// One poll of one node: its own status API plus what `/proc` says about its process.
///
/// A node that does not answer in time is data, not an error: `answered` is false and `error` says why.
public struct Sample: Sendable, Hashable, Codable {
    /// Nanoseconds since the start of the run.
    public var time: Int64
    public var node: String
    public var answered: Bool
    public var error: String?
    public var role: String?
    public var term: Int64?
    public var leader: String?
    public var commitIndex: Int64?
    public var appliedIndex: Int64?
    public var lastIndex: Int64?
    public var snapshotIndex: Int64?
    public var pid: Int32?
    public var rssBytes: Int64?
    public var openFDs: Int?
    public var threads: Int?

    public init(
        time: Int64, node: String, answered: Bool, error: String? = nil, role: String? = nil, term: Int64? = nil,
        leader: String? = nil, commitIndex: Int64? = nil, appliedIndex: Int64? = nil, lastIndex: Int64? = nil,
        snapshotIndex: Int64? = nil, pid: Int32? = nil, rssBytes: Int64? = nil, openFDs: Int? = nil,
        threads: Int? = nil
    ) {
        self.time = time
        self.node = node
        self.answered = answered
        self.error = error
        self.role = role
        self.term = term
        self.leader = leader
        self.commitIndex = commitIndex
        self.appliedIndex = appliedIndex
        self.lastIndex = lastIndex
        self.snapshotIndex = snapshotIndex
        self.pid = pid
        self.rssBytes = rssBytes
        self.openFDs = openFDs
        self.threads = threads
    }
}
