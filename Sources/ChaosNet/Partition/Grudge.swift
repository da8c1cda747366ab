/// One direction of one link: traffic sent by `from` to `to`.
public struct DirectedLink: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var from: String
    public var to: String

    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }

    public static func < (lhs: DirectedLink, rhs: DirectedLink) -> Bool {
        (lhs.from, lhs.to) < (rhs.from, rhs.to)
    }

    public var description: String { "\(from)->\(to)" }
}

/// Who drops whose traffic (Jepsen's "grudge"): every link in `drops` loses all its packets.
///
/// The lab enforces a dropped link at the sender (`from`): a unreachable route or a 100% loss netem on the
/// class for `to`. A link that is not listed is untouched.
public struct Grudge: Sendable, Hashable, CustomStringConvertible {
    public var drops: Set<DirectedLink>

    public init(drops: Set<DirectedLink> = []) {
        self.drops = drops
    }

    /// No partition at all.
    public static let none = Grudge()

    /// Cuts every link between different groups, both ways (a "complete" grudge).
    public static func between(_ groups: [[String]]) -> Grudge {
        var drops: Set<DirectedLink> = []
        for (i, group) in groups.enumerated() {
            for (j, other) in groups.enumerated() where i != j {
                for from in group {
                    for to in other where from != to {
                        drops.insert(DirectedLink(from: from, to: to))
                    }
                }
            }
        }
        return Grudge(drops: drops)
    }

    /// True when packets from `from` reach `to` directly.
    public func delivers(from: String, to: String) -> Bool {
        !drops.contains(DirectedLink(from: from, to: to))
    }

    /// True when `a` and `b` can talk both ways (what a TCP connection needs).
    public func connected(_ a: String, _ b: String) -> Bool {
        delivers(from: a, to: b) && delivers(from: b, to: a)
    }

    /// The nodes whose traffic `node` never receives (Jepsen's grudge map entry for `node`).
    public func blocked(to node: String) -> Set<String> {
        Set(drops.filter { $0.to == node }.map(\.from))
    }

    /// The nodes of `nodes` that can talk both ways with at most half of them (counting themselves): the ones a
    /// client standing with the majority loses under `clients: affected`. Every node of an even split.
    public func cutFromMajority(_ nodes: [String]) -> [String] {
        nodes.filter { node in
            let reachable = nodes.filter { $0 == node || connected(node, $0) }.count
            return reachable * 2 <= nodes.count
        }
    }

    /// Every node name the grudge mentions.
    public var nodes: Set<String> { Set(drops.flatMap { [$0.from, $0.to] }) }

    public var description: String {
        drops.isEmpty ? "no partition" : drops.sorted().map(\.description).joined(separator: " ")
    }
}
