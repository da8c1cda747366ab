/// etcd's member API through the v3 JSON gateway: `/v3/cluster/member/list`, `…/add`, `…/remove`. A member is
/// added before it starts (etcd needs it in the member list first) and starts with an empty data directory and
/// `--initial-cluster-state existing`; a removed member shuts itself down.
extension EtcdSystem: MembershipControl {
    public var addsBeforeStart: Bool { true }
    public var rejoinNeedsEmptyData: Bool { true }
    /// A member that applies its own removal panics on the way out in etcd 3.4 ("failed to find local ID in
    /// cluster members", exit 2): removing a stopped member (etcd's way to replace a failed machine) avoids it.
    public var stopsBeforeRemoval: Bool { true }

    public func members(via endpoint: HTTPEndpoint, timeout: Duration) async throws(MembershipError) -> MemberList {
        let list = try await memberList(via: endpoint, timeout: timeout)
        // A member added but not started yet has no name: it is known by its peer URL until it starts.
        return MemberList(members: list.map {
            MemberInfo(id: $0.name ?? $0.peerURL, voter: !$0.learner)
        })
    }

    public func addMember(_ node: NodeAddress, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(MembershipError) {
        let peerURL = "http://\(node.host):\(node.peerPort)"
        if try await memberList(via: endpoint, timeout: timeout).contains(where: { $0.peerURL == peerURL }) { return }
        try await call("/v3/cluster/member/add", ["peerURLs": [peerURL]], via: endpoint, timeout: timeout)
    }

    public func removeMember(_ id: String, via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(MembershipError) {
        guard let member = try await memberList(via: endpoint, timeout: timeout).first(where: { $0.name == id }) else {
            return  // already gone
        }
        try await call("/v3/cluster/member/remove", ["ID": member.id], via: endpoint, timeout: timeout)
    }

    /// The usual command with `--initial-cluster-state existing` and `--initial-cluster` naming the members it
    /// joins (etcd checks that list against the cluster's own).
    public func joinCommand(for node: NodeAddress, cluster: [NodeAddress], dataDirectory: String) -> LaunchCommand {
        var command = self.command(for: node, cluster: cluster, dataDirectory: dataDirectory)
        if let i = command.arguments.firstIndex(of: "--initial-cluster-state"), i + 1 < command.arguments.count {
            command.arguments[i + 1] = "existing"
        }
        return command
    }

    private struct Member {
        var id: String
        var name: String?
        var peerURL: String
        var learner: Bool
    }

    private func memberList(via endpoint: HTTPEndpoint, timeout: Duration) async throws(MembershipError) -> [Member] {
        let json = try await call("/v3/cluster/member/list", [:], via: endpoint, timeout: timeout)
        guard let members = json["members"] as? [[String: Any]] else {
            throw MembershipError("member list without members", retry: true)
        }
        return members.compactMap { m in
            guard let id = m["ID"] as? String else { return nil }
            let name = (m["name"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            return Member(id: id, name: name, peerURL: (m["peerURLs"] as? [String])?.first ?? id,
                          learner: m["isLearner"] as? Bool ?? false)
        }
    }

    @discardableResult
    private func call(_ path: String, _ body: [String: Any], via endpoint: HTTPEndpoint, timeout: Duration)
        async throws(MembershipError) -> [String: Any] {
        let response: HTTPResponse
        do {
            response = try await endpoint.request(.POST, path, body: EtcdJSON.body(body), timeout: timeout)
        } catch {
            throw MembershipError("POST \(path): \(error)", retry: true)
        }
        guard response.status == 200, let json = response.json else {
            // etcd refuses a change that would lose quorum or that it cannot apply yet; all are worth retrying
            // except a malformed request.
            throw MembershipError("POST \(path) answered \(response.status): \(response.text)",
                                  retry: response.status != 400)
        }
        return json
    }
}
