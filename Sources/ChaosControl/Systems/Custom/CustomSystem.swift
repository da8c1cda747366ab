import ChaosHistory
import ChaosPlan
import NIOHTTP1

/// A system driven by a declarative adapter (`system: custom`): the node command, client operations, status
/// and log all come from the YAML definition (docs/adapters.md), so any system with an HTTP API can be tested
/// without writing Swift.
public struct CustomSystem: SystemAdapter {
    public var definition: AdapterDefinition
    /// The node program, `{binary}` in the command template.
    public var binary: String
    /// The plan's `args`, appended to every node's command.
    public var extraArguments: [String]
    /// How clients reach the nodes; nil = directly by address.
    public var dialer: NodeDialer?

    public init(definition: AdapterDefinition, binary: String, extraArguments: [String] = [],
                dialer: NodeDialer? = nil) {
        self.definition = definition
        self.binary = binary
        self.extraArguments = extraArguments
        self.dialer = dialer
    }

    public var name: String { "custom" }

    public func command(for node: NodeAddress, cluster: [NodeAddress], dataDirectory: String) -> LaunchCommand {
        let argv = CommandExpansion(node: node, cluster: cluster, dataDirectory: dataDirectory, binary: binary)
            .expand(definition.command)
        return LaunchCommand(executable: argv.first ?? binary, arguments: Array(argv.dropFirst()) + extraArguments)
    }

    public func status(of node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(HTTPClientError) -> NodeStatus
    {
        let spec = definition.status
        let request = RequestExpansion(spec.request, values: ["id": node.id])
        let response = try await endpoint.request(request.method, request.path, body: request.body,
                                                  headers: request.headers, timeout: timeout)
        guard response.status / 100 == 2, let root = JSONField.root(of: response) else {
            throw .connectionLost(sent: true)
        }
        func number(_ read: FieldRead?) -> Int64? {
            read.flatMap { JSONField.read($0, in: root) }.flatMap { Int64($0) }
        }
        let leader = spec.leader.flatMap { JSONField.read($0, in: root) }.flatMap { $0.isEmpty ? nil : $0 }
        let role: NodeStatus.Role
        if let field = spec.role {
            let theirs = JSONField.read(field, in: root) ?? ""
            role = NodeStatus.Role(rawValue: spec.roles[theirs] ?? theirs) ?? .unknown
        } else {
            // Only a leader field: the node leads when it names itself (by node id, or by its `self` field).
            let own = spec.selfID.flatMap { JSONField.read($0, in: root) } ?? node.id
            role = leader == own ? .leader : leader == nil ? .unknown : .follower
        }
        return NodeStatus(role: role, term: number(spec.term) ?? 0, leader: leader,
                          commitIndex: number(spec.commit) ?? 0, appliedIndex: number(spec.applied) ?? 0,
                          lastIndex: number(spec.last), snapshotIndex: number(spec.snapshot))
    }

    public func dialing(through dialer: NodeDialer?) -> CustomSystem {
        var system = self
        system.dialer = dialer
        return system
    }

    /// Pages through the adapter's `log:` endpoint from the first entry the node still holds to its last.
    public func log(of node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration) async -> NodeLog? {
        guard let spec = definition.log,
              let status = try? await self.status(of: node, via: endpoint, timeout: timeout) else { return nil }
        return await LogPager.read(node: node.id, first: (status.snapshotIndex ?? 0) + 1,
                                   last: status.lastIndex ?? status.commitIndex,
                                   commitIndex: status.commitIndex) { from, to in
            let request = RequestExpansion(spec.request, values: ["id": node.id, "from": "\(from)", "to": "\(to)"])
            guard let response = try? await endpoint.request(request.method, request.path, body: request.body,
                                                             headers: request.headers, timeout: timeout),
                  response.status / 100 == 2, let root = JSONField.root(of: response),
                  let page = JSONField.lookup(spec.entries, in: root) as? [Any] else { return nil }
            let entries = page.compactMap { entry -> NodeLog.Entry? in
                guard let index = JSONField.text(JSONField.lookup(spec.index, in: entry)).flatMap({ Int64($0) }),
                      let term = JSONField.text(JSONField.lookup(spec.term, in: entry)).flatMap({ Int64($0) }),
                      let digest = JSONField.text(JSONField.lookup(spec.digest, in: entry)) else { return nil }
                return NodeLog.Entry(index: index, term: term, digest: digest)
            }
            let commit = spec.commit.flatMap { JSONField.text(JSONField.lookup($0, in: root)) }.flatMap { Int64($0) }
            return LogPager.Page(entries: entries, commitIndex: commit)
        }
    }
}
