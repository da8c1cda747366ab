import ChaosChecker
import ChaosControl
import ChaosHistory
import ChaosNemesis
import ChaosNet
import ChaosPlan
import ChaosReport
import ChaosWorkload
import Foundation

/// Runs one plan end to end: plan → cluster → workload, nemesis and sampler → checkers → results and reports.
///
/// Every stage streams its own file into the run directory as it goes, so a run that is interrupted (Ctrl-C,
/// SIGTERM) still leaves everything it saw, and is judged `unknown`.
public enum Runner {
    /// Runs the plan and returns the exit code (`0` valid, `1` invalid, `2` unknown, `3` bad plan, `4` missing
    /// capability, `5` internal error, `130` interrupted).
    public static func run(_ options: RunOptions) async -> ExitCode {
        let plan: Plan
        do {
            plan = try PlanLoader.load(path: options.planPath)
        } catch {
            Console.status(error.description)
            return .badInput
        }
        if let code = RootlessLab.rerunIfNeeded(plan, log: { if !options.quiet { Console.status("chaos: \($0)") } }) {
            return code
        }
        do {
            let prepared = try prepare(plan, options)
            return await RunSession(prepared).execute()
        } catch let error as RunError {
            Console.status("chaos: \(error.description)")
            return error.exitCode
        } catch {
            Console.status("chaos: \(error)")
            return .internalError
        }
    }

    /// Applies the command-line overrides, picks the seed and finds what the plan needs on this machine.
    /// - Parameter ptrace: whether this machine allows ptrace (asked only for plans that freeze threads by it).
    static func prepare(_ loaded: Plan, _ options: RunOptions,
                        ptrace: @autoclosure () -> Capabilities.Entry = Capabilities.probePtrace())
        throws -> PreparedRun {
        var plan = loaded
        let log: (String) -> Void = { if !options.quiet { Console.status("chaos: \($0)") } }
        if let duration = options.duration {
            let (shortened, dropped) = loaded.running(for: duration)
            plan = shortened
            for step in dropped {
                log(step.located("--duration \(Units.format(duration)) ends the run before this step starts; "
                                 + "it is left out"))
            }
        }
        let seed = options.seed ?? plan.seed ?? UInt64.random(in: 0...UInt64(Int64.max))
        plan.seed = seed
        try PtraceRequirement.check(plan, ptrace: ptrace())
        try SchedulingRequirement.check(plan)
        try DiskRequirement.check(plan)
        let registration = SystemRegistry.registration(for: plan.cluster.system)
        let binary = try BinaryLocator.program(registration.program, cluster: plan.cluster, log: log)
        let system = registration.makeAdapter(plan.cluster, binary)
        let network = try NetworkChoice.resolve(plan)
        let nodes: [NodeAddress]
        switch network {
        case .namespaces(let subnet, _):
            // Each node has its own address, so every node can use the same fixed ports.
            nodes = plan.cluster.nodeIDs.enumerated().map { i, id in
                NodeAddress(id: id, host: subnet.address(i), peerPort: NetworkChoice.peerPort,
                            clientPort: NetworkChoice.clientPort)
            }
        case .loopback:
            let ports = LoopbackPorts.allocate(plan.cluster.nodes * 2)
            guard ports.count == plan.cluster.nodes * 2 else {
                throw RunError.environment("could not find \(plan.cluster.nodes * 2) free TCP ports on 127.0.0.1")
            }
            nodes = plan.cluster.nodeIDs.enumerated().map { i, id in
                NodeAddress(id: id, host: "127.0.0.1", peerPort: ports[2 * i], clientPort: ports[2 * i + 1])
            }
        }
        let store = try RunStore(root: options.outputRoot, plan: plan.name, startedAt: Date())
        return PreparedRun(plan: plan, seed: seed, system: system, nodes: nodes, network: network, store: store,
                           options: options)
    }
}

/// A plan made concrete for this machine: seed chosen, binary found, addresses assigned, directory made.
struct PreparedRun: Sendable {
    var plan: Plan
    var seed: UInt64
    var system: any SystemAdapter
    var nodes: [NodeAddress]
    var network: NetworkChoice
    var store: RunStore
    var options: RunOptions
}
