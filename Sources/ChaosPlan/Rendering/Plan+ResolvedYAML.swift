import ChaosSupport

/// Rendering a plan back to YAML, as recorded in a run directory.
extension Plan {
    /// The plan as YAML with every default written out and the seed set: the exact input of a run, so
    /// `chaos run runs/<name>/<time>/plan.yaml` replays it. Loading the text back gives a plan equal to this one
    /// with `seed` set.
    ///
    /// - Parameter seed: the run's seed (the plan's own, or the one chosen at random for the run).
    public func resolvedYAML(seed: UInt64) -> String {
        var lines = [
            "# chaos plan as resolved for a run: every default written out, the seed fixed",
            "name: \(Self.quoted(name))",
            "seed: \(seed)",
            "duration: \(Units.format(duration))",
            "sample_interval: \(Units.format(sampleInterval))",
            "cluster:",
            "  system: \(cluster.system.rawValue)",
            "  nodes: \(cluster.nodes)",
        ]
        if let members = cluster.members { lines.append("  members: \(members)") }
        if let binary = cluster.binary { lines.append("  binary: \(Self.quoted(binary))") }
        lines.append("  args: \(Self.list(cluster.args))")
        if let timeout = cluster.electionTimeout { lines.append("  election_timeout: \(Units.format(timeout))") }
        if let heartbeat = cluster.heartbeat { lines.append("  heartbeat: \(Units.format(heartbeat))") }
        if let every = cluster.snapshotEvery { lines.append("  snapshot_every: \(every)") }
        lines += [
            "  bugs: \(Self.list(cluster.bugs))",
            "  start_timeout: \(Units.format(cluster.startTimeout))",
            "  network: \(cluster.network.rawValue)",
            "  subnet: \(cluster.subnet)",
        ]
        if cluster.disk != .plain { lines.append("  disk: \(cluster.disk.rawValue)") }
        if let adapter = cluster.adapter {
            // Inline, so the run directory replays on its own even when the adapter file changes or moves.
            lines.append("  adapter:")
            let text = adapter.yaml.hasSuffix("\n") ? String(adapter.yaml.dropLast()) : adapter.yaml
            lines += text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }
        }
        lines += [
            "workload:",
            "  kind: \(workload.kind.rawValue)",
            "  keys: \(workload.keys)",
            "  clients: \(workload.clients)",
            "  rate: \(workload.rate.map(Units.formatRate) ?? "unlimited")",
            "  timeout: \(Units.format(workload.timeout))",
            "  bind: \(workload.bind.rawValue)",
        ]
        lines.append(nemesis.isEmpty ? "nemesis: []" : "nemesis:")
        lines += nemesis.map { "  - " + Self.render($0) }
        lines += renderChecks()
        return lines.joined(separator: "\n") + "\n"
    }

    private func renderChecks() -> [String] {
        guard !checks.isEmpty else { return ["checks: {}"] }
        var lines = ["checks:"]
        if let stats = checks.stats {
            let settings = stats.minAvailability.map { "min_availability: \(Units.formatPercent($0))" }
            lines.append("  stats: { \(settings ?? "") }")
        }
        if let crash = checks.crash {
            lines.append("  crash:")
            lines.append("    patterns: \(Self.list(crash.patterns))")
        }
        if let linearizable = checks.linearizable {
            var settings = ["time_limit: \(Units.format(linearizable.timeLimit))"]
            if let model = linearizable.model { settings.insert("model: \(Self.quoted(model.rawValue))", at: 0) }
            if let memory = linearizable.memoryLimit { settings.append("memory_limit: \(memory)B") }
            lines.append("  linearizable: { \(settings.joined(separator: ", ")) }")
        }
        return lines + renderHealthChecks()
    }

    /// One step as a flow mapping, keys in the order the docs use.
    private static func render(_ step: NemesisStep) -> String {
        var fields: [String] = []
        switch step.timing {
        case .at(let time):
            fields.append("at: \(Units.format(time))")
            fields.append("fault: \(step.faults.first?.rawValue ?? "kill")")
        case .every(let period, let from, let until):
            fields.append("every: \(Units.format(period))")
            // A `from` naming link senders takes the key; such a step starts at 0s, the default.
            if case .directed = step.shaping?.links {} else { fields.append("from: \(Units.format(from))") }
            if let until { fields.append("until: \(Units.format(until))") }
            fields.append("faults: [\(step.faults.map(\.rawValue).joined(separator: ", "))]")
        }
        if case .directed = step.shaping?.links {} else if case .between = step.shaping?.links {} else {
            fields.append("target: \(step.target)")
        }
        if let length = step.duration { fields.append("for: \(Units.format(length))") }
        fields += renderNetwork(step)
        if let thread = step.thread {
            fields.append("thread: \(quoted(thread.pattern))")
            switch thread.mode {
            case .ptrace: fields.append("mode: ptrace")
            case .signal(let stop, let resume):
                fields += ["mode: signal", "signal: \(stop)", "resume_signal: \(resume)"]
            }
        }
        if let disk = step.disk { fields += renderDisk(disk, faults: step.faults) }
        if let jitter = step.jitter { fields.append("sched: " + renderJitter(jitter)) }
        if let membership = step.membership {
            fields += ["change: \(membership.change.rawValue)", "data: \(membership.data.rawValue)"]
        }
        return "{ " + fields.joined(separator: ", ") + " }"
    }

    /// The keys of a disk fault that its faults use.
    private static func renderDisk(_ disk: DiskFault, faults: [Fault]) -> [String] {
        var fields: [String] = []
        if faults.contains(.powerFailure) { fields.append("torn: \(disk.torn)") }
        if faults.contains(.diskError) {
            fields.append("error: \(disk.error.rawValue)")
            if let path = disk.path { fields.append("path: \(quoted(path))") }
        }
        if faults.contains(.diskError) || faults.contains(.diskLatency) {
            fields.append("ops: [\(disk.operations.map(\.rawValue).joined(separator: ", "))]")
        }
        if faults.contains(.diskLatency) {
            fields += ["delay: \(Units.format(disk.delay))", "jitter: \(Units.format(disk.jitter))"]
        }
        return fields
    }

    private static func list(_ items: [String]) -> String {
        "[" + items.map(quoted).joined(separator: ", ") + "]"
    }

    /// A YAML double-quoted scalar: always a string, whatever it looks like (`null`, `3`, `yes`...).
    static func quoted(_ text: String) -> String { QuotedString.literal(text) }
}
