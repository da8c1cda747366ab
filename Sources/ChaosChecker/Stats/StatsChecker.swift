import ChaosHistory

/// Counts completions per function and type, availability and latency (Jepsen's `stats`).
///
/// Like Jepsen's, it calls a run invalid when some function was attempted but never succeeded; with
/// `minAvailability` it also requires that fraction of completions to be `ok`.
public struct StatsChecker: Checker {
    public var minAvailability: Double?

    public init(minAvailability: Double? = nil) {
        self.minAvailability = minAvailability
    }

    public var name: CheckName { .stats }

    public func check(_ input: CheckInput) async -> CheckResult {
        var counts: [OpType: Int] = [:]
        var perFunction: [String: [OpType: Int]] = [:]
        var invokedAt: [Int: Int64] = [:]
        var latencies: [Int64] = []
        for op in input.history.operations {
            counts[op.type, default: 0] += 1
            perFunction[op.f, default: [:]][op.type, default: 0] += 1
            switch op.type {
            case .invoke: invokedAt[op.process] = op.time
            case .ok:
                if let start = invokedAt.removeValue(forKey: op.process) { latencies.append(op.time - start) }
            case .fail, .info: invokedAt[op.process] = nil
            }
        }
        let ok = counts[.ok, default: 0], fail = counts[.fail, default: 0], info = counts[.info, default: 0]
        let completed = ok + fail + info
        let availability = completed == 0 ? 0 : Double(ok) / Double(completed)
        latencies.sort()

        var findings: [Finding] = []
        for (f, byType) in perFunction.sorted(by: { $0.key < $1.key })
        where byType[.invoke, default: 0] > 0 && byType[.ok, default: 0] == 0 {
            findings.append(Finding("no '\(f)' operation succeeded (\(byType[.invoke, default: 0]) attempted)"))
        }
        if completed == 0 { findings.append(Finding("the workload completed no operation")) }
        if let minAvailability, completed > 0, availability < minAvailability {
            findings.append(Finding(
                "availability \(percent(availability)) is below the required \(percent(minAvailability))"))
        }

        var metrics: [String: Double] = [
            "invoke": Double(counts[.invoke, default: 0]), "ok": Double(ok), "fail": Double(fail),
            "info": Double(info), "availability": availability,
        ]
        if input.duration > 0 { metrics[.okPerSecond] = Double(ok) / input.duration }
        if !latencies.isEmpty {
            metrics[.latencyP50Ms] = Double(quantile(latencies, 0.50)) / 1e6
            metrics[.latencyP99Ms] = Double(quantile(latencies, 0.99)) / 1e6
            metrics[.latencyMaxMs] = Double(latencies.last!) / 1e6
        }
        var summary = "\(ok) ok, \(fail) fail, \(info) info; \(percent(availability)) available"
        if let rate = metrics[.okPerSecond] { summary += "; \(Int(rate.rounded())) ok/s" }
        return CheckResult(name: name, verdict: findings.isEmpty ? .valid : .invalid, summary: summary,
                           findings: findings, metrics: metrics)
    }
}

/// The `q` quantile of sorted values (nearest rank).
func quantile(_ sorted: [Int64], _ q: Double) -> Int64 {
    sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
}

func percent(_ fraction: Double) -> String {
    let value = (fraction * 1000).rounded() / 10
    return value == value.rounded() ? "\(Int(value))%" : "\(value)%"
}
