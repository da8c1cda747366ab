import ChaosNemesis
import ChaosPlan

/// Plans whose `jitter` faults change CPU affinity or priority are refused before anything starts (exit 4) when
/// this machine would not let chaos undo the change at heal: a node left at SCHED_IDLE is not "healed".
enum SchedulingRequirement {
    /// - Throws: `RunError.environment` located at the first `jitter` step that needs what is refused.
    static func check(_ plan: Plan, probe: () -> SchedulingProbe.Answer = SchedulingProbe.run) throws(RunError) {
        let steps = plan.nemesis.filter { $0.faults.contains(.jitter) }
        guard steps.contains(where: { $0.jitter?.cpu != nil || $0.jitter?.lower != nil }) else { return }
        let answer = probe()
        if let step = steps.first(where: { $0.jitter?.lower != nil }), !answer.lowering {
            throw .environment(step.located("jitter with 'lower' needs to raise a lowered thread back at heal, "
                                            + "which this machine refuses (\(answer.detail)); \(answer.remedy)"))
        }
        if let step = steps.first(where: { $0.jitter?.cpu != nil }), !answer.affinity {
            throw .environment(step.located("jitter with 'cpu' needs sched_setaffinity, which this machine "
                                            + "refuses (\(answer.detail)); \(answer.remedy)"))
        }
    }
}
