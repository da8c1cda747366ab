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

    public var node: String
    public var commitIndex: Int64
    /// Entries from the first the node still holds (after compaction) up to its last.
    public var entries: [Entry]

    public init(node: String, commitIndex: Int64, entries: [Entry]) {
        self.node = node
        self.commitIndex = commitIndex
        self.entries = entries
    }
}
