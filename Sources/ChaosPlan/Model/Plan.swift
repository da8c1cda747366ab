/// A validated test plan: what to run, what to do to it, and how to judge it.
///
/// Produced by `PlanLoader` from YAML; every field is checked and defaulted, so the runner never re-validates.
public struct Plan: Sendable, Hashable {
    public var name: String
    /// The seed for every random choice of the run; chosen at random (and recorded) when the plan has none.
    public var seed: UInt64?
    public var duration: Duration
    public var cluster: ClusterSpec
    public var workload: WorkloadSpec
    public var nemesis: [NemesisStep]
    public var checks: ChecksSpec
    /// How often each node is sampled (status + /proc).
    public var sampleInterval: Duration

    public init(
        name: String, seed: UInt64? = nil, duration: Duration, cluster: ClusterSpec, workload: WorkloadSpec,
        nemesis: [NemesisStep] = [], checks: ChecksSpec = ChecksSpec(), sampleInterval: Duration = .milliseconds(100)
    ) {
        self.name = name
        self.seed = seed
        self.duration = duration
        self.cluster = cluster
        self.workload = workload
        self.nemesis = nemesis
        self.checks = checks
        self.sampleInterval = sampleInterval
    }
}

/// The system under test and its size.
public struct ClusterSpec: Sendable, Hashable {
    public enum System: String, Sendable, Hashable, CaseIterable {
        case raftNode = "raft-node"
        case etcd
        case custom
    }

    public var system: System
    public var nodes: Int
    /// Path to the node binary; nil means "find or build it" (raft-node) or the system's default.
    public var binary: String?
    /// Extra command-line arguments given to every node.
    public var args: [String]
    /// raft-node tuning, passed as its flags.
    public var electionTimeout: Duration?
    public var heartbeat: Duration?
    public var snapshotEvery: Int?
    /// raft-node test-only bug modes (`--bug NAME`), off unless the plan names them.
    public var bugs: [String]
    /// How long to wait for a leader after start before giving up (exit 4).
    public var startTimeout: Duration
    /// Namespaces per node (network faults possible) or loopback ports; `auto` picks at run time.
    public var network: NetworkMode
    /// The lab's private IPv4 network under `network: namespaces`.
    public var subnet: String
    /// How to drive the system, for `system: custom` (read from the file the plan names, or given inline).
    public var adapter: AdapterDefinition?
    /// Where node data lives: the plain directory, or chaos's FUSE layer that disk faults need.
    public var disk: DiskMode = .plain
    /// How many of the nodes are members at the start (`n1`…`nM`); the rest are spares, not started until a
    /// `membership` fault with `change: grow` adds them. nil = every node is a member.
    public var members: Int? = nil

    public init(
        system: System = .raftNode, nodes: Int = 3, binary: String? = nil, args: [String] = [],
        electionTimeout: Duration? = nil, heartbeat: Duration? = nil, snapshotEvery: Int? = nil,
        bugs: [String] = [], startTimeout: Duration = .seconds(10), network: NetworkMode = .auto,
        subnet: String = "10.77.0.0/24", adapter: AdapterDefinition? = nil
    ) {
        self.adapter = adapter
        self.network = network
        self.subnet = subnet
        self.system = system
        self.nodes = nodes
        self.binary = binary
        self.args = args
        self.electionTimeout = electionTimeout
        self.heartbeat = heartbeat
        self.snapshotEvery = snapshotEvery
        self.bugs = bugs
        self.startTimeout = startTimeout
    }

    /// Node ids, `n1` ... `nN`.
    public var nodeIDs: [String] { (1...max(nodes, 1)).map { "n\($0)" } }

    /// The nodes that are not members at the start (`members` < `nodes`): started only when grown in.
    public var spareIDs: [String] { Array(nodeIDs.dropFirst(min(members ?? nodes, nodes))) }
}

/// The client workload.
public struct WorkloadSpec: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// Reads and blind writes of unique values on `keys` registers.
        case register
        /// Reads, writes and compare-and-set on `keys` registers; every written value is unique.
        case casRegister = "cas-register"
        /// Appends to the replicated log; each append returns its index.
        case append
    }

    /// Where each client sends its operations.
    public enum Binding: String, Sendable, Hashable, CaseIterable {
        /// A client starts at a random node and stays with the node that last served it, following leader
        /// hints (what a leader-aware client library does).
        case none
        /// Client i belongs to node i mod n and starts every operation there, following hints only within the
        /// operation (Jepsen's workers bound to nodes; an application co-located with each node).
        case node
    }

    public var kind: Kind
    public var keys: Int
    public var clients: Int
    /// Operations per second over all clients; nil = as fast as the clients can go.
    public var rate: Double?
    /// Per-operation deadline: past it the operation is recorded as `info`.
    public var timeout: Duration
    public var bind: Binding

    public init(kind: Kind = .casRegister, keys: Int = 8, clients: Int = 8, rate: Double? = nil,
                timeout: Duration = .seconds(1), bind: Binding = .none) {
        self.kind = kind
        self.keys = keys
        self.clients = clients
        self.rate = rate
        self.timeout = timeout
        self.bind = bind
    }
}

/// What the plan needs from the network, known before anything starts.
extension Plan {
    /// The first nemesis step with a network fault (`partition`, `netem`, `rate`), if any.
    public var firstNetworkStep: NemesisStep? {
        nemesis.first { $0.faults.contains(where: \.isNetwork) }
    }

    /// Why a plan with `network: loopback` cannot run, located at its first network fault; nil when it can
    /// (or does not ask for loopback).
    public var loopbackRefusal: String? {
        guard cluster.network == .loopback, let step = firstNetworkStep,
              let fault = step.faults.first(where: \.isNetwork) else { return nil }
        let place = step.location.map { "\($0): " } ?? ""
        return "\(place)fault '\(fault.rawValue)' needs network: namespaces, but the plan runs with network: loopback"
            + " (all nodes on 127.0.0.1, where links cannot be cut); remove 'network: loopback' and run as root"
            + " (or with CAP_NET_ADMIN), or drop the network faults"
    }

    /// The first step that needs the kernel's netem: a partition with `mechanism: netem`, or a `netem` fault
    /// with more than a rate. (A `rate` fault needs only htb; `mechanism: auto` falls back to routes.)
    public var firstNetemStep: NemesisStep? {
        nemesis.first { step in
            (step.faults.contains(.partition) && step.partition?.mechanism == .netem)
                || (step.faults.contains(.netem) && step.shaping?.needsNetem == true)
        }
    }
}
