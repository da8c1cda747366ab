import ChaosNet
import ChaosPlan

/// Where a run's nodes live, decided before anything starts: namespaces on a lab bridge (network faults
/// possible) or 127.0.0.1 ports. Plans this machine cannot run are refused here with exit 4 and the remedy.
enum NetworkChoice: Sendable {
    case namespaces(Subnet, mechanism: PartitionMechanism)
    case loopback

    /// Fixed ports inside each node's namespace (every node has its own address there).
    static let peerPort = 7000
    static let clientPort = 8000

    /// Resolves `cluster.network` (`auto`: namespaces when root or CAP_NET_ADMIN, which includes chaos
    /// re-executed into a user namespace, see `RootlessLab`) and checks the plan's network
    /// faults against what the kernel offers.
    /// - Throws: `RunError.environment` for a plan that needs what is missing; `.badInput` for a bad subnet.
    static func resolve(_ plan: Plan, capabilities: @autoclosure () -> Capabilities = Capabilities.probe())
        throws(RunError) -> NetworkChoice {
        if plan.cluster.network == .loopback {
            if let refusal = plan.loopbackRefusal { throw .environment(refusal) }
            return .loopback
        }
        let probed = capabilities()
        guard probed.has("root"), probed.has("netns") else {
            if plan.cluster.network == .namespaces || plan.firstNetworkStep != nil {
                let missing = ["root", "netns"].compactMap { probed[$0] }.first { !$0.available }
                var message = "network: namespaces is not possible here: \(missing?.detail ?? "no netns")"
                    + "; \(missing?.remedy ?? "run as root")"
                if let userns = probed["userns"], !userns.available, !probed.has("root") {
                    message += "; user namespaces (the rootless lab) are refused too: \(userns.detail)"
                        + (userns.remedy.map { "; \($0)" } ?? "")
                }
                throw .environment(message)
            }
            return .loopback
        }
        if let step = plan.firstNetemStep, !probed.has("netem") {
            throw .environment(step.located("netem is not available in this kernel (CONFIG_NET_SCH_NETEM); "
                                            + "load sch_netem or use mechanism: route"))
        }
        let shapes = plan.nemesis.contains { $0.faults.contains(.netem) || $0.faults.contains(.rate) }
        if shapes, !probed.has("htb") || !probed.has("u32") {
            throw .environment("netem and rate faults need the htb qdisc and u32 filters, which this kernel lacks "
                               + "(CONFIG_NET_SCH_HTB, CONFIG_NET_CLS_U32); load sch_htb and cls_u32")
        }
        let subnet: Subnet
        do { subnet = try Subnet(plan.cluster.subnet) } catch { throw .badInput("\(error)") }
        guard plan.cluster.nodes <= subnet.capacity else {
            throw .badInput("subnet \(subnet) holds \(subnet.capacity) nodes, the plan has \(plan.cluster.nodes)"
                            + "; choose a shorter prefix such as /24")
        }
        return .namespaces(subnet, mechanism: mechanism(plan))
    }

    /// One partition mechanism per run (the lab enforces the union of partitions one way): the first step's
    /// explicit choice, else `auto`.
    static func mechanism(_ plan: Plan) -> PartitionMechanism {
        let explicit = plan.nemesis.compactMap(\.partition?.mechanism).first { $0 != .auto }
        return explicit.flatMap { PartitionMechanism(rawValue: $0.rawValue) } ?? .auto
    }
}
