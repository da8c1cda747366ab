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
        var latencies = LatencyQuantiles()
        let ranks: [Int]
        let picked: [Int64]
        do throws(HistoryError) {
            try Self.latencies(input.history, each: { op in
                counts[op.type, default: 0] += 1
                perFunction[op.f, default: [:]][op.type, default: 0] += 1
            }, latency: { latencies.add($0) })
            ranks = latencies.count == 0 ? [] : [latencies.rank(0.50), latencies.rank(0.99)]
            picked = try latencies.values(at: ranks) { (each: (Int64) -> Void) throws(HistoryError) in
                try Self.latencies(input.history, latency: each)
            }
        } catch {
            return CheckResult(name: name, verdict: .unknown, summary: "cannot read the history: \(error)")
        }
        let ok = counts[.ok, default: 0], fail = counts[.fail, default: 0], info = counts[.info, default: 0]
        let completed = ok + fail + info
        let availability = completed == 0 ? 0 : Double(ok) / Double(completed)

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
        if latencies.count > 0 {
            metrics[.latencyP50Ms] = Double(picked[0]) / 1e6
            metrics[.latencyP99Ms] = Double(picked[1]) / 1e6
            metrics[.latencyMaxMs] = Double(latencies.max) / 1e6
        }
        var summary = "\(ok) ok, \(fail) fail, \(info) info; \(percent(availability)) available"
        if let rate = metrics[.okPerSecond] { summary += "; \(Int(rate.rounded())) ok/s" }
        return CheckResult(name: name, verdict: findings.isEmpty ? .valid : .invalid, summary: summary,
                           findings: findings, metrics: metrics)
    }
}

extension StatsChecker {
    /// One pass over the history: every operation to `each`, and the latency of every call completed `ok`
    /// (its invocation to its completion by the same process) to `latency`.
    static func latencies(_ history: HistorySource, each: (Operation) -> Void = { _ in },
                          latency: (Int64) -> Void) throws(HistoryError) {
        var invokedAt: [Int: Int64] = [:]
        try history.forEach { op in
            each(op)
            switch op.type {
            case .invoke: invokedAt[op.process] = op.time
            case .ok:
                if let start = invokedAt.removeValue(forKey: op.process) { latency(op.time - start) }
            case .fail, .info: invokedAt[op.process] = nil
            }
        }
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
