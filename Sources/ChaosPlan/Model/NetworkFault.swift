/// How the run's nodes are networked (`cluster: { network: ... }`).
public enum NetworkMode: String, Sendable, Hashable, CaseIterable {
    /// `namespaces` where this machine permits it (root or CAP_NET_ADMIN), else `loopback`.
    case auto
    /// A network namespace per node on a private bridge: network faults are possible.
    case namespaces
    /// Every node on 127.0.0.1 ports: no network faults.
    case loopback
}

/// The parameters of a `partition` fault: which cut, and how the kernel enforces it.
public struct PartitionSpec: Sendable, Hashable {
    /// Jepsen's partition shapes, with the node names of the plan.
    public enum Shape: Sendable, Hashable, CustomStringConvertible {
        /// The step's target (resolved at injection, e.g. `leader`) is cut off from every other node.
        case isolate
        case halves
        case randomHalves
        case majoritiesRing
        case bridge
        /// Traffic from `from` to `to` is dropped; the other direction still flows.
        case oneWay(from: String, to: String)
        /// Explicit components; nodes not listed form one more component together.
        case groups([[String]])

        /// The shape names written as a plain word.
        public static let words: [(word: String, shape: Shape)] = [
            ("isolate", .isolate), ("halves", .halves), ("random-halves", .randomHalves),
            ("majorities-ring", .majoritiesRing), ("bridge", .bridge),
        ]
        /// The shape names written as a one-key mapping with parameters.
        public static let parameterised = ["one-way", "groups"]

        public var description: String {
            switch self {
            case .isolate: "isolate"
            case .halves: "halves"
            case .randomHalves: "random-halves"
            case .majoritiesRing: "majorities-ring"
            case .bridge: "bridge"
            case .oneWay(let from, let to): "{ one-way: { from: \(from), to: \(to) } }"
            case .groups(let groups):
                "{ groups: [" + groups.map { "[\($0.joined(separator: ", "))]" }.joined(separator: ", ") + "] }"
            }
        }
    }

    /// How a cut link is enforced: `auto` = netem where the kernel has it, else unreachable routes.
    public enum Mechanism: String, Sendable, Hashable, CaseIterable {
        case auto, netem, route
    }

    public var shape: Shape
    public var mechanism: Mechanism

    public init(shape: Shape, mechanism: Mechanism = .auto) {
        self.shape = shape
        self.mechanism = mechanism
    }
}

/// The parameters of a `netem` or `rate` fault: which directed links, and what happens on them.
///
/// Percentages are fractions (0...1) as everywhere in the plan model; `rate` is bytes per second.
public struct LinkShaping: Sendable, Hashable {
    /// Which directed links are shaped.
    public enum Links: Sendable, Hashable {
        /// Every link from the step's target (resolved at injection) to every other node, and back.
        case target
        /// Both directions between two nodes.
        case between(String, String)
        /// Every link from a node of `from` to a different node of `to`.
        case directed(from: [String], to: [String])
    }

    public enum Distribution: String, Sendable, Hashable, CaseIterable {
        case uniform, normal, pareto, paretonormal
    }

    public var links: Links = .target
    public var delay: Duration?
    public var jitter: Duration?
    /// Correlation of successive delays.
    public var correlation: Double?
    public var distribution: Distribution?
    public var loss: Double?
    public var lossCorrelation: Double?
    public var duplicate: Double?
    public var reorder: Double?
    /// Reorder every `gap`-th packet.
    public var gap: Int?
    public var corrupt: Double?
    /// Bandwidth limit in bytes per second (htb; no netem needed).
    public var rate: UInt64?

    public init(links: Links = .target) {
        self.links = links
    }

    /// True when anything besides `rate` is set: the kernel's netem is needed.
    public var needsNetem: Bool {
        var plain = self
        plain.rate = nil
        plain.links = .target
        return plain != LinkShaping()
    }
}

/// Whether the controller's client and sampler traffic suffers a network fault too.
public enum ClientTraffic: String, Sendable, Hashable, CaseIterable {
    /// Only node-to-node links are faulted (the default).
    case clean
    /// Client traffic to and from the faulted nodes is faulted as well.
    case affected
}

extension Fault {
    /// `partition`, `netem` and `rate`: faults that need the lab network.
    public var isNetwork: Bool {
        switch self {
        case .partition, .netem, .rate: true
        case .kill, .stop, .pause, .pauseThread, .jitter, .powerFailure, .diskError, .diskLatency, .membership: false
        }
    }
}
