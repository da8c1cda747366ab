/// The partition shapes of the fault catalogue; each turns a node list into a `Grudge`.
///
/// Shapes follow Jepsen's nemesis (`jepsen.nemesis`): the same names mean the same cuts, so a Jepsen user
/// finds what they expect. Shapes that are not `random-…` are deterministic in the node order given.
public enum PartitionShape: Sendable, Hashable, CustomStringConvertible {
    /// Each listed node is cut off from every other node (both ways), the listed ones from each other too.
    case isolate([String])
    /// The first ⌊n/2⌋ nodes against the rest (the rest is the majority).
    case halves
    /// Like `halves` after a seeded shuffle of the nodes.
    case randomHalves
    /// Every node hears a majority, but no two nodes hear the same majority (Jepsen `majorities-ring`):
    /// on the ring of nodes, each node hears only the window of ⌊n/2⌋+1 nodes centred on it.
    case majoritiesRing
    /// Two halves that cannot talk to each other, except through one bridge node that talks to everybody
    /// (the first node of the second half, Jepsen `bridge`).
    case bridge
    /// Only traffic from `from` to `to` is dropped; `to` still reaches `from`.
    case oneWay(from: String, to: String)
    /// Explicit components; nodes not listed form one more component together.
    case groups([[String]])

    /// The grudge this shape makes over `nodes`.
    ///
    /// - Parameter rng: used only by `randomHalves`; pass a seeded generator for a reproducible run.
    public func grudge(nodes: [String], using rng: inout some RandomNumberGenerator) -> Grudge {
        switch self {
        case .isolate(let isolated):
            let alone = isolated.filter(nodes.contains).map { [$0] }
            let rest = nodes.filter { !isolated.contains($0) }
            return .between(alone + [rest])
        case .halves:
            return Self.halves(nodes)
        case .randomHalves:
            return Self.halves(nodes.shuffled(using: &rng))
        case .majoritiesRing:
            return Self.majoritiesRing(nodes)
        case .bridge:
            let cut = nodes.count / 2
            guard cut > 0, cut < nodes.count else { return .none }
            let bridge = nodes[cut]
            var grudge = Grudge.between([Array(nodes[..<cut]), Array(nodes[cut...])])
            grudge.drops = grudge.drops.filter { $0.from != bridge && $0.to != bridge }
            return grudge
        case .oneWay(let from, let to):
            return from == to ? .none : Grudge(drops: [DirectedLink(from: from, to: to)])
        case .groups(let groups):
            let listed = Set(groups.joined())
            let rest = nodes.filter { !listed.contains($0) }
            return .between(groups + (rest.isEmpty ? [] : [rest]))
        }
    }

    /// `grudge(nodes:using:)` for shapes that draw no randomness.
    public func grudge(nodes: [String]) -> Grudge {
        var rng = SystemRandomNumberGenerator()
        return grudge(nodes: nodes, using: &rng)
    }

    private static func halves(_ nodes: [String]) -> Grudge {
        let cut = nodes.count / 2
        return .between([Array(nodes[..<cut]), Array(nodes[cut...])])
    }

    /// Jepsen: windows of a majority over the doubled ring; the window's middle node hears only the window.
    private static func majoritiesRing(_ nodes: [String]) -> Grudge {
        let n = nodes.count
        let majority = n / 2 + 1
        guard n >= 3 else { return .none }
        var drops: Set<DirectedLink> = []
        for start in 0..<n {
            let window = (0..<majority).map { nodes[(start + $0) % n] }
            let me = window[majority / 2]
            for other in nodes where !window.contains(other) {
                drops.insert(DirectedLink(from: other, to: me))
            }
        }
        return Grudge(drops: drops)
    }

    public var description: String {
        switch self {
        case .isolate(let nodes): "isolate \(nodes.joined(separator: ","))"
        case .halves: "halves"
        case .randomHalves: "random-halves"
        case .majoritiesRing: "majorities-ring"
        case .bridge: "bridge"
        case .oneWay(let from, let to): "one-way \(from)->\(to)"
        case .groups(let groups): "groups " + groups.map { "[\($0.joined(separator: ","))]" }.joined(separator: " ")
        }
    }
}
