import Yams

/// The `cluster:` and `workload:` sections.
extension PlanDecoder {
    static let clusterKeys = ["system", "nodes", "binary", "args", "election_timeout", "heartbeat",
                              "snapshot_every", "bugs", "start_timeout", "network", "subnet", "adapter", "disk",
                              "members"]
    static let workloadKeys = ["kind", "keys", "clients", "rate", "timeout", "bind"]
    /// One to nine nodes: Raft needs one, and a one-host lab gets no more honest past nine.
    static let nodeRange = 1...9

    /// - Returns: the cluster, nil when any of it is wrong; and the node count when that part was right (so
    ///   nemesis targets can still be checked against it).
    mutating func decodeCluster(_ entry: Entry) -> (cluster: ClusterSpec?, nodes: Int?) {
        guard let fields = fields(of: entry, known: Self.clusterKeys) else { return (nil, nil) }
        var cluster = ClusterSpec()
        var failed = false
        // Each `decode` reports its own problem; `failed` remembers that one did, and the rest are still checked.
        func take<T>(_ value: T?, into keyPath: WritableKeyPath<ClusterSpec, T>) {
            if let value { cluster[keyPath: keyPath] = value } else { failed = true }
        }
        func takeOptional<T>(_ value: T?, into keyPath: WritableKeyPath<ClusterSpec, T?>) {
            if let value { cluster[keyPath: keyPath] = value } else { failed = true }
        }
        if let entry = fields["system"] { take(choice(entry, what: "system"), into: \.system) }
        var failedNodes = false
        if let entry = fields["nodes"] {
            let nodes = integer(entry, in: Self.nodeRange)
            failedNodes = nodes == nil
            take(nodes, into: \.nodes)
        }
        if let entry = fields["members"] {
            // Checked against `nodes` once both are known (`checkMembers`).
            takeOptional(integer(entry, in: Self.nodeRange), into: \.members)
        }
        if let entry = fields["binary"] { takeOptional(string(entry), into: \.binary) }
        if let entry = fields["args"] { take(strings(entry), into: \.args) }
        if let entry = fields["election_timeout"] {
            takeOptional(duration(entry, allowZero: false), into: \.electionTimeout)
        }
        if let entry = fields["heartbeat"] { takeOptional(duration(entry, allowZero: false), into: \.heartbeat) }
        if let entry = fields["snapshot_every"] {
            takeOptional(integer(entry, in: 1...Int.max), into: \.snapshotEvery)
        }
        if let entry = fields["bugs"] { take(strings(entry), into: \.bugs) }
        if let entry = fields["start_timeout"] {
            take(duration(entry, allowZero: false), into: \.startTimeout)
        }

        if let entry = fields["network"] { take(choice(entry, what: "network"), into: \.network) }
        if let entry = fields["subnet"] { take(subnet(entry), into: \.subnet) }
        if let entry = fields["disk"] { take(choice(entry, what: "disk"), into: \.disk) }

        if cluster.system == .custom, fields["binary"] == nil, let system = fields["system"] {
            error("system 'custom' needs 'binary' (the path of the node program)", at: system.value)
            failed = true
        }
        if cluster.system == .etcd, !cluster.bugs.isEmpty, let entry = fields["bugs"] {
            error("'bugs' are raft-node's test-only bug modes; etcd has none, remove 'bugs'", at: entry.value)
            failed = true
        }
        // etcd refuses to start unless its election timeout is at least five heartbeats (defaults 1000 ms, 100 ms).
        if cluster.system == .etcd, cluster.heartbeat != nil || cluster.electionTimeout != nil {
            let heartbeat = cluster.heartbeat ?? .milliseconds(100)
            let election = cluster.electionTimeout ?? .milliseconds(1000)
            if election < heartbeat * 5, let entry = fields["election_timeout"] ?? fields["heartbeat"] {
                error("etcd needs 'election_timeout' (\(Units.format(election))) to be at least 5 times 'heartbeat' "
                      + "(\(Units.format(heartbeat)))", at: entry.value)
                failed = true
            }
        }
        if let entry = fields["adapter"] {
            if cluster.system != .custom {
                error("'adapter' is only for system 'custom'; remove it or set system: custom", at: entry.key)
                failed = true
            } else {
                takeOptional(decodeAdapterEntry(entry), into: \.adapter)
                warnAboutRaftNodeSettings(fields)
            }
        } else if cluster.system == .custom, let system = fields["system"] {
            error("system 'custom' needs 'adapter' (a file relative to the plan, or an inline mapping;"
                  + " see docs/adapters.md)", at: system.value)
            failed = true
        }
        if cluster.system == .custom, cluster.adapter != nil, cluster.adapter?.membership == nil,
           (cluster.members ?? cluster.nodes) < cluster.nodes, let entry = fields["members"] {
            error("spare nodes ('members' below 'nodes') can only join through the adapter's membership API: add "
                  + "a 'membership' section to the adapter (docs/adapters.md) or remove 'members'", at: entry.key)
            failed = true
        }
        if let members = cluster.members, members > cluster.nodes, let entry = fields["members"] {
            error("'members' (\(members)) must be at most 'nodes' (\(cluster.nodes)): the first 'members' nodes "
                  + "start as the cluster, the rest as spares for 'change: grow'", at: entry.value)
            failed = true
        }
        // A heartbeat no shorter than the election timeout makes followers start elections under a live leader.
        if let heartbeat = cluster.heartbeat, let election = cluster.electionTimeout, heartbeat >= election,
           let entry = fields["heartbeat"] {
            error("'heartbeat' must be shorter than 'election_timeout' (\(Units.format(election)))"
                  + ", got '\(Units.format(heartbeat))'", at: entry.value)
            failed = true
        }
        return (failed ? nil : cluster, failedNodes ? nil : cluster.nodes)
    }

    /// An IPv4 network `a.b.c.d/len` with a prefix of 8 to 29 (room for the bridge and the nodes).
    private mutating func subnet(_ entry: Entry) -> String? {
        guard let text = string(entry) else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        let octets = parts.first.map { $0.split(separator: ".", omittingEmptySubsequences: false) } ?? []
        guard parts.count == 2, let length = Int(parts[1]), (8...29).contains(length), octets.count == 4,
              octets.allSatisfy({ UInt8($0) != nil }) else {
            error("'subnet' must be an IPv4 network with a prefix length of 8 to 29, like 10.77.0.0/24"
                  + ", got '\(text)'", at: entry.value)
            return nil
        }
        return text
    }

    /// - Parameter system: the cluster's system when that part decoded; some kinds need what a system lacks.
    mutating func decodeWorkload(_ entry: Entry, system: ClusterSpec.System?) -> WorkloadSpec? {
        guard let fields = fields(of: entry, known: Self.workloadKeys) else { return nil }
        var workload = WorkloadSpec()
        var failed = false
        func take<T>(_ value: T?, into keyPath: WritableKeyPath<WorkloadSpec, T>) {
            if let value { workload[keyPath: keyPath] = value } else { failed = true }
        }
        if let entry = fields["kind"] { take(choice(entry, what: "workload kind"), into: \.kind) }
        // etcd's store has no append that hands out dense log positions, which the append model needs.
        if system == .etcd, workload.kind == .append, let entry = fields["kind"] {
            error("workload 'append' needs a replicated-log API, which etcd lacks; use register or cas-register"
                  + " with system 'etcd'", at: entry.value)
            failed = true
        }
        if let entry = fields["keys"] { take(integer(entry, in: 1...Int.max), into: \.keys) }
        if let entry = fields["clients"] { take(integer(entry, in: 1...Int.max), into: \.clients) }
        if let entry = fields["rate"] { take(rate(entry), into: \.rate) }
        if let entry = fields["timeout"] { take(duration(entry, allowZero: false), into: \.timeout) }
        if let entry = fields["bind"] { take(choice(entry, what: "workload binding"), into: \.bind) }
        return failed ? nil : workload
    }

    /// `500/s`, `1000/m`, or `unlimited` (the outer optional is "could not decode").
    private mutating func rate(_ entry: Entry) -> Double?? {
        guard let text = string(entry) else { return nil }
        if text == "unlimited" { return .some(nil) }
        guard let rate = Units.parseRate(text) else {
            error("'rate' must be a rate such as 500/s or 1000/m, or 'unlimited', got '\(text)'", at: entry.value)
            return nil
        }
        guard rate > 0, rate.isFinite else {
            error("'rate' must be more than 0/s (or 'unlimited'), got '\(text)'", at: entry.value)
            return nil
        }
        return .some(rate)
    }
}
