import ChaosPlan

/// How a system's node program is found on this machine (the runner resolves it; it may build raft-node).
public enum NodeProgram: Sendable, Hashable {
    /// The embedded raft-node: the plan's `binary`, `$CHAOS_RAFT_NODE`, beside chaos (built on first use), `PATH`.
    case raftNode
    /// A program installed on the machine: the plan's `binary`, else `name` on `PATH`; `install` says how to get it.
    case installed(name: String, install: String)
    /// `system: custom`: the plan's `binary` — a path, a name beside chaos or on `PATH`, or `raft-node`.
    case planBinary
}

/// One system chaos can test: how its node program is found, and how its adapter is made from the plan.
public struct SystemRegistration: Sendable {
    public let program: NodeProgram
    /// The adapter for `cluster`, given the resolved node program.
    public let makeAdapter: @Sendable (_ cluster: ClusterSpec, _ binary: String) -> any SystemAdapter
}

/// Every system chaos can test, by the plan's `cluster.system`. Adding a system means an adapter and an entry here
/// (and its name in the plan's `ClusterSpec.System`); the runner only asks this table.
public enum SystemRegistry {
    public static func registration(for system: ClusterSpec.System) -> SystemRegistration {
        switch system {
        case .raftNode:
            SystemRegistration(program: .raftNode) { cluster, binary in
                RaftNodeSystem(binary: binary, electionTimeout: cluster.electionTimeout, heartbeat: cluster.heartbeat,
                               snapshotEvery: cluster.snapshotEvery, bugs: cluster.bugs,
                               extraArguments: cluster.args)
            }
        case .etcd:
            SystemRegistration(program: .installed(name: "etcd", install: "apt-get install etcd-server")) {
                cluster, binary in
                EtcdSystem(binary: binary, electionTimeout: cluster.electionTimeout, heartbeat: cluster.heartbeat,
                           snapshotEvery: cluster.snapshotEvery, extraArguments: cluster.args)
            }
        case .custom:
            SystemRegistration(program: .planBinary) { cluster, binary in
                // The plan decoder refuses `system: custom` without an adapter, so one is always there.
                CustomSystem(definition: cluster.adapter!, binary: binary, extraArguments: cluster.args)
            }
        }
    }
}
