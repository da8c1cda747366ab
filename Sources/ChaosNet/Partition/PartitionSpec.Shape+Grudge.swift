import ChaosPlan

/// The cut each partition shape of the plan makes, as a `Grudge` over the lab's nodes.
///
/// Shapes follow Jepsen's nemesis (`jepsen.nemesis`): the same names mean the same cuts, so a Jepsen user
/// finds what they expect. Shapes that are not `random-…` are deterministic in the node order given.
/// The shape itself is the plan's (`PartitionSpec.Shape`), so there is one list of shapes.
extension PartitionSpec.Shape {
    /// The grudge this shape makes over `nodes`.
    ///
    /// - Parameters:
    ///   - isolated: for `isolate`, the nodes cut off (each alone); the step's resolved targets.
    ///   - rng: used only by `randomHalves`; pass a seeded generator for a reproducible run.
    public func grudge(nodes: [String], isolating isolated: [String] = [],
                       using rng: inout some RandomNumberGenerator) -> Grudge {
        switch self {
        case .isolate:
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

    /// `grudge(nodes:isolating:using:)` for shapes that draw no randomness.
    public func grudge(nodes: [String], isolating isolated: [String] = []) -> Grudge {
        var rng = SystemRandomNumberGenerator()
        return grudge(nodes: nodes, isolating: isolated, using: &rng)
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
}
