/// A custom adapter's optional `membership` section: the system's own admin API for reading and changing the
/// cluster's configuration, which the `membership` fault drives (docs/adapters.md, "membership"). Without it, a
/// plan with a `membership` fault against the adapter is refused at validation.
public struct MembershipDefinition: Sendable, Hashable {
    /// Reads the configuration as the node asked sees it.
    public var list: MemberListDefinition
    /// Adds a node (as the system adds one: a learner promoted once caught up, or a voter at once).
    public var add: MemberChangeDefinition
    /// Removes the member `{id}`.
    public var remove: MemberChangeDefinition
    /// Arguments appended to the node's command when it starts as a member joining a running cluster
    /// (raft-node: `--join`; etcd: `--initial-cluster-state existing`).
    public var join: [CommandArgument]
    /// The add request goes before the joining node starts (etcd), rather than after (raft-node).
    public var addBeforeStart: Bool
    /// A member is stopped before its removal rather than after it commits (systems that crash applying their
    /// own removal, like etcd 3.4).
    public var stopBeforeRemove: Bool
    /// A removed member can only come back with an empty data directory (`data: keep` wipes too).
    public var rejoinEmpty: Bool

    public init(list: MemberListDefinition, add: MemberChangeDefinition, remove: MemberChangeDefinition,
                join: [CommandArgument] = [], addBeforeStart: Bool = false, stopBeforeRemove: Bool = false,
                rejoinEmpty: Bool = false) {
        self.list = list
        self.add = add
        self.remove = remove
        self.join = join
        self.addBeforeStart = addBeforeStart
        self.stopBeforeRemove = stopBeforeRemove
        self.rejoinEmpty = rejoinEmpty
    }
}

/// The member-list request and where the members are in its answer.
public struct MemberListDefinition: Sendable, Hashable {
    public var request: RequestDefinition
    /// The list of members.
    public var members: FieldPath
    /// Each member's node id (`n1`…), relative to the member.
    public var id: FieldPath
    /// Relative to the member: `true` for a voter; nil = every listed member votes.
    public var voter: FieldRead?
    /// In the answer: `true` once the newest configuration is committed; nil = always taken as committed.
    public var committed: FieldRead?
}

/// An add or remove request, and which answers mean done and which mean refused for good.
public struct MemberChangeDefinition: Sendable, Hashable {
    public var request: RequestDefinition
    /// Default `[2xx]`.
    public var ok: [ResponseMatch]
    /// Answers that retrying will not change (e.g. already a member, no such member); any other non-`ok`
    /// answer is retried, at the current leader, until the change's timeout. Default `[400]`.
    public var refused: [ResponseMatch]
}
