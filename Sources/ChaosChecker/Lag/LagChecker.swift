import ChaosHistory
import ChaosSupport

/// Judges how followers keep up: stalls (index flat while the cluster commits, no fault aimed at the node),
/// lag beyond `maxEntries`, and catch-up time after each heal. Metrics: max and p99 lag in entries and time.
public struct LagChecker: Checker {
    public var maxEntries: Int64?
    public var stallAfter: Duration
    public var catchUpWithin: Duration?
    public var grace: Duration

    public init(maxEntries: Int64? = nil, stallAfter: Duration = .seconds(5), catchUpWithin: Duration? = nil,
                grace: Duration = .seconds(2)) {
        self.maxEntries = maxEntries
        self.stallAfter = stallAfter
        self.catchUpWithin = catchUpWithin
        self.grace = grace
    }

    public var name: CheckName { .lag }

    public func check(_ input: CheckInput) async -> CheckResult {
        judge(LagAnalysis(samples: input.samples, events: input.events, nodes: input.nodes))
    }

    /// Judges an analysis already made (the report draws from the same one).
    public func judge(_ analysis: LagAnalysis) -> CheckResult {
        guard !analysis.commitSteps.isEmpty else {
            return CheckResult(name: name, verdict: .unknown,
                               summary: "no sample carried a commit index, so lag cannot be judged "
                                   + "(did the nodes answer the status poll?)")
        }
        let what = analysis.hasAppliedIndex ? "applied index" : "commit index"
        let detector = StallDetector(stallAfter: stallAfter.nanoseconds, grace: grace.nanoseconds)
        var findings: [Finding] = []
        var metrics: [String: Double] = [:]
        var stallCount = 0
        for node in analysis.nodes {
            let points = analysis.points[node] ?? []
            for stall in detector.stalls(of: node, points: points, windows: analysis.windows) {
                stallCount += 1
                findings.append(describe(stall, what: what, windows: analysis.windows))
            }
            if let maxEntries {
                findings += LagLimit(maxEntries: maxEntries, grace: grace.nanoseconds)
                    .excesses(of: node, points: points, windows: analysis.windows)
            }
            let followerLags = points.filter { $0.answered && !$0.isLeader }
            metrics["\(node).lagMaxEntries"] = Double(followerLags.map(\.lag).max() ?? 0)
            metrics["\(node).behindMaxSeconds"] = Double(followerLags.map(\.behindNanos).max() ?? 0) / 1e9
        }
        let catchUps = CatchUp.measure(analysis, grace: grace.nanoseconds)
        for catchUp in catchUps { findings += judge(catchUp) }

        let followers = analysis.followerPoints
        let lags = followers.map(\.lag).sorted()
        let behind = followers.map(\.behindNanos).sorted()
        metrics[.lagMaxEntries] = Double(lags.last ?? 0)
        metrics[.lagP99Entries] = lags.isEmpty ? 0 : Double(quantile(lags, 0.99))
        metrics[.behindMaxSeconds] = Double(behind.last ?? 0) / 1e9
        metrics[.behindP99Seconds] = behind.isEmpty ? 0 : Double(quantile(behind, 0.99)) / 1e9
        metrics[.stalls] = Double(stallCount)
        let measured = catchUps.compactMap(\.nanos)
        metrics["catchUps"] = Double(measured.count)
        if let longest = measured.max() { metrics[.catchUpMaxSeconds] = Double(longest) / 1e9 }
        if !measured.isEmpty {
            metrics["catchUpMeanSeconds"] = Double(measured.reduce(0, +)) / Double(measured.count) / 1e9
        }

        var summary = "max lag \(lags.last ?? 0) entries (p99 \(Int(metrics[.lagP99Entries]!))), "
            + "max \(seconds(behind.last ?? 0))s behind"
        if let longest = measured.max() { summary += "; \(measured.count) catch-ups, longest \(seconds(longest))s" }
        summary += stallCount == 0 ? "; no stall" : "; \(stallCount) stall\(stallCount == 1 ? "" : "s")"
        return CheckResult(name: name, verdict: findings.isEmpty ? .valid : .invalid, summary: summary,
                           findings: findings, metrics: metrics)
    }

    private func describe(_ stall: Stall, what: String, windows: [FaultWindow]) -> Finding {
        let start = Double(stall.start) / 1e9, end = Double(stall.end) / 1e9
        let aimed = windows.aimed(at: stall.node).filter { $0.start <= stall.end }
        let excuse = aimed.last.map { window in
            "the last fault aimed at \(stall.node) (\(window.fault)) was healed at "
                + "\(window.end.map { seconds($0) + "s" } ?? "never")"
        } ?? "no fault targeted \(stall.node)"
        let message = "\(stall.node) stalled \(seconds(stall.start))s–\(seconds(stall.end))s"
            + (stall.untilEnd ? " (until the end)" : "")
            + ": \(what) stuck at \(stall.index) while the cluster committed up to \(stall.clusterCommit); \(excuse)"
        return Finding(message, node: stall.node, time: start, until: end, details: [
            "flagged at \(seconds(stall.detectedAt))s, \(seconds(stall.detectedAt - stall.start))s after it began "
                + "(stall_after \(seconds(stallAfter.nanoseconds))s)",
        ])
    }

    private func judge(_ catchUp: CatchUp) -> [Finding] {
        guard let limit = catchUpWithin?.nanoseconds else { return [] }
        let heal = "after the heal of \(catchUp.fault) at \(seconds(catchUp.healedAt))s"
        if let nanos = catchUp.nanos {
            guard nanos > limit else { return [] }
            return [Finding("\(catchUp.node) took \(seconds(nanos))s to catch up \(heal) (limit \(seconds(limit))s): "
                            + "it reached index \(catchUp.target) at \(seconds(catchUp.healedAt + nanos))s",
                            node: catchUp.node, time: Double(catchUp.healedAt) / 1e9,
                            until: Double(catchUp.healedAt + nanos) / 1e9)]
        }
        guard catchUp.observedUntil - catchUp.healedAt > limit else { return [] }  // the run ended too soon to tell
        return [Finding("\(catchUp.node) never caught up \(heal) (limit \(seconds(limit))s): it stayed below "
                        + "index \(catchUp.target) until \(seconds(catchUp.observedUntil))s",
                        node: catchUp.node, time: Double(catchUp.healedAt) / 1e9,
                        until: Double(catchUp.observedUntil) / 1e9)]
    }
}

/// Seconds with one decimal: `12.3`.
func seconds(_ nanos: Int64) -> String {
    let tenths = (Double(nanos) / 1e8).rounded() / 10
    return String(format: "%.1f", tenths)
}
