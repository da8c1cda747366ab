import ChaosPlan
import Foundation

/// A custom adapter's `membership` section (docs/adapters.md) as the `membership` fault's API: the same
/// requests, placeholders and answer matching as the client operations. Without the section the adapter
/// offers no membership control (`hasMembershipAPI` is false, and validation refuses such plans).
extension CustomSystem: MembershipControl {
    public var hasMembershipAPI: Bool { definition.membership != nil }

    public func members(via endpoint: HTTPEndpoint, timeout: Duration) async throws(MembershipError) -> MemberList {
        guard let spec = definition.membership?.list else { throw Self.noAPI }
        let request = RequestExpansion(spec.request, values: [:])
        let response: HTTPResponse
        do {
            response = try await endpoint.request(request.method, request.path, body: request.body,
                                                  headers: request.headers, timeout: timeout)
        } catch {
            throw MembershipError("\(request.method) \(request.path) on \(endpoint.host):\(endpoint.port): \(error)",
                                  retry: true)
        }
        guard response.status / 100 == 2, let root = JSONField.root(of: response),
              let list = JSONField.lookup(spec.members, in: root) as? [Any] else {
            throw MembershipError("\(request.method) \(request.path) answered \(response.status) without a list at "
                                  + "'\(spec.members)': \(response.text)", retry: true)
        }
        let members = list.compactMap { member -> MemberInfo? in
            guard let id = JSONField.text(JSONField.lookup(spec.id, in: member)), !id.isEmpty else { return nil }
            let voter = spec.voter.map { JSONField.read($0, in: member) == "true" } ?? true
            return MemberInfo(id: id, voter: voter)
        }
        let committed = spec.committed.map { JSONField.read($0, in: root) != "false" } ?? true
        return MemberList(members: members, committed: committed)
    }

    public func addMember(_ node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(MembershipError) {
        guard let spec = definition.membership?.add else { throw Self.noAPI }
        try await change(spec, node: node, via: endpoint, timeout: timeout)
    }

    public func removeMember(_ id: String, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(MembershipError) {
        guard let spec = definition.membership?.remove else { throw Self.noAPI }
        // The remove request may use only `{id}` (checked when the adapter is loaded).
        try await change(spec, node: NodeAddress(id: id, host: "", peerPort: 0, clientPort: 0), via: endpoint,
                         timeout: timeout)
    }

    /// The usual command, with the section's `join` arguments appended.
    public func joinCommand(for node: NodeAddress, cluster: [NodeAddress], dataDirectory: String) -> LaunchCommand {
        var command = self.command(for: node, cluster: cluster, dataDirectory: dataDirectory)
        let join = definition.membership?.join ?? []
        let extra = CommandExpansion(node: node, cluster: cluster, dataDirectory: dataDirectory, binary: binary)
            .expand(join)
        command.arguments.append(contentsOf: extra)
        return command
    }

    public var addsBeforeStart: Bool { definition.membership?.addBeforeStart ?? false }
    public var rejoinNeedsEmptyData: Bool { definition.membership?.rejoinEmpty ?? false }
    public var stopsBeforeRemoval: Bool { definition.membership?.stopBeforeRemove ?? false }

    private static var noAPI: MembershipError {
        MembershipError("the custom adapter has no 'membership' section", retry: false)
    }

    private func change(_ spec: MemberChangeDefinition, node: NodeAddress, via endpoint: HTTPEndpoint,
                        timeout: Duration) async throws(MembershipError) {
        let values = ["id": node.id, "ip": node.host, "host": node.host, "port": "\(node.clientPort)",
                      "peer_port": "\(node.peerPort)"]
        let request = RequestExpansion(spec.request, values: values)
        let what = "\(request.method) \(request.path)"
        let response: HTTPResponse
        do {
            response = try await endpoint.request(request.method, request.path, body: request.body,
                                                  headers: request.headers, timeout: timeout)
        } catch {
            throw MembershipError("\(what): \(error)", retry: true)
        }
        let root = JSONField.root(of: response)
        if JSONField.matches(spec.ok, response, root: root) { return }
        if JSONField.matches(spec.refused, response, root: root) {
            throw MembershipError("\(what) refused: \(response.status) \(response.text)", retry: false)
        }
        throw MembershipError("\(what) answered \(response.status): \(response.text)", retry: true)
    }
}
