/// Expands a plan's nemesis steps into the concrete, seeded list of fault occurrences the nemesis runs.
public enum Schedule {
    /// The stream of `SeededGenerator.derived(_:)` used for drawing faults, kept apart from other random choices.
    public static let stream: UInt64 = 1

    /// Every fault occurrence of the run, in time order.
    ///
    /// `at` steps occur once; `every` steps at `from`, `from + every`, ... while before `until` (or the end of
    /// the run), each occurrence's fault drawn from the step's `faults` with a generator seeded by `seed`.
    /// Occurrences at the same time keep the order of their steps in the plan; ids count from 0 in time order.
    /// - Parameters:
    ///   - plan: a validated plan.
    ///   - seed: the run's seed (the plan's, or the one chosen for it); the same seed gives the same schedule.
    public static func expand(_ plan: Plan, seed: UInt64) -> [ScheduledFault] {
        var generator = SeededGenerator(seed: seed).derived(stream)
        var occurrences: [ScheduledFault] = []
        for (index, step) in plan.nemesis.enumerated() {
            switch step.timing {
            case .at(let time):
                guard time < plan.duration, let fault = step.faults.first else { continue }
                occurrences.append(ScheduledFault(id: 0, at: time, fault: fault, target: step.target,
                                                  duration: step.duration, step: index, partition: step.partition,
                                                  shaping: step.shaping, clients: step.clients,
                                                  thread: step.thread, disk: step.disk, jitter: step.jitter,
                                                  membership: step.membership))
            case .every(let period, let from, let until):
                guard period > .zero, !step.faults.isEmpty else { continue }
                let end = min(until ?? plan.duration, plan.duration)
                var time = from
                while time < end {
                    // Drawn even from one choice: the stream's position depends only on the occurrences before.
                    let fault = step.faults[Int(generator.next(upperBound: UInt64(step.faults.count)))]
                    occurrences.append(ScheduledFault(id: 0, at: time, fault: fault, target: step.target,
                                                      duration: step.duration, step: index,
                                                      partition: step.partition, shaping: step.shaping,
                                                      clients: step.clients, thread: step.thread,
                                                      disk: step.disk, jitter: step.jitter,
                                                      membership: step.membership))
                    time += period
                }
            }
        }
        // Stable by (time, step): sort on the pair, since occurrences of one step are already in time order.
        let ordered = occurrences.enumerated().sorted { lhs, rhs in
            (lhs.element.at, lhs.element.step, lhs.offset) < (rhs.element.at, rhs.element.step, rhs.offset)
        }
        return ordered.enumerated().map { id, entry in
            var occurrence = entry.element
            occurrence.id = id
            return occurrence
        }
    }
}
