import ChaosHistory

/// Where one node of the cluster listens.
public struct NodeAddress: Sendable, Hashable {
    public var id: String
    /// The address clients, peers and the sampler use (127.0.0.1, or the node's namespace address).
    public var host: String
    public var peerPort: Int
    public var clientPort: Int

    public init(id: String, host: String, peerPort: Int, clientPort: Int) {
        self.id = id
        self.host = host
        self.peerPort = peerPort
        self.clientPort = clientPort
    }
}

/// What a node says about itself through its own status API.
public struct NodeStatus: Sendable, Hashable {
    public enum Role: String, Sendable, Hashable {
        case leader, follower, candidate, unknown
    }

    public var role: Role
    public var term: Int64
    public var leader: String?
    public var commitIndex: Int64
    public var appliedIndex: Int64
    public var lastIndex: Int64?
    public var snapshotIndex: Int64?

    public init(role: Role, term: Int64, leader: String?, commitIndex: Int64, appliedIndex: Int64,
                lastIndex: Int64? = nil, snapshotIndex: Int64? = nil) {
        self.role = role
        self.term = term
        self.leader = leader
        self.commitIndex = commitIndex
        self.appliedIndex = appliedIndex
        self.lastIndex = lastIndex
        self.snapshotIndex = snapshotIndex
    }
}

/// How chaos drives one kind of system: how to start a node, read its status, and talk to it as a client
/// (Jepsen's `db` and `client` for one system).
public protocol SystemAdapter: Sendable {
    /// The name used in plans: `raft-node`, `etcd`, `custom`.
    var name: String { get }

    /// The command that starts (or restarts) `node`, with its data in `dataDirectory`.
    func command(for node: NodeAddress, cluster: [NodeAddress], dataDirectory: String) -> LaunchCommand

    /// Asks one node for its status.
    /// - Throws: `HTTPClientError` when the node does not answer in time (a paused node never does).
    func status(of node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(HTTPClientError) -> NodeStatus

    /// The same system whose clients connect through `dialer` (the lab namespace); nil = directly.
    func dialing(through dialer: NodeDialer?) -> Self

    /// The node's log as digests, for comparing replicas; nil when the system cannot say or the node is silent.
    func log(of node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration) async -> NodeLog?

    /// How long a node may take to exit after SIGTERM before it is SIGKILLed (and judged a crash on shutdown).
    var stopGrace: Duration { get }
}

extension SystemAdapter {
    public func log(of node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration) async -> NodeLog? { nil }

    public var stopGrace: Duration { .seconds(5) }
}

/// An argument vector, never passed through a shell.
public struct LaunchCommand: Sendable, Hashable {
    public var executable: String
    public var arguments: [String]

    public init(executable: String, arguments: [String]) {
        self.executable = executable
        self.arguments = arguments
    }
}
