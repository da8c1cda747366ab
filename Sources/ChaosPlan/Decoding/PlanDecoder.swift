import Yams

/// Walks a composed YAML tree into a `Plan`, collecting a located diagnostic for every problem on the way
/// instead of stopping at the first.
///
/// Decoding by hand rather than with `Decodable` is what gives each message the exact line and column of the
/// key or value at fault; the `decode...` functions return nil for a part they could not decode, and the
/// caller carries on with the rest.
struct PlanDecoder {
    let file: String
    /// Keys the composer renamed after reporting them as duplicates; skipped without a second message.
    let ignoredKeys: Set<String>
    var diagnostics: [Diagnostic] = []

    init(file: String, ignoredKeys: Set<String> = []) {
        self.file = file
        self.ignoredKeys = ignoredKeys
    }

    static let planKeys = ["name", "seed", "duration", "cluster", "workload", "nemesis", "checks", "sample_interval"]

    mutating func decodePlan(_ root: Node) -> Plan? {
        guard case .mapping = root else {
            error("the plan must be a mapping of keys (name, duration, cluster...), got \(describe(root))", at: root)
            return nil
        }
        guard let fields = fields(of: root, named: nil, known: Self.planKeys) else { return nil }
        // Every part is decoded even after a failure, so one run reports the problems of all parts.
        var failed = false
        let name = required("name", in: fields).flatMap { decodeName($0) }
        var seed: UInt64?
        if let entry = fields["seed"] {
            seed = decodeSeed(entry)
            failed = failed || seed == nil
        }
        let runDuration = required("duration", in: fields).flatMap { duration($0, allowZero: false) }
        var sampleInterval: Duration? = .milliseconds(100)
        if let entry = fields["sample_interval"] { sampleInterval = duration(entry, allowZero: false) }
        let (cluster, nodes) = fields["cluster"].map { decodeCluster($0) } ?? (ClusterSpec(), 3)
        let workload = fields["workload"].map { decodeWorkload($0, system: cluster?.system) } ?? WorkloadSpec()
        let nemesis = fields["nemesis"].map { decodeNemesis($0, nodes: nodes, runDuration: runDuration) } ?? []
        let checks = fields["checks"].map { decodeChecks($0) } ?? ChecksSpec()
        if let adapter = cluster?.adapter, let kind = workload?.kind, let entry = fields["cluster"] {
            failed = !checkAdapter(adapter, serves: kind, at: fields["workload"] ?? entry) || failed
        }
        if let cluster, let nemesis, let entry = fields["nemesis"] {
            failed = !checkDiskFaults(nemesis, cluster: cluster, nemesis: entry) || failed
            failed = !checkMembershipFaults(nemesis, cluster: cluster, nemesis: entry) || failed
        }

        guard !failed, let name, let runDuration, let sampleInterval, let cluster, let workload, let nemesis,
              let checks else { return nil }
        return Plan(name: name, seed: seed, duration: runDuration, cluster: cluster, workload: workload,
                    nemesis: nemesis, checks: checks, sampleInterval: sampleInterval)
    }

    /// Names become run directory names, so only characters that are safe in a path are allowed.
    private mutating func decodeName(_ entry: Entry) -> String? {
        guard let name = string(entry) else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-")
        guard !name.isEmpty, name.allSatisfy(allowed.contains), name != ".", name != "..", name.count <= 100 else {
            error("'name' may use only lowercase letters, digits, '.', '_' and '-' (it names the run directory)"
                  + ", got '\(name)'", at: entry.value)
            return nil
        }
        return name
    }

    private mutating func decodeSeed(_ entry: Entry) -> UInt64? {
        guard let text = string(entry) else { return nil }
        guard let seed = UInt64(text) else {
            error("'seed' must be a whole number from 0 to \(UInt64.max), got '\(text)'", at: entry.value)
            return nil
        }
        return seed
    }

    // MARK: Reporting

    mutating func error(_ message: String, at node: Node) {
        diagnostics.append(Diagnostic(location: location(node), message: message))
    }

    mutating func warning(_ message: String, at node: Node) {
        diagnostics.append(Diagnostic(location: location(node), message: message, severity: .warning))
    }

    func location(_ node: Node) -> SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: max(mark?.line ?? 1, 1), column: max(mark?.column ?? 1, 1))
    }

    /// How a value is named in "got ..." messages: the text itself for a scalar, its shape otherwise.
    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): isNull(node) ? "nothing" : "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// A plain `~`, `null` or empty value: YAML's "no value".
    func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }
}
