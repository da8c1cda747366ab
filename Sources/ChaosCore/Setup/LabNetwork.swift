import ChaosControl
import ChaosNemesis
import ChaosNet

/// The lab of a `network: namespaces` run and what the rest of the run needs from it: where each node starts,
/// how the controller reaches the nodes, and the nemesis's handle on the links.
struct LabNetwork: Sendable {
    let lab: Lab
    let faults: NetworkFaults
    /// Connections from inside the lab namespace for the sampler and status requests (bridge address .1).
    let dialer: NodeDialer
    /// Connections for workload clients, from the clients' own address (.2), which `clients: affected` faults
    /// cut while the sampler's stay clean.
    let clientDialer: NodeDialer

    /// `/proc/HOLDER/ns/net` of every node.
    var namespacePaths: [String: String] {
        Dictionary(uniqueKeysWithValues: lab.nodes.map { ($0, lab.namespacePath(of: $0)) })
    }

    /// Builds the lab for `choice`; nil for a loopback run.
    /// - Throws: `RunError.environment` with the netlink error when the lab cannot be built.
    static func create(_ choice: NetworkChoice, nodes: [String]) throws(RunError) -> LabNetwork? {
        guard case .namespaces(let subnet, let mechanism) = choice else { return nil }
        let lab: Lab
        do {
            lab = try Lab.create(nodes: nodes, subnet: subnet.description)
        } catch {
            throw .environment("could not build the lab network: \(error); run 'chaos doctor', or use network: "
                               + "loopback for plans without network faults")
        }
        // Probe netem now, so the first partition's apply latency is netlink's alone, not the probe's.
        _ = try? lab.netemAvailable()
        let dialer = NodeDialer { node, port, timeout in try lab.connect(to: node, port: port, timeout: timeout) }
        let clientDialer = NodeDialer { node, port, timeout in
            try lab.connect(to: node, port: port, timeout: timeout, asClient: true)
        }
        return LabNetwork(lab: lab, faults: NetworkFaults(lab: lab, mechanism: mechanism), dialer: dialer,
                          clientDialer: clientDialer)
    }
}
