import ChaosHistory
import ChaosSupport

/// The embedded reference system, `raft-node` (see its README section for the HTTP contract).
public struct RaftNodeSystem: SystemAdapter {
    public var binary: String
    public var electionTimeout: Duration?
    public var heartbeat: Duration?
    public var snapshotEvery: Int?
    /// Test-only bug modes, each passed as `--bug NAME`.
    public var bugs: [String]
    public var extraArguments: [String]
    /// How clients reach the nodes; nil = directly by address.
    public var dialer: NodeDialer?

    public init(binary: String, electionTimeout: Duration? = nil, heartbeat: Duration? = nil,
                snapshotEvery: Int? = nil, bugs: [String] = [], extraArguments: [String] = [],
                dialer: NodeDialer? = nil) {
        self.dialer = dialer
        self.binary = binary
        self.electionTimeout = electionTimeout
        self.heartbeat = heartbeat
        self.snapshotEvery = snapshotEvery
        self.bugs = bugs
        self.extraArguments = extraArguments
    }

    public var name: String { "raft-node" }

    public func command(for node: NodeAddress, cluster: [NodeAddress], dataDirectory: String) -> LaunchCommand {
        var args = [
            "--id", node.id, "--data-dir", dataDirectory,
            "--listen-raft", "\(node.host):\(node.peerPort)", "--listen-http", "\(node.host):\(node.clientPort)",
        ]
        for peer in cluster where peer.id != node.id {
            args += ["--peer", "\(peer.id)=\(peer.host):\(peer.peerPort),\(peer.host):\(peer.clientPort)"]
        }
        if let electionTimeout { args += ["--election-timeout", "\(electionTimeout.milliseconds)ms"] }
        if let heartbeat { args += ["--heartbeat", "\(heartbeat.milliseconds)ms"] }
        if let snapshotEvery { args += ["--snapshot-every", String(snapshotEvery)] }
        for bug in bugs { args += ["--bug", bug] }
        return LaunchCommand(executable: binary, arguments: args + extraArguments)
    }

    public func status(of node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(HTTPClientError) -> NodeStatus
    {
        let response = try await endpoint.request(.GET, "/status", timeout: timeout)
        // Read with the history's JSON reader: the sampler asks every node ten times a second.
        guard response.status == 200, let json = response.fields else {
            throw .connectionLost(sent: true)
        }
        return NodeStatus(
            role: NodeStatus.Role(rawValue: json["role"]?.stringValue ?? "") ?? .unknown,
            term: json["term"]?.intValue ?? 0,
            leader: json["leader"]?.stringValue,
            commitIndex: json["commitIndex"]?.intValue ?? 0,
            appliedIndex: json["appliedIndex"]?.intValue ?? 0,
            lastIndex: json["lastIndex"]?.intValue,
            snapshotIndex: json["snapshotIndex"]?.intValue)
    }

    public func dialing(through dialer: NodeDialer?) -> RaftNodeSystem {
        var system = self
        system.dialer = dialer
        return system
    }

    /// Pages through `GET /raft/log` from the first entry the node still holds to its last.
    public func log(of node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration) async -> NodeLog? {
        guard let status = try? await self.status(of: node, via: endpoint, timeout: timeout) else { return nil }
        return await LogPager.read(node: node.id, first: (status.snapshotIndex ?? 0) + 1,
                                   last: status.lastIndex ?? status.commitIndex,
                                   commitIndex: status.commitIndex) { from, to in
            guard let response = try? await endpoint.request(.GET, "/raft/log?from=\(from)&to=\(to)", timeout: timeout),
                  response.status == 200, let json = response.json, let page = json["entries"] as? [[String: Any]]
            else { return nil }
            let entries = page.compactMap { entry -> NodeLog.Entry? in
                guard let index = int64(entry["index"]), let term = int64(entry["term"]),
                      let digest = entry["digest"] as? String else { return nil }
                return NodeLog.Entry(index: index, term: term, digest: digest)
            }
            return LogPager.Page(entries: entries, commitIndex: int64(json["commitIndex"]))
        }
    }
}

/// A JSON number as Int64, whichever way JSONSerialization delivered it.
func int64(_ any: Any?) -> Int64? {
    switch any {
    case let n as Int: Int64(n)
    case let n as Int64: n
    case let n as Double: Int64(n)
    case let s as String: Int64(s)
    default: nil
    }
}
