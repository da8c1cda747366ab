import ChaosHistory

/// Compares the replicas' committed logs: entries at the same index at or below both nodes' commit indexes must
/// be equal, and every acknowledged `append` must have an index some node committed, with no two acknowledged
/// appends sharing one. `unknown` when no node's log could be read.
public struct DivergenceChecker: Checker {
    public init() {}

    public var name: CheckName { .divergence }

    public func check(_ input: CheckInput) async -> CheckResult {
        guard !input.logs.isEmpty else {
            return CheckResult(name: name, verdict: .unknown,
                               summary: "no node's log could be read at the end of the run, so replicas cannot be "
                                   + "compared (the system adapter gives no log digests)")
        }
        let logs = input.logs.sorted { $0.node < $1.node }
        var findings: [Finding] = []
        var compared: Int64 = 0
        var hashesCompared = 0
        for i in logs.indices {
            for j in logs.indices where j > i {
                let (count, finding) = Self.compare(logs[i], logs[j])
                compared += count
                if let finding { findings.append(finding) }
                let (hashed, hashFinding) = Self.compareStateHashes(logs[i], logs[j])
                hashesCompared += hashed ? 1 : 0
                if let hashFinding { findings.append(hashFinding) }
            }
        }
        let acknowledged: (checked: Int, findings: [Finding])
        do throws(HistoryError) {
            acknowledged = try AcknowledgedAppends.check(input.history, logs: logs)
        } catch {
            return CheckResult(name: name, verdict: .unknown, summary: "cannot read the history: \(error)")
        }
        findings += acknowledged.findings
        let committed = logs.map(\.commitIndex).max() ?? 0
        var summary = findings.isEmpty
            ? "\(logs.count) logs agree on every shared committed entry (\(compared) pairwise comparisons, "
                + "commit index up to \(committed))"
            : "\(findings.count) divergence finding\(findings.count == 1 ? "" : "s")"
        if acknowledged.checked > 0 { summary += "; \(acknowledged.checked) acknowledged appends checked" }
        if hashesCompared > 0 { summary += "; \(hashesCompared) pairs of state hashes compared" }
        return CheckResult(
            name: name, verdict: findings.isEmpty ? .valid : .invalid, summary: summary, findings: findings,
            metrics: ["logs": Double(logs.count), "comparedEntries": Double(compared),
                      "maxCommitIndex": Double(committed), "acknowledgedAppends": Double(acknowledged.checked),
                      "stateHashesCompared": Double(hashesCompared)])
    }

    /// Compares two logs on the indexes both hold and both have committed.
    /// - Returns: how many entries were compared, and a finding for the first divergent index.
    static func compare(_ a: NodeLog, _ b: NodeLog) -> (Int64, Finding?) {
        let limit = min(a.commitIndex, b.commitIndex)
        guard let firstA = a.entries.first?.index, let firstB = b.entries.first?.index else { return (0, nil) }
        let low = max(firstA, firstB)
        guard low <= limit else { return (0, nil) }
        var compared: Int64 = 0
        var index = low
        while index <= limit {
            guard let x = entry(a, index), let y = entry(b, index) else { break }  // a gap: stop comparing
            compared += 1
            if x.term != y.term || x.digest != y.digest {
                var differing: Int64 = 0
                var k = index
                while k <= limit, let p = entry(a, k), let q = entry(b, k) {
                    if p.term != q.term || p.digest != q.digest { differing += 1 }
                    k += 1
                }
                return (compared, Finding(
                    "\(a.node) and \(b.node) disagree at committed index \(index) (both committed up to \(limit)); "
                        + "\(differing) entr\(differing == 1 ? "y differs" : "ies differ") from there",
                    node: a.node, details: [
                        "\(a.node) index \(index): term \(x.term), digest \(x.digest) (commit index \(a.commitIndex))",
                        "\(b.node) index \(index): term \(y.term), digest \(y.digest) (commit index \(b.commitIndex))",
                    ]))
            }
            index += 1
        }
        return (compared, nil)
    }

    /// Compares the nodes' own state hashes when both took theirs at the same index.
    /// - Returns: whether they were comparable, and a finding when they differ.
    static func compareStateHashes(_ a: NodeLog, _ b: NodeLog) -> (Bool, Finding?) {
        guard let x = a.stateHash, let y = b.stateHash, x.index == y.index else { return (false, nil) }
        guard x.hash != y.hash else { return (true, nil) }
        return (true, Finding("\(a.node) and \(b.node) report different state hashes at index \(x.index)",
                              node: a.node, details: ["\(a.node): \(x.hash)", "\(b.node): \(y.hash)"]))
    }

    /// The entry at `index`, found by offset (entries are contiguous) with a check that it really is that one.
    static func entry(_ log: NodeLog, _ index: Int64) -> NodeLog.Entry? {
        guard let first = log.entries.first?.index else { return nil }
        let offset = Int(index - first)
        guard offset >= 0, offset < log.entries.count else { return nil }
        let candidate = log.entries[offset]
        if candidate.index == index { return candidate }
        return log.entries.first { $0.index == index }
    }
}

/// Acknowledged appends (`append` ops completed `ok` with their log index) against the final logs.
enum AcknowledgedAppends {
    /// Keeps one record per acknowledged append (the index it was given): what divergence compares.
    /// - Throws: `HistoryError` when the history cannot be read.
    static func check(_ history: HistorySource, logs: [NodeLog]) throws(HistoryError)
        -> (checked: Int, findings: [Finding]) {
        let committed = logs.map(\.commitIndex).max() ?? 0
        var invoked: [Int: Operation] = [:]
        var byIndex: [Int64: (entry: Operation, ok: Operation)] = [:]
        var beyond: [String] = []
        var duplicates: [String] = []
        var checked = 0
        try history.forEach { op in
            guard op.f == "append" else { return }
            if op.type == .invoke { invoked[op.process] = op; return }
            guard let invoke = invoked.removeValue(forKey: op.process), op.type == .ok,
                  let index = op.value.intValue else { return }
            checked += 1
            if index > committed {
                beyond.append("process \(op.process) appended \(EDNWriter.text(invoke.value)), ok at "
                    + "\(seconds(op.time))s with index \(index)")
            }
            if let other = byIndex[index], other.entry.value != invoke.value {
                duplicates.append("index \(index): \(EDNWriter.text(other.entry.value)) (process "
                    + "\(other.ok.process), ok at \(seconds(other.ok.time))s) and \(EDNWriter.text(invoke.value)) "
                    + "(process \(op.process), ok at \(seconds(op.time))s)")
            } else {
                byIndex[index] = (invoke, op)
            }
        }
        var findings: [Finding] = []
        if !beyond.isEmpty {
            findings.append(Finding("\(beyond.count) acknowledged append\(beyond.count == 1 ? " is" : "s are") "
                + "beyond every node's final commit index (\(committed)): lost acknowledged writes",
                details: Array(beyond.prefix(20))))
        }
        if !duplicates.isEmpty {
            findings.append(Finding("\(duplicates.count) log index\(duplicates.count == 1 ? " was" : "es were") "
                + "acknowledged to two different appends: one of each pair was lost",
                details: Array(duplicates.prefix(20))))
        }
        return (checked, findings)
    }
}
