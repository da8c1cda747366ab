import ChaosNet
import ChaosPlan
import Synchronization

/// Injects and heals the network faults of a run on its lab: partitions (a shape resolved to a grudge) and
/// link shaping (netem / rate), each under the schedule id of the fault that made it.
///
/// Several faults can be active at once: the lab always carries the union of the active grudges, and a link
/// shaped by two faults keeps the most recent one's spec until that one heals. Calls are synchronous and
/// short (netlink round trips of microseconds), so they are safe to make from the nemesis actor.
public final class NetworkFaults: Sendable {
    public let lab: Lab
    /// How partitions are enforced (`auto`: netem where the kernel has it, else unreachable routes).
    public let mechanism: PartitionMechanism

    private struct State {
        var partitions: [Int: Grudge] = [:]
        var shaping: [Int: (links: [DirectedLink], spec: NetemSpec)] = [:]
    }
    private let state = Mutex(State())

    public init(lab: Lab, mechanism: PartitionMechanism = .auto) {
        self.lab = lab
        self.mechanism = mechanism
    }

    /// Cuts the network as `shape` says among `nodes` (the fault's resolved targets, or every node).
    ///
    /// - Parameter cutClients: `clients: affected`: the nodes cut off from the majority of the lab also stop
    ///   sending to the controller's clients (the clients stand with the majority; the sampler is never cut).
    /// - Returns: the grudge added (including links to `Lab.clients`) and the apply latency (decision to the
    ///   kernel's acknowledgement).
    /// - Throws: `NemesisError.injectFailed` with the netlink error and its remedy.
    public func partition(_ id: Int, _ shape: PartitionSpec.Shape, among nodes: [String],
                          isolating isolated: [String] = [], cutClients: Bool = false,
                          using rng: inout some RandomNumberGenerator) throws(NemesisError)
        -> (grudge: Grudge, latency: Duration) {
        var grudge = shape.grudge(nodes: nodes, isolating: isolated, using: &rng)
        if cutClients {
            for node in grudge.cutFromMajority(lab.nodes) {
                grudge.drops.insert(DirectedLink(from: node, to: Lab.clients))
            }
        }
        let latency = try state.withLock { state throws(NemesisError) -> Duration in
            state.partitions[id] = grudge
            return try enforce(state, "partition \(shape)")
        }
        return (grudge, latency)
    }

    /// Shapes every link in `links` with `spec` (delay, loss, rate, …).
    /// - Returns: the apply latency of all links together.
    public func shape(_ id: Int, links: [DirectedLink], _ spec: NetemSpec) throws(NemesisError) -> Duration {
        try state.withLock { state throws(NemesisError) -> Duration in
            state.shaping[id] = (links, spec)
            let start = ContinuousClock.now
            for link in links {
                do { try lab.setNetem(from: link.from, to: link.to, spec) } catch {
                    throw .injectFailed("shape \(link): \(error)")
                }
            }
            return .now - start
        }
    }

    /// Heals what fault `id` did; other active faults stay in force.
    /// - Returns: the apply latency.
    @discardableResult
    public func heal(_ id: Int) throws(NemesisError) -> Duration {
        try state.withLock { state throws(NemesisError) -> Duration in
            let start = ContinuousClock.now
            if state.partitions.removeValue(forKey: id) != nil {
                _ = try enforce(state, "heal partition \(id)")
            }
            if let (links, _) = state.shaping.removeValue(forKey: id) {
                for link in links {
                    // The newest other fault that shapes this link takes over; none: the link runs clean.
                    let standing = state.shaping.filter { $0.value.links.contains(link) }.max { $0.key < $1.key }
                    do { try lab.setNetem(from: link.from, to: link.to, standing?.value.spec ?? NetemSpec()) } catch {
                        throw .injectFailed("heal shaping of \(link): \(error)")
                    }
                }
            }
            return .now - start
        }
    }

    /// Heals every network fault (end of run, Ctrl-C).
    @discardableResult
    public func healAll() throws(NemesisError) -> Duration {
        try state.withLock { state throws(NemesisError) -> Duration in
            state = State()
            do { return try lab.heal() } catch { throw .injectFailed("heal the network: \(error)") }
        }
    }

    /// The union of the active partitions: what the lab enforces now.
    public var combined: Grudge {
        state.withLock { Self.union($0.partitions.values) }
    }

    private func enforce(_ state: State, _ what: String) throws(NemesisError) -> Duration {
        do {
            return try lab.apply(Self.union(state.partitions.values), mechanism: mechanism)
        } catch {
            throw .injectFailed("\(what): \(error)")
        }
    }

    private static func union(_ grudges: some Sequence<Grudge>) -> Grudge {
        Grudge(drops: grudges.reduce(into: Set<DirectedLink>()) { $0.formUnion($1.drops) })
    }
}
