import Yams

/// The links and knobs of `netem` and `rate` steps.
extension PlanDecoder {
    /// - Parameter from: the step's `from` when it names nodes (a link source), else nil.
    mutating func decodeShaping(_ fields: Fields, from: Entry?, faults: [Fault], nodes: Int?) -> LinkShaping? {
        var shaping = LinkShaping()
        var failed = false
        func take<T>(_ value: T?, into keyPath: WritableKeyPath<LinkShaping, T?>) {
            if let value { shaping[keyPath: keyPath] = value } else { failed = true }
        }
        if let links = decodeLinks(fields, from: from, nodes: nodes) { shaping.links = links } else { failed = true }
        if let entry = fields["delay"] { take(duration(entry, allowZero: false), into: \.delay) }
        if let entry = fields["jitter"] { take(duration(entry, allowZero: false), into: \.jitter) }
        if let entry = fields["correlation"] { take(percent(entry), into: \.correlation) }
        if let entry = fields["distribution"] {
            take(choice(entry, what: "distribution") as LinkShaping.Distribution?, into: \.distribution)
        }
        if let entry = fields["loss"] { take(percent(entry), into: \.loss) }
        if let entry = fields["loss_correlation"] { take(percent(entry), into: \.lossCorrelation) }
        if let entry = fields["duplicate"] { take(percent(entry), into: \.duplicate) }
        if let entry = fields["reorder"] { take(percent(entry), into: \.reorder) }
        if let entry = fields["gap"] { take(integer(entry, in: 1...Int.max), into: \.gap) }
        if let entry = fields["corrupt"] { take(percent(entry), into: \.corrupt) }
        if let entry = fields["rate"] { take(bandwidth(entry), into: \.rate) }
        if failed { return nil }

        // netem's own rules, said before the kernel would refuse them mid-run.
        let needs: [(key: String, needs: String, present: Bool, why: String)] = [
            ("jitter", "delay", shaping.delay != nil, "jitter varies the delay"),
            ("correlation", "delay", shaping.delay != nil, "it correlates successive delays"),
            ("distribution", "jitter", shaping.jitter != nil, "it shapes the jitter"),
            ("reorder", "delay", shaping.delay != nil, "reordered packets skip the delay the others wait"),
            ("gap", "reorder", shaping.reorder != nil, "it spaces the reordered packets"),
            ("loss_correlation", "loss", shaping.loss != nil, "it correlates the losses"),
        ]
        for rule in needs where !rule.present {
            if let entry = fields[rule.key] {
                error("'\(rule.key)' needs '\(rule.needs)' in the same step (\(rule.why))", at: entry.key)
                failed = true
            }
        }
        if faults.contains(.rate), shaping.rate == nil {
            error("a rate fault needs 'rate' (a bandwidth such as 1mbit or 128KB/s)", at: fields.node)
            failed = true
        }
        if faults.contains(.netem), !shaping.needsNetem, shaping.rate == nil {
            error("a netem fault needs at least one of delay, loss, duplicate, reorder, corrupt or rate",
                  at: fields.node)
            failed = true
        }
        return failed ? nil : shaping
    }

    /// `between: [a, b]`, or `from:` and `to:` node sets; neither = the step's target.
    private mutating func decodeLinks(_ fields: Fields, from: Entry?, nodes: Int?) -> LinkShaping.Links? {
        let to = fields["to"]
        if let between = fields["between"] {
            if let other = from ?? to {
                error("a step takes either 'between' or 'from'/'to', not both", at: other.key)
                return nil
            }
            guard let pair = nodeList(between, nodes: nodes) else { return nil }
            guard pair.count == 2 else {
                error("'between' must name exactly two different nodes, such as [n1, n2]", at: between.value)
                return nil
            }
            return .between(pair[0], pair[1])
        }
        switch (from, to) {
        case (nil, nil):
            return .target
        case (let from?, nil):
            error("'from' names the sending nodes of the shaped links; add 'to' (the receiving nodes)", at: from.key)
            return nil
        case (nil, let to?):
            error("'to' names the receiving nodes of the shaped links; add 'from' (the sending nodes)", at: to.key)
            return nil
        case (let from?, let to?):
            guard let senders = nodeSet(from, nodes: nodes), let receivers = nodeSet(to, nodes: nodes) else {
                return nil
            }
            guard senders.contains(where: { sender in receivers.contains { $0 != sender } }) else {
                error("'from' and 'to' leave no link between two different nodes", at: to.value)
                return nil
            }
            return .directed(from: senders, to: receivers)
        }
    }

    /// A bandwidth such as `1mbit` or `128KB/s`, more than zero.
    private mutating func bandwidth(_ entry: Entry) -> UInt64? {
        guard let text = string(entry) else { return nil }
        guard let rate = Units.parseBandwidth(text) else {
            error("'\(entry.name)' must be a bandwidth such as 1mbit, 500kbit or 128KB/s, got '\(text)'",
                  at: entry.value)
            return nil
        }
        guard rate > 0 else {
            error("'\(entry.name)' must be more than 0, got '\(text)'", at: entry.value)
            return nil
        }
        return rate
    }
}
