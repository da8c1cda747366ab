/// One entry of the replicated log: its position, the term of the leader that created it, and opaque bytes.
///
/// An entry with empty `data` is a no-op: a new leader appends one so it can commit an entry of its own term
/// (the Figure 8 rule) and serve ReadIndex reads.
public struct LogEntry: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, data: [UInt8]) {
        self.index = index
        self.term = term
        self.data = data
    }
}

/// The part of a node's state that must be durable before it answers anyone: its term and its vote.
public struct HardState: Sendable, Equatable {
    public var term: UInt64
    public var vote: String?

    public init(term: UInt64 = 0, vote: String? = nil) {
        self.term = term
        self.vote = vote
    }
}

/// A state-machine snapshot together with the log position it covers.
public struct Snapshot: Sendable, Equatable {
    /// Index of the last entry whose effect is inside `data`.
    public var index: UInt64
    /// Term of the entry at `index`.
    public var term: UInt64
    /// The serialized state machine.
    public var data: [UInt8]

    public init(index: UInt64, term: UInt64, data: [UInt8]) {
        self.index = index
        self.term = term
        self.data = data
    }
}

/// The role a node plays in its current term.
public enum RaftRole: String, Sendable {
    case follower
    case preCandidate = "pre-candidate"
    case candidate
    case leader

    /// The role as `/status` reports it: a pre-candidate is still a candidate to the outside world.
    public var statusName: String {
        self == .preCandidate ? "candidate" : rawValue
    }
}
