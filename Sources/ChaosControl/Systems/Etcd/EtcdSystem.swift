import ChaosHistory

/// etcd 3.4 (Debian's `etcd-server`): members started with their names, URLs on the node's address and ports,
/// driven over the v3 JSON gateway.
///
/// Each member's data directory lives in the run directory, so a member restarted after `kill` or `stop`
/// recovers from its own WAL (`--initial-cluster-state new` is ignored when the directory holds data).
public struct EtcdSystem: SystemAdapter {
    public var binary: String
    /// `--election-timeout` and `--heartbeat-interval`; nil leaves etcd's defaults (1000 ms, 100 ms).
    public var electionTimeout: Duration?
    public var heartbeat: Duration?
    /// `--snapshot-count`: applied entries between snapshots.
    public var snapshotEvery: Int?
    public var extraArguments: [String]
    /// How clients reach the nodes; nil = directly by address.
    public var dialer: NodeDialer?
    private let members = EtcdMembers()

    public init(binary: String, electionTimeout: Duration? = nil, heartbeat: Duration? = nil,
                snapshotEvery: Int? = nil, extraArguments: [String] = [], dialer: NodeDialer? = nil) {
        self.binary = binary
        self.electionTimeout = electionTimeout
        self.heartbeat = heartbeat
        self.snapshotEvery = snapshotEvery
        self.extraArguments = extraArguments
        self.dialer = dialer
    }

    public var name: String { "etcd" }

    public func command(for node: NodeAddress, cluster: [NodeAddress], dataDirectory: String) -> LaunchCommand {
        let peerURL = "http://\(node.host):\(node.peerPort)"
        let clientURL = "http://\(node.host):\(node.clientPort)"
        let initialCluster = cluster.map { "\($0.id)=http://\($0.host):\($0.peerPort)" }.joined(separator: ",")
        var args = [
            "--name", node.id, "--data-dir", dataDirectory,
            "--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
            "--listen-client-urls", clientURL, "--advertise-client-urls", clientURL,
            "--initial-cluster", initialCluster, "--initial-cluster-state", "new",
            "--initial-cluster-token", "chaos", "--logger", "zap", "--log-outputs", "stderr",
        ]
        if let electionTimeout { args += ["--election-timeout", String(electionTimeout.milliseconds)] }
        if let heartbeat { args += ["--heartbeat-interval", String(heartbeat.milliseconds)] }
        if let snapshotEvery { args += ["--snapshot-count", String(snapshotEvery)] }
        return LaunchCommand(executable: binary, arguments: args + extraArguments)
    }

    public func status(of node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(HTTPClientError) -> NodeStatus
    {
        let start = ContinuousClock.now
        let response = try await endpoint.request(.POST, "/v3/maintenance/status", body: Array("{}".utf8),
                                                  timeout: timeout)
        guard response.status == 200, let json = response.json, let reply = EtcdStatusReply(json: json) else {
            throw .connectionLost(sent: true)
        }
        // The leader is a member id; its name comes from the member list, asked once per member.
        var leaderNode: String?
        if let leader = reply.leaderID {
            leaderNode = leader == reply.memberID
                ? node.id
                : await members.nodeID(of: leader, via: endpoint, timeout: timeout - (ContinuousClock.now - start))
        }
        return reply.nodeStatus { _ in leaderNode }
    }

    /// On SIGTERM a leader first hands leadership to a peer, waiting up to etcd's request timeout (5 s plus
    /// two election timeouts) when the peer is stopping too, as at the end of a run; a second more to exit.
    public var stopGrace: Duration { .seconds(6) + (electionTimeout ?? .seconds(1)) * 2 }

    public func dialing(through dialer: NodeDialer?) -> EtcdSystem {
        var system = self
        system.dialer = dialer
        return system
    }

    /// The member's revision history (every event from revision 2, one entry per revision) and its backend
    /// hash, for comparing members; see `EtcdRevisionLog`.
    public func log(of node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration) async -> NodeLog? {
        await EtcdRevisionLog.read(node: node.id, via: endpoint, timeout: timeout)
    }
}
