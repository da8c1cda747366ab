import ChaosCore
import ChaosPlan

/// `chaos validate`: loads a plan, reports every problem with its location, and shows the schedule it yields.
public enum PlanValidation {
    public static func run(path: String, seed: UInt64?) -> ExitCode {
        let plan: Plan
        do {
            plan = try PlanLoader.load(path: path)
        } catch {
            Console.status(error.description)
            return .badInput
        }
        let seed = seed ?? plan.seed
        var lines = [
            "\(path): ok — \(plan.name): \(plan.cluster.nodes) \(plan.cluster.system.rawValue) nodes for "
                + "\(Units.format(plan.duration)), \(plan.workload.kind.rawValue) with \(plan.workload.clients) "
                + "clients, \(plan.nemesis.count) nemesis step\(plan.nemesis.count == 1 ? "" : "s")",
        ]
        if let seed {
            let schedule = Schedule.expand(plan, seed: seed)
            lines.append("schedule with seed \(seed): \(schedule.count) fault\(schedule.count == 1 ? "" : "s")")
            for fault in schedule {
                let lasting = fault.duration.map { " for \(Units.format($0))" } ?? " until the end"
                lines.append("  \(Units.format(fault.at).padding(toLength: 7, withPad: " ", startingAt: 0)) "
                             + "\(describe(fault))\(lasting)")
            }
        } else {
            lines.append("no seed in the plan: random faults are drawn at run time (give --seed to list them)")
        }
        if let refusal = plan.loopbackRefusal {
            // Known before anything starts: `chaos run` refuses this plan with exit 4, so validation says so too.
            Console.output(lines.joined(separator: "\n"))
            Console.status(refusal)
            return .environment
        }
        Console.output(lines.joined(separator: "\n"))
        return .valid
    }

    /// `kill leader`, `partition isolate leader`, `netem n1<->n2`, `rate leader`.
    static func describe(_ fault: ScheduledFault) -> String {
        if let partition = fault.partition {
            let among = partition.shape == .isolate || fault.target == .all ? "" : " among \(fault.target)"
            let target = partition.shape == .isolate ? " \(fault.target)" : ""
            return "partition \(partition.shape)\(target)\(among)"
        }
        switch fault.shaping?.links {
        case .between(let a, let b): return "\(fault.fault.rawValue) \(a)<->\(b)"
        case .directed(let from, let to):
            return "\(fault.fault.rawValue) [\(from.joined(separator: ","))]->[\(to.joined(separator: ","))]"
        case .target, nil: return "\(fault.fault.rawValue) \(fault.target)"
        }
    }
}
