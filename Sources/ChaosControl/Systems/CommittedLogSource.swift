import ChaosHistory

/// A system whose nodes can say what their committed log entries hold (operation, key, value), so chaos can
/// follow the log during a run (`LogFollower`) for log-informed linearizability checking.
public protocol CommittedLogSource: Sendable {
    /// The index of the first entry a fresh cluster commits (raft-node 1; etcd's first revision with a write, 2).
    var firstCommittedIndex: Int64 { get }

    /// Whether the nodes say what their entries hold (a custom adapter only when its log maps contents).
    var servesEntryContents: Bool { get }

    /// Up to `limit` of `node`'s committed entries after index `after`, with the node's commit index; nil when
    /// the node does not answer. A node that compacted past `after` starts at the first entry it still holds.
    func committedEntries(of node: NodeAddress, after: Int64, limit: Int, via endpoint: HTTPEndpoint,
                          timeout: Duration) async -> CommittedPage?
}

extension CommittedLogSource {
    public var servesEntryContents: Bool { true }
}

/// One answer of a node about its committed entries.
public struct CommittedPage: Sendable {
    public var entries: [CommittedEntry]
    public var commitIndex: Int64

    public init(entries: [CommittedEntry], commitIndex: Int64) {
        self.entries = entries
        self.commitIndex = commitIndex
    }
}
