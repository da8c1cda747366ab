/// Rendering the network keys of a nemesis step.
extension Plan {
    /// The step's `shape`, `mechanism`, links, netem knobs, `rate` and `clients`, as flow-mapping fields.
    static func renderNetwork(_ step: NemesisStep) -> [String] {
        var fields: [String] = []
        if let partition = step.partition {
            fields.append("shape: \(partition.shape)")
            fields.append("mechanism: \(partition.mechanism.rawValue)")
        }
        if let shaping = step.shaping {
            switch shaping.links {
            case .target: break
            case .between(let a, let b): fields.append("between: [\(a), \(b)]")
            case .directed(let from, let to):
                fields.append("from: [\(from.joined(separator: ", "))]")
                fields.append("to: [\(to.joined(separator: ", "))]")
            }
            if let delay = shaping.delay { fields.append("delay: \(Units.format(delay))") }
            if let jitter = shaping.jitter { fields.append("jitter: \(Units.format(jitter))") }
            if let value = shaping.correlation { fields.append("correlation: \(Units.formatPercent(value))") }
            if let distribution = shaping.distribution { fields.append("distribution: \(distribution.rawValue)") }
            if let value = shaping.loss { fields.append("loss: \(Units.formatPercent(value))") }
            if let value = shaping.lossCorrelation { fields.append("loss_correlation: \(Units.formatPercent(value))") }
            if let value = shaping.duplicate { fields.append("duplicate: \(Units.formatPercent(value))") }
            if let value = shaping.reorder { fields.append("reorder: \(Units.formatPercent(value))") }
            if let gap = shaping.gap { fields.append("gap: \(gap)") }
            if let value = shaping.corrupt { fields.append("corrupt: \(Units.formatPercent(value))") }
            if let rate = shaping.rate { fields.append("rate: \(Units.formatBandwidth(rate))") }
        }
        if step.faults.contains(where: \.isNetwork) { fields.append("clients: \(step.clients.rawValue)") }
        return fields
    }
}
