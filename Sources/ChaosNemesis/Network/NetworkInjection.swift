import ChaosNet
import ChaosPlan

/// Turns a scheduled network fault of the plan into lab changes: its shape or links resolved over the live
/// targets, enforced through `NetworkFaults`, described for `events.jsonl`.
struct NetworkInjection {
    let network: NetworkFaults
    /// Every node of the cluster, in lab order.
    let nodes: [String]

    /// What an injection did: the nodes involved and the detail for the event.
    struct Outcome {
        var nodes: [String]
        var detail: String
        /// Netlink calls made until the kernel acknowledged the last one.
        var latency: Duration
    }

    /// Injects `step` (a `partition`, `netem` or `rate` fault) on `targets`, the step's resolved target.
    func inject(_ step: ScheduledFault, targets: [String], using rng: inout SeededGenerator)
        throws(NemesisError) -> Outcome {
        switch step.fault {
        case .partition:
            guard let partition = step.partition else { throw .injectFailed("partition step without a shape") }
            // An isolated target is cut from every node; other shapes cut among the targets.
            let among = partition.shape == .isolate ? nodes : targets
            let (grudge, latency) = try network.partition(step.id, partition.shape, among: among,
                                                          isolating: targets, cutClients: step.clients == .affected,
                                                          using: &rng)
            // Isolation involves the isolated nodes; other shapes every node on either side of a cut.
            let involved = partition.shape == .isolate
                ? targets : grudge.nodes.subtracting([Lab.clients]).sorted(by: Self.nodeOrder)
            let cuts = grudge.drops.sorted().map { "\($0.from)-x->\($0.to)" }
            return Outcome(nodes: involved, detail: cuts.isEmpty ? "no link cut" : cuts.joined(separator: ", "),
                           latency: latency)
        case .netem, .rate:
            guard let shaping = step.shaping else { throw .injectFailed("\(step.fault) step without links") }
            var links = Self.links(shaping.links, targets: targets, nodes: nodes)
            if step.clients == .affected {
                links += Self.senders(shaping.links, targets: targets).map { DirectedLink(from: $0, to: Lab.clients) }
            }
            let spec = step.fault == .rate ? NetemSpec(rate: shaping.rate) : Self.spec(shaping)
            let latency = try network.shape(step.id, links: links, spec)
            let involved = Set(links.flatMap { [$0.from, $0.to] }).subtracting([Lab.clients]).sorted(by: Self.nodeOrder)
            let described = links.map { "\($0.from)->\($0.to)" }.joined(separator: ", ")
            return Outcome(nodes: involved, detail: "\(Self.describe(spec)) on \(described)", latency: latency)
        case .kill, .stop, .pause, .pauseThread, .jitter, .powerFailure, .diskError, .diskLatency, .membership:
            throw .injectFailed("\(step.fault.rawValue) is not a network fault")
        }
    }

    /// The directed links a shaping step names: the target's links both ways, a pair, or from × to.
    static func links(_ links: LinkShaping.Links, targets: [String], nodes: [String]) -> [DirectedLink] {
        var result: Set<DirectedLink> = []
        switch links {
        case .target:
            for target in targets {
                for other in nodes where other != target {
                    result.insert(DirectedLink(from: target, to: other))
                    result.insert(DirectedLink(from: other, to: target))
                }
            }
        case .between(let a, let b):
            result = [DirectedLink(from: a, to: b), DirectedLink(from: b, to: a)]
        case .directed(let from, let to):
            for sender in from {
                for receiver in to where receiver != sender { result.insert(DirectedLink(from: sender, to: receiver)) }
            }
        }
        return result.sorted()
    }

    /// The nodes whose traffic to the clients a `clients: affected` shaping step shapes too: the targets, both
    /// nodes of a `between` pair, the senders of `from`/`to` links.
    static func senders(_ links: LinkShaping.Links, targets: [String]) -> [String] {
        switch links {
        case .target: targets
        case .between(let a, let b): [a, b]
        case .directed(let from, _): from
        }
    }

    /// The lab's spec for the plan's knobs (fractions become percentages).
    static func spec(_ shaping: LinkShaping) -> NetemSpec {
        NetemSpec(
            delay: shaping.delay ?? .zero, jitter: shaping.jitter ?? .zero,
            delayCorrelation: (shaping.correlation ?? 0) * 100,
            distribution: shaping.distribution.flatMap { NetemSpec.Distribution(rawValue: $0.rawValue) },
            loss: (shaping.loss ?? 0) * 100, lossCorrelation: (shaping.lossCorrelation ?? 0) * 100,
            duplicate: (shaping.duplicate ?? 0) * 100, reorder: (shaping.reorder ?? 0) * 100,
            gap: shaping.gap ?? 0, corrupt: (shaping.corrupt ?? 0) * 100, rate: shaping.rate)
    }

    /// `delay 100ms loss 5% rate 125000B/s`, for event details.
    static func describe(_ spec: NetemSpec) -> String {
        var parts: [String] = []
        if spec.delay > .zero { parts.append("delay \(Units.format(spec.delay))") }
        if spec.jitter > .zero { parts.append("jitter \(Units.format(spec.jitter))") }
        if spec.loss > 0 { parts.append("loss \(spec.loss)%") }
        if spec.duplicate > 0 { parts.append("duplicate \(spec.duplicate)%") }
        if spec.reorder > 0 { parts.append("reorder \(spec.reorder)%") }
        if spec.corrupt > 0 { parts.append("corrupt \(spec.corrupt)%") }
        if let rate = spec.rate { parts.append("rate \(Units.formatBandwidth(rate))") }
        return parts.isEmpty ? "clean" : parts.joined(separator: " ")
    }

    /// `n2` before `n10`.
    static func nodeOrder(_ a: String, _ b: String) -> Bool {
        (Int(a.dropFirst()) ?? 0, a) < (Int(b.dropFirst()) ?? 0, b)
    }
}
