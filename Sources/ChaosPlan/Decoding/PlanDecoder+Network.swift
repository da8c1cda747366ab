import Yams

/// The network keys of a nemesis step: `shape`/`mechanism` for `partition`, the links and knobs of `netem` and
/// `rate`, and `clients`.
extension PlanDecoder {
    static let partitionKeys = ["shape", "mechanism"]
    static let netemKeys = ["delay", "jitter", "correlation", "distribution", "loss", "loss_correlation",
                            "duplicate", "reorder", "gap", "corrupt"]
    static let linkKeys = ["between", "to"]
    static let networkStepKeys = partitionKeys + linkKeys + netemKeys + ["rate", "clients"]

    /// What a step's network keys decoded to.
    struct NetworkParts {
        var partition: PartitionSpec?
        var shaping: LinkShaping?
        var clients: ClientTraffic = .clean
        /// The step names its links itself (`between`, `from`/`to`), so `target` does not apply.
        var explicitLinks = false
    }

    /// True when the step's `from` names nodes (a link source: a list, a node id or `all`), not a start time.
    static func fromNamesNodes(_ fields: Fields) -> Bool {
        guard let entry = fields["from"] else { return false }
        if entry.value.sequence != nil { return true }
        guard case .scalar(let scalar) = entry.value else { return false }
        return scalar.string == "all" || scalar.string.looksLikeNodeID
    }

    /// Decodes and cross-checks the network keys against the step's faults.
    ///
    /// - Parameter faults: the step's faults; nil when they did not decode (then nothing more is reported).
    mutating func decodeNetwork(_ fields: Fields, faults: [Fault]?, nodes: Int?) -> NetworkParts? {
        guard let faults else { return nil }
        var parts = NetworkParts()
        var failed = false
        let partitions = faults.contains(.partition)
        let shapes = faults.contains(.netem) || faults.contains(.rate)
        let named = faults.map(\.rawValue).joined(separator: ", ")
        for key in Self.partitionKeys where !partitions {
            if let entry = fields[key] {
                error("'\(key)' applies only to partition faults; this step has \(named)", at: entry.key)
                failed = true
            }
        }
        let linkFrom = Self.fromNamesNodes(fields) ? fields["from"] : nil
        let shapingEntries = (Self.linkKeys + Self.netemKeys + ["rate"]).compactMap { fields[$0] } + [linkFrom]
            .compactMap { $0 }
        // `delay` and `jitter` are disk-latency's keys too (PlanDecoder+Disk).
        let diskLatency = faults.contains(.diskLatency)
        for entry in shapingEntries where !shapes && !(diskLatency && ["delay", "jitter"].contains(entry.name)) {
            error("'\(entry.name)' applies only to netem and rate faults; this step has \(named)", at: entry.key)
            failed = true
        }
        if let entry = fields["clients"] {
            if faults.contains(where: \.isNetwork) {
                if let clients: ClientTraffic = choice(entry, what: "clients setting") { parts.clients = clients }
                else { failed = true }
            } else {
                error("'clients' applies only to network faults (partition, netem, rate); this step has \(named)",
                      at: entry.key)
                failed = true
            }
        }
        if failed { return nil }
        if partitions {
            guard let partition = decodePartition(fields, nodes: nodes) else { return nil }
            parts.partition = partition
        }
        if shapes {
            guard let shaping = decodeShaping(fields, from: linkFrom, faults: faults, nodes: nodes) else { return nil }
            parts.shaping = shaping
            if case .target = shaping.links {} else { parts.explicitLinks = true }
        }
        return parts
    }

    private mutating func decodePartition(_ fields: Fields, nodes: Int?) -> PartitionSpec? {
        guard let shapeEntry = fields["shape"] else {
            let words = (PartitionSpec.Shape.words.map(\.word) + PartitionSpec.Shape.parameterised)
                .joined(separator: ", ")
            error("a partition step needs 'shape' (one of: \(words))", at: fields.node)
            return nil
        }
        var mechanism = PartitionSpec.Mechanism.auto
        var failed = false
        if let entry = fields["mechanism"] {
            if let chosen: PartitionSpec.Mechanism = choice(entry, what: "mechanism") { mechanism = chosen }
            else { failed = true }
        }
        guard let shape = decodeShape(shapeEntry, nodes: nodes), !failed else { return nil }
        if shape == .isolate, fields["target"] == nil {
            error("shape 'isolate' needs 'target' (the node or nodes to cut off, e.g. 'target: leader')",
                  at: shapeEntry.value)
            return nil
        }
        return PartitionSpec(shape: shape, mechanism: mechanism)
    }

    private mutating func decodeShape(_ entry: Entry, nodes: Int?) -> PartitionSpec.Shape? {
        let known = PartitionSpec.Shape.words.map(\.word) + PartitionSpec.Shape.parameterised
        let example = "'shape: { one-way: { from: n1, to: n2 } }' or 'shape: { groups: [[n1, n2], [n3]] }'"
        if case .scalar = entry.value, let text = string(entry) {
            if let word = PartitionSpec.Shape.words.first(where: { $0.word == text }) { return word.shape }
            if PartitionSpec.Shape.parameterised.contains(text) {
                error("shape '\(text)' needs its nodes: write \(example)", at: entry.value)
            } else {
                error("unknown shape '\(text)'" + Suggestion.hint(for: text, among: known), at: entry.value)
            }
            return nil
        }
        guard let mapping = entry.value.mapping, mapping.count == 1, let (key, value) = mapping.first(where: { _ in
            true
        }), case .scalar(let name) = key else {
            error("'shape' must be a word (\(PartitionSpec.Shape.words.map(\.word).joined(separator: ", "))) "
                  + "or a mapping with one key: \(example)", at: entry.value)
            return nil
        }
        let inner = Entry(name: name.string, key: key, value: value)
        switch name.string {
        case "one-way":
            guard let ends = fields(of: inner, known: ["from", "to"]) else { return nil }
            let from = required("from", in: ends).flatMap { nodeID($0, nodes: nodes) }
            let to = required("to", in: ends).flatMap { nodeID($0, nodes: nodes) }
            guard let from, let to else { return nil }
            guard from != to else {
                error("a one-way partition needs two different nodes, got '\(from)' twice", at: value)
                return nil
            }
            return .oneWay(from: from, to: to)
        case "groups":
            guard let groups = value.sequence, !groups.isEmpty else {
                error("'groups' must be a list of node lists such as [[n1, n2], [n3]], got \(describe(value))",
                      at: value)
                return nil
            }
            var result: [[String]] = []
            var seen: Set<String> = []
            for group in groups {
                guard let members = nodeList(Entry(name: "groups", key: key, value: group), nodes: nodes) else {
                    return nil
                }
                if let twice = members.first(where: seen.contains) {
                    error("node '\(twice)' is in more than one group", at: group)
                    return nil
                }
                seen.formUnion(members)
                result.append(members)
            }
            return .groups(result)
        default:
            error("unknown shape '\(name.string)'" + Suggestion.hint(for: name.string, among: known), at: key)
            return nil
        }
    }

    /// A node id of the cluster, e.g. `n2`.
    mutating func nodeID(_ entry: Entry, nodes: Int?) -> String? {
        guard let text = string(entry) else { return nil }
        let ids = ClusterSpec(nodes: nodes ?? Self.nodeRange.upperBound).nodeIDs
        guard ids.contains(text) else {
            error("unknown node '\(text)' in '\(entry.name)' (the cluster has nodes n1 to \(ids.last ?? "n1"))",
                  at: entry.value)
            return nil
        }
        return text
    }

    /// A non-empty list of distinct node ids.
    mutating func nodeList(_ entry: Entry, nodes: Int?) -> [String]? {
        guard let items = entry.value.sequence, !items.isEmpty else {
            error("'\(entry.name)' must be a non-empty list of nodes such as [n1, n2], got \(describe(entry.value))",
                  at: entry.value)
            return nil
        }
        var result: [String] = []
        for item in items {
            guard let id = nodeID(Entry(name: entry.name, key: entry.key, value: item), nodes: nodes) else {
                return nil
            }
            if !result.contains(id) { result.append(id) }
        }
        return result
    }

    /// `all`, one node id, or a list of node ids.
    mutating func nodeSet(_ entry: Entry, nodes: Int?) -> [String]? {
        if entry.value.sequence != nil { return nodeList(entry, nodes: nodes) }
        if case .scalar(let scalar) = entry.value, scalar.string == "all" {
            return ClusterSpec(nodes: nodes ?? Self.nodeRange.upperBound).nodeIDs
        }
        return nodeID(entry, nodes: nodes).map { [$0] }
    }
}

extension String {
    /// `n` and digits: a node id, known or not.
    var looksLikeNodeID: Bool { count > 1 && hasPrefix("n") && dropFirst().allSatisfy { $0.isASCII && $0.isNumber } }
}
