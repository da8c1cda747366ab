/// The `sched:` mapping of a step in the resolved plan, every key written out so the plan reads back equal.
extension Plan {
    static func renderJitter(_ jitter: SchedulingJitter) -> String {
        var fields = ["threads: \(quoted(jitter.threads))", "freeze: \(Units.formatRate(jitter.freezeRate))",
                      "min_pause: \(Units.format(jitter.minPause))", "max_pause: \(Units.format(jitter.maxPause))"]
        if jitter.runningOnly { fields.append("running_only: true") }
        if let cpu = jitter.cpu { fields.append("cpu: \(cpu)") }
        if let lower = jitter.lower {
            fields.append("lower: \(quoted(lower))")
            switch jitter.priority {
            case .idle: fields.append("priority: idle")
            case .nice(let value): fields.append("priority: \(value)")
            }
        }
        if jitter.competitor { fields.append("competitor: true") }
        if let stopAt = jitter.stopAt {
            fields.append("stop_at: \(quoted(stopAt))")
            fields.append("stop_chance: \(jitter.stopChance)")
            if jitter.stopOne { fields.append("stop_one: true") }
        }
        return "{ " + fields.joined(separator: ", ") + " }"
    }
}
