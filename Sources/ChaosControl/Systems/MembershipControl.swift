/// One member as a system's membership API reports it.
public struct MemberInfo: Sendable, Hashable {
    public var id: String
    /// False for a learner (raft-node) or an unpromoted learner (etcd): it receives the log but does not vote.
    public var voter: Bool

    public init(id: String, voter: Bool) {
        self.id = id
        self.voter = voter
    }
}

/// The configuration one node reports.
public struct MemberList: Sendable, Hashable {
    public var members: [MemberInfo]
    /// False while the newest configuration change is not committed (systems that cannot tell say true).
    public var committed: Bool

    public init(members: [MemberInfo], committed: Bool = true) {
        self.members = members.sorted { $0.id < $1.id }
        self.committed = committed
    }

    public var voters: [String] { members.filter(\.voter).map(\.id) }
    public var ids: [String] { members.map(\.id) }
    public var learners: [String] { members.filter { !$0.voter }.map(\.id) }

    /// `n1,n2,n3 (+n4 learning)`, for event details.
    public var summary: String {
        let learners = members.filter { !$0.voter }.map(\.id)
        return voters.joined(separator: ",") + (learners.isEmpty ? "" : " (+\(learners.joined(separator: ",")) learning)")
    }
}

/// Why a membership request did not go through.
public struct MembershipError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// Worth asking again (another node leads, an earlier change is still committing, no quorum yet).
    public var retry: Bool

    public init(_ message: String, retry: Bool) {
        self.message = message
        self.retry = retry
    }

    public var description: String { message }
}

/// A system whose membership chaos can change (the `membership` fault): list, add and remove members through
/// the system's own admin API, and start a node that joins an existing cluster.
public protocol MembershipControl: Sendable {
    /// The configuration as the node behind `endpoint` sees it.
    func members(via endpoint: HTTPEndpoint, timeout: Duration) async throws(MembershipError) -> MemberList

    /// Asks the node behind `endpoint` (the leader, for systems that need it) to add `node`.
    func addMember(_ node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration) async throws(MembershipError)

    /// Asks the node behind `endpoint` to remove the member `id`.
    func removeMember(_ id: String, via endpoint: HTTPEndpoint, timeout: Duration) async throws(MembershipError)

    /// The command that starts `node` as a member joining the running cluster (after it was added, or before,
    /// as the system requires), its data in `dataDirectory`; `cluster` is the membership it joins, itself
    /// included.
    func joinCommand(for node: NodeAddress, cluster: [NodeAddress], dataDirectory: String) -> LaunchCommand

    /// Whether `addMember` must come before the joining node starts (etcd), rather than after (raft-node).
    var addsBeforeStart: Bool { get }

    /// Whether a removed member can only come back empty (etcd: a member's id lives in its data directory,
    /// and a removed id is refused for ever), so `data: keep` wipes too.
    var rejoinNeedsEmptyData: Bool { get }

    /// Whether a member is stopped before it is removed (the removal of a dead member), rather than after its
    /// removal commits: etcd 3.4 panics in a member that applies its own removal.
    var stopsBeforeRemoval: Bool { get }

    /// Whether this adapter can change membership at all (a custom adapter only with a `membership` section).
    var hasMembershipAPI: Bool { get }
}

extension MembershipControl {
    public var addsBeforeStart: Bool { false }
    public var rejoinNeedsEmptyData: Bool { false }
    public var stopsBeforeRemoval: Bool { false }
    public var hasMembershipAPI: Bool { true }
}
