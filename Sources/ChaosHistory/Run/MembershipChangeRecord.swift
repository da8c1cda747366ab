/// One membership change the nemesis made, as structured fields of its event (`changes` in events.jsonl): the
/// node removed or added, the configuration before and after, and how long the change took — so the report
/// and other tools read them instead of parsing the event's detail text.
public struct MembershipChangeRecord: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case remove, add
    }

    public var change: Kind
    public var node: String
    /// The voters before the change, sorted (`["n1","n2","n3"]`).
    public var before: [String]
    /// The voters once the change completed (for an add: once the node votes), or as last seen when it did not.
    public var after: [String]
    /// Learners (added, not yet voting) after the change; empty when none.
    public var learnersAfter: [String]
    /// From the start of the change (the committed configuration read) to its end: a removal committed, an added
    /// node voting. Milliseconds.
    public var tookMs: Int64
    /// Adds only: when the system accepted the add request (the node a learner), in ms from the start.
    public var acceptedMs: Int64?
    /// Adds only: whether the node came back with its old data (`keep`) or empty (`wipe`).
    public var data: String?
    /// False when the change did not complete (an added node that never got its vote).
    public var completed: Bool

    public init(change: Kind, node: String, before: [String], after: [String], learnersAfter: [String] = [],
                tookMs: Int64, acceptedMs: Int64? = nil, data: String? = nil, completed: Bool = true) {
        self.change = change
        self.node = node
        self.before = before
        self.after = after
        self.learnersAfter = learnersAfter
        self.tookMs = tookMs
        self.acceptedMs = acceptedMs
        self.data = data
        self.completed = completed
    }
}
