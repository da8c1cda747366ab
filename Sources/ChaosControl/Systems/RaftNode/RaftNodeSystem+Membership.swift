import NIOHTTP1

/// raft-node's `/admin/members` API (docs/raft-node.md): single-server changes, a new node added as a learner
/// and promoted by the leader once caught up.
extension RaftNodeSystem: MembershipControl {
    public func members(via endpoint: HTTPEndpoint, timeout: Duration) async throws(MembershipError) -> MemberList {
        let response: HTTPResponse
        do {
            response = try await endpoint.request(.GET, "/admin/members", timeout: timeout)
        } catch {
            throw MembershipError("GET /admin/members on \(endpoint.host):\(endpoint.port): \(error)", retry: true)
        }
        guard response.status == 200, let json = response.json, let list = json["members"] as? [[String: Any]] else {
            throw MembershipError("GET /admin/members answered \(response.status): \(response.text)", retry: true)
        }
        let members = list.compactMap { m -> MemberInfo? in
            guard let id = m["id"] as? String else { return nil }
            return MemberInfo(id: id, voter: m["voter"] as? Bool ?? false)
        }
        return MemberList(members: members, committed: json["committed"] as? Bool ?? true)
    }

    public func addMember(_ node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(MembershipError) {
        let body = "{\"id\":\"\(node.id)\",\"raft\":\"\(node.host):\(node.peerPort)\","
            + "\"http\":\"\(node.host):\(node.clientPort)\"}"
        try await change(.POST, "/admin/members", body: body, via: endpoint, timeout: timeout)
    }

    public func removeMember(_ id: String, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(MembershipError) {
        try await change(.DELETE, "/admin/members/\(id)", body: nil, via: endpoint, timeout: timeout)
    }

    /// The usual command with `--join`: the node starts knowing no configuration and waits to be added.
    public func joinCommand(for node: NodeAddress, cluster: [NodeAddress], dataDirectory: String) -> LaunchCommand {
        var command = self.command(for: node, cluster: cluster, dataDirectory: dataDirectory)
        command.arguments.append("--join")
        return command
    }

    private func change(_ method: HTTPMethod, _ path: String, body: String?, via endpoint: HTTPEndpoint,
                        timeout: Duration) async throws(MembershipError) {
        let response: HTTPResponse
        do {
            response = try await endpoint.request(method, path, body: body.map { Array($0.utf8) },
                                                  headers: [("Content-Type", "application/json")], timeout: timeout)
        } catch {
            throw MembershipError("\(method) \(path): \(error)", retry: true)
        }
        switch response.status {
        case 200: return
        case 400: throw MembershipError("\(method) \(path) refused: \(response.text)", retry: false)
        default: throw MembershipError("\(method) \(path) answered \(response.status): \(response.text)", retry: true)
        }
    }
}
