/// A node's replicated log as read at the end of a run, entry by entry as digests, for comparing replicas.
public struct NodeLog: Sendable, Hashable, Codable {
    public struct Entry: Sendable, Hashable, Codable {
        public var index: Int64
        public var term: Int64
        /// A hex hash of the entry's bytes.
        public var digest: String

        public init(index: Int64, term: Int64, digest: String) {
            self.index = index
            self.term = term
            self.digest = digest
        }
    }

    /// A hash of the node's whole state as of one index, computed by the node itself (etcd's backend hash):
    /// nodes that report one at the same index must agree.
    public struct StateHash: Sendable, Hashable, Codable {
        public var index: Int64
        public var hash: String

        public init(index: Int64, hash: String) {
            self.index = index
            self.hash = hash
        }
    }

    public var node: String
    public var commitIndex: Int64
    /// Entries from the first the node still holds (after compaction) up to its last.
    public var entries: [Entry]
    public var stateHash: StateHash?

    public init(node: String, commitIndex: Int64, entries: [Entry], stateHash: StateHash? = nil) {
        self.node = node
        self.commitIndex = commitIndex
        self.entries = entries
        self.stateHash = stateHash
    }
}
