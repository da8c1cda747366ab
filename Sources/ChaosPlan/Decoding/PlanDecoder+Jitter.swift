/// The `sched:` mapping of a `jitter` fault: `threads`, `freeze`, `min_pause`, `max_pause`, `running_only`, `cpu`,
/// `lower`,
/// `priority`, `competitor`, `stop_at`, `stop_chance`, `stop_one` (docs/plan-format.md).
extension PlanDecoder {
    static let jitterKeys = ["threads", "freeze", "min_pause", "max_pause", "running_only", "cpu", "lower", "priority",
                             "competitor", "stop_at", "stop_chance", "stop_one"]

    /// What a step's `sched` key decoded to; `jitter` is nil for steps without the `jitter` fault.
    struct JitterKeys {
        var jitter: SchedulingJitter?
    }

    /// - Returns: nil when something is wrong (reported), else the decoded keys.
    mutating func decodeJitter(_ fields: Fields, faults: [Fault]?) -> JitterKeys? {
        guard let faults, faults.contains(.jitter) else {
            guard faults != nil, let entry = fields["sched"] else { return JitterKeys() }
            error("'sched' applies only to 'jitter' faults", at: entry.key)
            return nil
        }
        guard let entry = required("sched", in: fields),
              let keys = self.fields(of: entry, known: Self.jitterKeys) else { return nil }
        var jitter = SchedulingJitter()
        var failed = false
        if let entry = keys["threads"] {
            if let pattern = regex(entry) { jitter.threads = pattern } else { failed = true }
        }
        if let entry = keys["freeze"] {
            if let text = string(entry), let rate = Units.parseRate(text), rate.isFinite {
                jitter.freezeRate = rate
            } else {
                if string(entry) != nil {
                    error("'freeze' must be a rate such as 500/s, got '\(string(entry) ?? "")'", at: entry.value)
                }
                failed = true
            }
        }
        for (name, path) in [("min_pause", \SchedulingJitter.minPause), ("max_pause", \.maxPause)] {
            guard let entry = keys[name] else { continue }
            if let value = duration(entry, allowZero: false) { jitter[keyPath: path] = value } else { failed = true }
        }
        if jitter.minPause > jitter.maxPause, let entry = keys["max_pause"] ?? keys["min_pause"] {
            error("'max_pause' (\(Units.format(jitter.maxPause))) must not be shorter than 'min_pause' "
                  + "(\(Units.format(jitter.minPause)))", at: entry.value)
            failed = true
        }
        if let entry = keys["cpu"] {
            if let cpu = integer(entry, in: 0...1023) { jitter.cpu = cpu } else { failed = true }
        }
        if let entry = keys["lower"] {
            if let pattern = regex(entry) { jitter.lower = pattern } else { failed = true }
        }
        if let entry = keys["priority"] {
            if let priority = priority(entry) { jitter.priority = priority } else { failed = true }
            if keys["lower"] == nil {
                error("'priority' needs 'lower', the threads to lower (e.g. lower: \"raft-writer\")", at: entry.key)
                failed = true
            }
        }
        if let entry = keys["running_only"] {
            if let value = flag(entry) { jitter.runningOnly = value } else { failed = true }
        }
        if let entry = keys["competitor"] {
            if let value = flag(entry) { jitter.competitor = value } else { failed = true }
            if jitter.competitor, keys["cpu"] == nil {
                error("'competitor' needs 'cpu', the CPU it competes on (e.g. cpu: 0)", at: entry.key)
                failed = true
            }
        }
        if let entry = keys["stop_at"] {
            if let pattern = string(entry), (try? Regex(pattern)) != nil {
                jitter.stopAt = pattern
            } else {
                if let text = string(entry) {
                    error("'stop_at' must be a regular expression on function names, got '\(text)'", at: entry.value)
                }
                failed = true
            }
            if jitter.freezes, let freeze = keys["freeze"] {
                error("'freeze' and 'stop_at' cannot go in one step: both trace the node's threads and a thread has "
                      + "one tracer; use two steps on different nodes or pick one", at: freeze.key)
                failed = true
            }
        }
        if let entry = keys["stop_chance"] {
            if let text = string(entry), let chance = Double(text), chance > 0, chance <= 1 {
                jitter.stopChance = chance
            } else {
                if let text = string(entry) {
                    error("'stop_chance' must be a number above 0 and at most 1, got '\(text)'", at: entry.value)
                }
                failed = true
            }
            if keys["stop_at"] == nil {
                error("'stop_chance' needs 'stop_at', the functions to stop in (e.g. stop_at: \"Replicator.wait\")",
                      at: entry.key)
                failed = true
            }
        }
        if let entry = keys["stop_one"] {
            if let value = flag(entry) { jitter.stopOne = value } else { failed = true }
            if keys["stop_at"] == nil {
                error("'stop_one' needs 'stop_at', the functions to stop in", at: entry.key)
                failed = true
            }
        }
        // An unknown key is reported already; saying the rest does nothing would only repeat it.
        guard !failed, keys.entries.count == entry.value.mapping?.count else { return nil }
        if !jitter.freezes, jitter.cpu == nil, jitter.lower == nil, jitter.stopAt == nil {
            error("'sched' does nothing: give 'freeze' (e.g. 500/s), 'cpu', 'lower' or 'stop_at'", at: entry.key)
            return nil
        }
        return JitterKeys(jitter: jitter)
    }

    /// `true` or `false`.
    private mutating func flag(_ entry: Entry) -> Bool? {
        switch string(entry) {
        case "true": return true
        case "false": return false
        case let text?:
            error("'\(entry.name)' must be true or false, got '\(text)'", at: entry.value)
            return nil
        case nil: return nil
        }
    }

    /// A regular expression on thread names.
    private mutating func regex(_ entry: Entry) -> String? {
        guard let pattern = string(entry) else { return nil }
        guard (try? Regex(pattern)) != nil else {
            error("'\(entry.name)' must be a regular expression on thread names, got '\(pattern)'", at: entry.value)
            return nil
        }
        return pattern
    }

    /// `idle` (SCHED_IDLE) or a nice value from 1 to 19.
    private mutating func priority(_ entry: Entry) -> SchedulingJitter.Priority? {
        guard let text = string(entry) else { return nil }
        if text == "idle" { return .idle }
        if let nice = Int(text), (1...19).contains(nice) { return .nice(nice) }
        error("'priority' must be 'idle' (SCHED_IDLE) or a nice value from 1 to 19, got '\(text)'", at: entry.value)
        return nil
    }
}
