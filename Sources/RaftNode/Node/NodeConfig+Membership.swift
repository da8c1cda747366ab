/// The bootstrap configuration a node starts from when its log and snapshot hold none.
extension NodeConfig {
    /// This node's own entry: where the others reach it.
    var selfMember: Member {
        Member(id: id, address: Member.address(raft: listenRaft, http: listenHTTP))
    }

    /// `--join`: nothing; else the `--initial-members` (or everyone named), all voters, with their addresses.
    var bootstrapMembership: Membership {
        if join { return Membership([]) }
        let voters = Set(initialMembers ?? ([id] + peers.map(\.id)))
        guard voters.contains(id) else { return Membership([]) }
        let others = peers.filter { voters.contains($0.id) }
            .map { Member(id: $0.id, address: Member.address(raft: $0.raft, http: $0.http)) }
        return Membership([selfMember] + others)
    }
}

extension Member {
    /// `RAFTHOST:PORT,HTTPHOST:PORT`, as a member's address travels in configuration entries.
    public static func address(raft: HostPort, http: HostPort) -> String { "\(raft),\(http)" }

    /// The raft and HTTP addresses, or nil when `address` is not in that form.
    public var hostPorts: (raft: HostPort, http: HostPort)? {
        let parts = address.split(separator: ",")
        guard parts.count == 2, let raft = try? HostPort(parsing: String(parts[0])),
              let http = try? HostPort(parsing: String(parts[1])) else { return nil }
        return (raft, http)
    }
}
