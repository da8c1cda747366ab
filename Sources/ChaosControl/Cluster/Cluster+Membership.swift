import Foundation

/// What the `membership` fault needs from the cluster: the system's membership API, wiping a node's data, and
/// starting a node as one that joins the running cluster rather than bootstraps a new one.
extension Cluster {
    /// The system's membership API; nil when the adapter has none.
    public var membershipControl: (any MembershipControl)? {
        (system as? any MembershipControl).flatMap { $0.hasMembershipAPI ? $0 : nil }
    }

    /// From now on `id` starts as a member joining `members` (with `MembershipControl.joinCommand`), restarts
    /// included: once a node has joined, bootstrapping again would make it a founder of another cluster.
    public func markJoining(_ id: String, members: [String]) {
        joining.withLock { $0[id] = members }
    }

    /// The node is about to leave the cluster (a removed etcd member shuts itself down): its exit is chaos's doing.
    public func expectExit(_ id: String) {
        _ = mark(id, cause: .stop)
    }

    /// Deletes `id`'s data directory (the node must be stopped): it comes back as a new, empty member.
    /// - Throws: `ControlError` when the directory cannot be removed.
    public func wipeData(_ id: String) throws {
        let data = nodeDirectory(id) + "/data"
        guard FileManager.default.fileExists(atPath: data) else { return }
        do {
            try FileManager.default.removeItem(atPath: data)
        } catch {
            throw ControlError(operation: "wipe \(data)", hint: "\(error)")
        }
    }

    /// An endpoint on `id`'s client port; nil for an unknown id.
    public func endpoint(of id: String) -> HTTPEndpoint? {
        nodes.first { $0.id == id }.map { makeEndpoint(for: $0) }
    }

    func launchCommand(for node: NodeAddress, dataDirectory: String) -> LaunchCommand {
        if let members = joining.withLock({ $0[node.id] }), let control = membershipControl {
            let joined = nodes.filter { members.contains($0.id) || $0.id == node.id }
            return control.joinCommand(for: node, cluster: joined, dataDirectory: dataDirectory)
        }
        // The founding members know each other only; spares come in later as joining members.
        return system.command(for: node, cluster: nodes.filter { !spares.contains($0.id) },
                              dataDirectory: dataDirectory)
    }
}
