import ChaosHistory

/// Finds resources that grow steadily under load and keep growing: RSS, open file descriptors and threads per
/// node, fitted after a warm-up with Theil–Sen. Growth that follows the work (memory per committed entry within
/// what holding the entry costs) or levels off before the end is not a leak (see `Growth`); a run too short to
/// tell is `unknown`.
public struct LeakChecker: Checker {
    public var maxRSSGrowthPerHour: Int64
    public var maxFDGrowthPerHour: Double?
    public var maxThreadGrowthPerHour: Double?
    /// RSS growth per entry the cluster commits that the work explains (the log and state machine holding it);
    /// nil judges the slope alone.
    public var maxRSSPerEntry: Int64?
    public var warmUp: Duration
    /// Less than this much fitted time per node is too short to tell a leak from start-up growth.
    public var minSpan: Duration
    /// Below this R² growth is noise (a burst, a cache filling), not a steady leak: reported, not failed.
    public var minFit: Double

    public init(maxRSSGrowthPerHour: Int64 = 20_000_000, maxFDGrowthPerHour: Double? = nil,
                maxThreadGrowthPerHour: Double? = nil, maxRSSPerEntry: Int64? = 1000, warmUp: Duration = .seconds(10),
                minSpan: Duration = .seconds(30), minFit: Double = 0.5) {
        self.maxRSSGrowthPerHour = maxRSSGrowthPerHour
        self.maxFDGrowthPerHour = maxFDGrowthPerHour
        self.maxThreadGrowthPerHour = maxThreadGrowthPerHour
        self.maxRSSPerEntry = maxRSSPerEntry
        self.warmUp = warmUp
        self.minSpan = minSpan
        self.minFit = minFit
    }

    public var name: CheckName { .leak }

    /// One resource as sampled: how to read it, its limit, how to print amounts.
    private struct Resource {
        var key: String
        var label: String
        var limit: Double?
        var perEntry: Double?
        var value: (Sample) -> Double?
        var format: (Double) -> String
    }

    public func check(_ input: CheckInput) async -> CheckResult {
        let resources = [
            Resource(key: "rss", label: "RSS", limit: Double(maxRSSGrowthPerHour),
                     perEntry: maxRSSPerEntry.map(Double.init), value: { $0.rssBytes.map(Double.init) },
                     format: megabytes),
            Resource(key: "fds", label: "open fds", limit: maxFDGrowthPerHour,
                     value: { $0.openFDs.map(Double.init) }, format: count),
            Resource(key: "threads", label: "threads", limit: maxThreadGrowthPerHour,
                     value: { $0.threads.map(Double.init) }, format: count),
        ]
        var bySegment: [String: [Sample]] = [:]
        var nodes = input.nodes
        for sample in input.samples.sorted(by: { $0.time < $1.time }) where sample.answered {
            if !nodes.contains(sample.node) { nodes.append(sample.node) }
            bySegment[sample.node, default: []].append(sample)
        }
        var findings: [Finding] = []
        var excused: [String] = []
        var metrics: [String: Double] = [:]
        var judged: [String] = []
        var tooShort: [String] = []
        var noisy = false
        var leaks = 0
        for node in nodes {
            guard let segment = Self.longestLife(bySegment[node] ?? [], warmUp: warmUp.nanoseconds),
                  let first = segment.first, let last = segment.last,
                  last.time - first.time >= minSpan.nanoseconds
            else {
                tooShort.append(node)
                continue
            }
            judged.append(node)
            let span = Double(last.time - first.time) / 3.6e12
            let commits = segment.compactMap { s in s.commitIndex.map { (hours(s.time), Double($0)) } }
            for resource in resources {
                let pairs = segment.compactMap { s in resource.value(s).map { (hours(s.time), $0) } }
                guard let growth = Growth.judge(points: pairs, commits: resource.perEntry == nil ? [] : commits,
                                                limit: resource.limit, maxPerEntry: resource.perEntry, minFit: minFit)
                else { continue }
                let fit = growth.whole
                metrics["\(node).\(resource.key)GrowthPerHour"] = fit.slope
                metrics["\(node).\(resource.key)FitR2"] = fit.r2
                if let tail = growth.tail { metrics["\(node).\(resource.key)TailGrowthPerHour"] = tail.slope }
                if let perEntry = growth.perEntry, resource.key == "rss" { metrics["\(node).rssPerEntry"] = perEntry }
                metrics["\(resource.key)GrowthMaxPerHour"] = max(metrics["\(resource.key)GrowthMaxPerHour"] ?? 0,
                                                                 fit.slope)
                guard let limit = resource.limit, growth.call != .withinLimit else { continue }
                let from = pairs.first!.1, to = pairs.last!.1
                let grows = "\(node) \(resource.label) grows \(resource.format(fit.slope))/h "
                    + "(limit \(resource.format(limit))/h): \(resource.format(from)) to \(resource.format(to)) over "
                    + "\(minutes(span))"
                let finding = { (message: String, kind: Finding.Kind) in
                    Finding(message, node: node, time: Double(first.time) / 1e9, until: Double(last.time) / 1e9,
                            kind: kind)
                }
                switch growth.call {
                case .withinLimit:
                    break
                case .levelledOff:
                    excused.append("\(node) \(resource.label) levelled off (\(resource.format(growth.tail!.slope))/h "
                                   + "over the last half)")
                case .followsWork:
                    excused.append("\(node) \(resource.label) follows the work (\(bytes(growth.perEntry!)) per "
                                   + "committed entry, allowed \(bytes(resource.perEntry!)))")
                case .noisy:
                    noisy = true
                    findings.append(finding(grows + "; Theil–Sen fit R² \(String(format: "%.2f", fit.r2)) "
                                            + "(too noisy to call a leak)", .noisyGrowth))
                case .leak:
                    leaks += 1
                    var message = grows + "; Theil–Sen fit R² \(String(format: "%.2f", fit.r2)), still "
                        + "\(resource.format(growth.tail?.slope ?? fit.slope))/h over the last half"
                    if let perEntry = growth.perEntry { message += ", \(bytes(perEntry)) per committed entry" }
                    findings.append(finding(message, .leak))
                }
            }
        }
        let verdict: Verdict
        var summary: String
        if leaks > 0 {
            verdict = .invalid
            summary = "\(leaks) resource\(leaks == 1 ? "" : "s") growing steadily beyond the limit to the end"
        } else if judged.isEmpty {
            verdict = .unknown
            summary = "too short a run to judge leaks: no node has \(seconds(minSpan.nanoseconds))s of samples "
                + "after the \(seconds(warmUp.nanoseconds))s warm-up in one process life; run longer"
        } else {
            verdict = noisy ? .unknown : .valid
            summary = "RSS growth at most \(megabytes(metrics["rssGrowthMaxPerHour"] ?? 0))/h on "
                + "\(judged.joined(separator: ", "))" + (tooShort.isEmpty ? "" : "; too short to judge "
                + tooShort.joined(separator: ", ")) + (noisy ? "; some growth too noisy to judge" : "")
        }
        if !excused.isEmpty { summary += "; not leaks: " + excused.joined(separator: "; ") }
        return CheckResult(name: name, verdict: verdict, summary: summary, findings: findings, metrics: metrics)
    }

    /// The samples of the node's longest-lived process (a restart starts RSS over), after the warm-up.
    static func longestLife(_ samples: [Sample], warmUp: Int64) -> [Sample]? {
        var lives: [[Sample]] = []
        for sample in samples {
            if let pid = lives.last?.last?.pid, pid == sample.pid {
                lives[lives.count - 1].append(sample)
            } else {
                lives.append([sample])
            }
        }
        let trimmed = lives.map { life in life.filter { $0.time >= life[0].time + warmUp } }
        return trimmed.max { span($0) < span($1) }
    }

    private static func span(_ samples: [Sample]) -> Int64 {
        guard let first = samples.first, let last = samples.last else { return -1 }
        return last.time - first.time
    }
}

private func hours(_ nanoseconds: Int64) -> Double { Double(nanoseconds) / 3.6e12 }

private func megabytes(_ bytes: Double) -> String { String(format: "%.1f MB", bytes / 1e6) }

private func bytes(_ value: Double) -> String {
    value >= 1000 ? String(format: "%.1f kB", value / 1000) : String(format: "%.0f B", value)
}

private func count(_ value: Double) -> String { String(format: "%.1f", value) }

private func minutes(_ hours: Double) -> String {
    let totalSeconds = Int((hours * 3600).rounded())
    return totalSeconds >= 60 ? "\(totalSeconds / 60)m\(totalSeconds % 60)s" : "\(totalSeconds)s"
}
