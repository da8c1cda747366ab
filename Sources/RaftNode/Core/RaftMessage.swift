/// A message between two Raft peers: who sends it, to whom, in which term, and what it says.
public struct RaftMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var term: UInt64
    public var body: Body

    public init(from: String, to: String, term: UInt64, body: Body) {
        self.from = from
        self.to = to
        self.term = term
        self.body = body
    }

    /// The message kinds of the Raft paper, plus pre-vote and a separate heartbeat that carries the
    /// ReadIndex round number.
    public enum Body: Sendable, Equatable {
        /// Ask for a vote. With `preVote` the sender has not bumped its term yet and nobody changes state.
        case requestVote(lastIndex: UInt64, lastTerm: UInt64, preVote: Bool)
        case voteResponse(granted: Bool, preVote: Bool)
        /// Replicate `entries` after (`prevIndex`, `prevTerm`); `commit` is the leader's commit index.
        case appendEntries(prevIndex: UInt64, prevTerm: UInt64, entries: [LogEntry], commit: UInt64)
        /// On success `index` is the follower's match index. On rejection `index` is the `prevIndex` that
        /// was rejected and `hint` is where the leader should retry from.
        case appendResponse(success: Bool, index: UInt64, hint: UInt64)
        /// Keep followers quiet and confirm leadership for ReadIndex round `readRound`.
        case heartbeat(commit: UInt64, readRound: UInt64)
        case heartbeatResponse(readRound: UInt64)
        case installSnapshot(Snapshot)
    }

    /// A short name for logs and traces.
    public var kind: String {
        switch body {
        case .requestVote(_, _, let pre): pre ? "PreVote" : "RequestVote"
        case .voteResponse(_, let pre): pre ? "PreVoteResponse" : "VoteResponse"
        case .appendEntries: "AppendEntries"
        case .appendResponse: "AppendResponse"
        case .heartbeat: "Heartbeat"
        case .heartbeatResponse: "HeartbeatResponse"
        case .installSnapshot: "InstallSnapshot"
        }
    }
}
