import Yams

/// The `nemesis:` list: when each fault happens, which fault, to whom, for how long.
extension PlanDecoder {
    static let stepKeys = ["at", "every", "from", "until", "fault", "faults", "target", "for"] + networkStepKeys
        + threadKeys + diskKeys + ["sched"] + membershipKeys
    /// Target words besides node ids, in the order the docs list them.
    static let targetWords: [(word: String, target: TargetSpec)] = [
        ("leader", .leader), ("follower", .follower), ("followers", .followers), ("random", .random),
        ("minority", .minority), ("majority", .majority), ("all", .all),
    ]

    /// - Parameters:
    ///   - nodes: the cluster size for checking node targets; nil when it could not be decoded (then any
    ///     possible node id is let through, to avoid a second message about the same mistake).
    ///   - runDuration: the run's length for checking step times; nil when it could not be decoded.
    mutating func decodeNemesis(_ entry: Entry, nodes: Int?, runDuration: Duration?) -> [NemesisStep]? {
        if isNull(entry.value) { return [] }
        guard let items = entry.value.sequence else {
            error("'nemesis' must be a list of steps, got \(describe(entry.value))", at: entry.value)
            return nil
        }
        var steps: [NemesisStep] = []
        var failed = false
        for item in items {
            if let step = decodeStep(item, nodes: nodes, runDuration: runDuration) {
                steps.append(step)
            } else {
                failed = true
            }
        }
        return failed ? nil : steps
    }

    private mutating func decodeStep(_ item: Node, nodes: Int?, runDuration: Duration?) -> NemesisStep? {
        guard let fields = fields(of: item, named: "nemesis", known: Self.stepKeys) else { return nil }
        // A `from` that names nodes is the source of shaped links, not an `every` step's start.
        var timingFields = fields
        if Self.fromNamesNodes(fields) { timingFields.entries["from"] = nil }
        let timing = decodeTiming(timingFields, runDuration: runDuration)
        // With both or neither of `at` and `every` the timing is already reported; accept either fault form then.
        let repeated: Bool? = switch (fields["at"], fields["every"]) {
        case (.some, .none): false
        case (.none, .some): true
        default: nil
        }
        let faults = decodeFaults(fields, repeated: repeated)
        let network = decodeNetwork(fields, faults: faults, nodes: nodes)
        var target: TargetSpec?
        if let network, network.explicitLinks, let entry = fields["target"] {
            error("'target' does not apply when 'between' or 'from'/'to' name the links; remove it", at: entry.key)
        } else if let network, network.explicitLinks {
            target = .all
        } else if fields["target"] == nil, let faults, faults.allSatisfy(\.isNetwork) {
            // A partition shape or shaping without a target works among every node.
            target = .all
        } else if fields["target"] == nil, faults == nil, fields["fault"] ?? fields["faults"] != nil {
            // The fault is misspelt (reported): whether it needs a target is unknown, so say nothing more.
            target = nil
        } else {
            target = required("target", in: fields).flatMap { decodeTarget($0, nodes: nodes) }
        }
        // No `for` is fine (the fault lasts to the end); a `for` that does not decode is not.
        var length: Duration?
        if let entry = fields["for"] {
            length = duration(entry, allowZero: false)
            if length == nil { return nil }
        }

        let thread = decodeThreadPause(fields, faults: faults)
        let disk = decodeDisk(fields, faults: faults)
        let jitter = decodeJitter(fields, faults: faults)
        let membership = decodeMembership(fields, faults: faults)
        guard let timing, let faults, let target, let network, let thread, let disk, let jitter, let membership
        else { return nil }
        if case .at(let start) = timing, let length, let runDuration, start + length > runDuration,
           let entry = fields["for"] {
            warning("the fault outlasts the run (at \(Units.format(start)) for \(Units.format(length))"
                    + ", duration \(Units.format(runDuration))); it is healed when the run ends", at: entry.value)
        }
        return NemesisStep(timing: timing, faults: faults, target: target, duration: length,
                           partition: network.partition, shaping: network.shaping, clients: network.clients,
                           thread: thread.pause, disk: disk.fault, jitter: jitter.jitter,
                           membership: membership.spec, location: location(item))
    }

    private mutating func decodeTiming(_ fields: Fields, runDuration: Duration?) -> NemesisStep.Timing? {
        switch (fields["at"], fields["every"]) {
        case (.some, .some(let every)):
            error("a step cannot have both 'at' and 'every'; use 'at' for one fault or 'every' for a repeated one",
                  at: every.key)
            return nil
        case (.none, .none):
            error("a step needs 'at' (one fault at a time) or 'every' (a fault repeated at a period)",
                  at: fields.node)
            return nil
        case (.some(let at), .none):
            var failed = false
            for name in ["from", "until"] {
                if let entry = fields[name] {
                    error("'\(name)' applies only to 'every' steps; this step has 'at'", at: entry.key)
                    failed = true
                }
            }
            guard let start = duration(at, allowZero: true), before(start, runDuration, at), !failed else {
                return nil
            }
            return .at(start)
        case (.none, .some(let every)):
            let period = duration(every, allowZero: false)
            var start: Duration? = .zero
            if let entry = fields["from"] {
                start = duration(entry, allowZero: true)
                if let value = start, !before(value, runDuration, entry) { start = nil }
            }
            var end: Duration?
            var failed = false
            if let entry = fields["until"] {
                end = duration(entry, allowZero: false)
                failed = end.map { !checkUntil($0, from: start, runDuration, entry) } ?? true
            }
            guard let period, let start, !failed else { return nil }
            return .every(period, from: start, until: end)
        }
    }

    /// Reports a start time that is not before the end of the run.
    private mutating func before(_ time: Duration, _ runDuration: Duration?, _ entry: Entry) -> Bool {
        guard let runDuration, time >= runDuration else { return true }
        error("'\(entry.name)' must be before the end of the run (duration \(Units.format(runDuration)))"
              + ", got '\(Units.format(time))'", at: entry.value)
        return false
    }

    private mutating func checkUntil(_ end: Duration, from start: Duration?, _ runDuration: Duration?,
                                     _ entry: Entry) -> Bool {
        if let runDuration, end > runDuration {
            error("'until' must not be past the end of the run (duration \(Units.format(runDuration)))"
                  + ", got '\(Units.format(end))'", at: entry.value)
            return false
        }
        if let start, end <= start {
            error("'until' must be later than 'from' (\(Units.format(start))), got '\(Units.format(end))'",
                  at: entry.value)
            return false
        }
        return true
    }

    /// `fault: kill` for a step that happens once, `faults: [kill, pause]` for a repeated one.
    ///
    /// - Parameter repeated: whether the step is an `every` step; nil when its timing is unclear.
    private mutating func decodeFaults(_ fields: Fields, repeated: Bool?) -> [Fault]? {
        switch (fields["fault"], fields["faults"]) {
        case (.some, .some(let faults)):
            error("a step cannot have both 'fault' and 'faults'; an 'at' step takes 'fault: kill'"
                  + ", an 'every' step 'faults: [kill, pause]'", at: faults.key)
            return nil
        case (.none, .none):
            let known = Fault.allCases.map(\.rawValue).joined(separator: ", ")
            error(repeated == true ? "a step needs 'faults', a list to draw from (\(known))"
                           : "a step needs 'fault' (one of: \(known))", at: fields.node)
            return nil
        case (.some(let fault), .none):
            if repeated == true {
                let example = (fault.value.scalar?.string).map { "'faults: [\($0)]'" } ?? "'faults: [kill]'"
                error("an 'every' step takes a list 'faults', not 'fault' (write \(example))", at: fault.key)
                return nil
            }
            return choice(fault, what: "fault").map { [$0] }
        case (.none, .some(let faults)):
            if repeated == false {
                error("an 'at' step takes one 'fault', not 'faults' (write 'fault: kill')", at: faults.key)
                return nil
            }
            guard let items = faults.value.sequence else {
                error("'faults' must be a list such as [kill, pause], got \(describe(faults.value))",
                      at: faults.value)
                return nil
            }
            guard items.count > 0 else {
                error("'faults' must name at least one fault", at: faults.value)
                return nil
            }
            let decoded = items.map { (item: Node) -> Fault? in
                choice(Entry(name: "faults", key: faults.key, value: item), what: "fault")
            }
            return decoded.contains(nil) ? nil : decoded.compactMap { $0 }
        }
    }

    private mutating func decodeTarget(_ entry: Entry, nodes: Int?) -> TargetSpec? {
        guard let text = string(entry) else { return nil }
        if let word = Self.targetWords.first(where: { $0.word == text }) {
            if let nodes, word.target.namesNobody(inClusterOf: nodes) {
                error("target '\(text)' names no node in a \(nodes)-node cluster", at: entry.value)
                return nil
            }
            return word.target
        }
        let nodeIDs = ClusterSpec(nodes: nodes ?? Self.nodeRange.upperBound).nodeIDs
        if nodeIDs.contains(text) { return .node(text) }
        let known = Self.targetWords.map(\.word) + nodeIDs
        if let near = Suggestion.nearest(to: text, among: known), !text.looksLikeNodeID {
            error("unknown target '\(text)' (did you mean '\(near)'?)", at: entry.value)
        } else if text.looksLikeNodeID {
            error("unknown target '\(text)' (the cluster has nodes n1 to \(nodeIDs.last ?? "n1"))", at: entry.value)
        } else {
            let words = Self.targetWords.map(\.word).joined(separator: ", ")
            error("unknown target '\(text)' (expected one of: \(words), or a node n1 to \(nodeIDs.last ?? "n1"))",
                  at: entry.value)
        }
        return nil
    }
}

private extension TargetSpec {
    /// A 1-node cluster has no follower, and a 1- or 2-node cluster no minority (⌊(n−1)/2⌋ = 0).
    func namesNobody(inClusterOf nodes: Int) -> Bool {
        switch self {
        case .follower, .followers: nodes < 2
        case .minority: (nodes - 1) / 2 == 0
        default: false
        }
    }
}

