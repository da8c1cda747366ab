import ChaosHistory

/// Judges progress after the faults end: after the last heal the cluster must commit again within
/// `recoverWithin`, and every operation invoked after that deadline must complete (not time out, not hang).
public struct LivenessChecker: Checker {
    public var recoverWithin: Duration
    /// The clients' per-operation deadline: an operation that failed only once it had run this long was given
    /// up on (a read that timed out is recorded as `fail`, since it changed nothing), so it never completed.
    /// nil = only `info` and unfinished operations count as stuck.
    public var opTimeout: Duration?

    public init(recoverWithin: Duration = .seconds(10), opTimeout: Duration? = nil) {
        self.recoverWithin = recoverWithin
        self.opTimeout = opTimeout
    }

    public var name: CheckName { .liveness }

    public func check(_ input: CheckInput) async -> CheckResult {
        let limit = recoverWithin.nanoseconds
        let windows = FaultWindow.windows(from: input.events)
        if let unhealed = windows.first(where: { $0.end == nil }) {
            return CheckResult(name: name, verdict: .unknown, summary: "\(unhealed.fault) injected at "
                + "\(seconds(unhealed.start))s on \(unhealed.targets.joined(separator: ", ")) was never healed, "
                + "so recovery cannot be judged")
        }
        let healedAt = windows.compactMap(\.end).max() ?? 0
        let deadline = healedAt + limit
        // One pass over the history: its end, the first ok operation after the heal, the stuck operations.
        var lastTime: Int64?
        var firstOk: Operation?
        var stuckOps = StuckOperations(after: deadline, givenUpAfter: opTimeout?.nanoseconds)
        do throws(HistoryError) {
            try input.history.forEach { op in
                lastTime = op.time
                if firstOk == nil && op.type == .ok && op.time > healedAt { firstOk = op }
                stuckOps.add(op)
            }
        } catch {
            return CheckResult(name: name, verdict: .unknown, summary: "cannot read the history: \(error)")
        }
        let end = max(Int64(input.duration * 1e9), input.samples.map(\.time).max() ?? 0, lastTime ?? 0)
        let recovery = Recovery(input: input, after: healedAt, firstOk: firstOk)
        let stuck = stuckOps.finish(runEnd: end, settle: limit)
        var findings: [Finding] = []
        var metrics: [String: Double] = ["lastHealSeconds": Double(healedAt) / 1e9]
        let from = healedAt == 0 ? "the start" : "the last heal at \(seconds(healedAt))s"
        if let at = recovery.time {
            metrics["recoverySeconds"] = Double(at - healedAt) / 1e9
            if at > deadline {
                findings.append(Finding("the cluster first made progress \(seconds(at - healedAt))s after \(from) "
                    + "(limit \(seconds(limit))s): \(recovery.evidence)", time: Double(healedAt) / 1e9,
                    until: Double(at) / 1e9))
            }
        } else if end < deadline {
            return CheckResult(name: name, verdict: .unknown, summary: "the run ended \(seconds(end - healedAt))s "
                + "after \(from), before recover_within (\(seconds(limit))s) was up; run longer", metrics: metrics)
        } else {
            findings.append(Finding("no progress in the \(seconds(end - healedAt))s after \(from) "
                + "(limit \(seconds(limit))s): the commit index stayed at \(recovery.commitAtStart) and no "
                + "operation succeeded", time: Double(healedAt) / 1e9, until: Double(end) / 1e9))
        }
        metrics["stuckOps"] = Double(stuck.count)
        if stuck.count > 0 {
            findings.append(Finding("\(stuck.count) operation\(stuck.count == 1 ? "" : "s") invoked after "
                + "\(seconds(deadline))s (\(from) + recover_within) never completed",
                time: Double(deadline) / 1e9, details: stuck.lines))
        }
        let summary = findings.isEmpty
            ? "progress \(metrics["recoverySeconds"].map { String(format: "%.1f", $0) } ?? "?")s after \(from); "
                + "every operation invoked after \(seconds(deadline))s completed"
            : findings[0].message
        return CheckResult(name: name, verdict: findings.isEmpty ? .valid : .invalid, summary: summary,
                           findings: findings, metrics: metrics)
    }
}

/// The first sign of progress after a time: a commit index above the one reached by then, or an ok operation.
struct Recovery {
    var time: Int64?
    var evidence: String
    var commitAtStart: Int64

    /// - Parameter firstOk: the first operation completed `ok` after `start`.
    init(input: CheckInput, after start: Int64, firstOk: Operation?) {
        var commit: Int64 = 0
        var firstCommit: (time: Int64, index: Int64)?
        for sample in input.samples.sorted(by: { $0.time < $1.time }) where sample.answered {
            guard let index = sample.commitIndex else { continue }
            if sample.time <= start {
                commit = max(commit, index)
            } else if index > commit, firstCommit == nil {
                firstCommit = (sample.time, index)
            }
        }
        commitAtStart = commit
        if let o = firstOk, firstCommit.map({ o.time < $0.time }) ?? true {
            time = o.time
            evidence = "first ok operation (\(o.f), process \(o.process)) at \(seconds(o.time))s"
        } else if let c = firstCommit {
            time = c.time
            evidence = "commit index rose from \(commit) to \(c.index) at \(seconds(c.time))s"
        } else {
            time = nil
            evidence = "none"
        }
    }
}

/// Operations invoked after a deadline that ended indeterminate (`info`), failed only when the client gave up,
/// or never ended: fed one operation at a time, holding the open call per process and the first lines.
struct StuckOperations {
    /// Lines kept for the finding; the rest are only counted.
    static let shown = 20

    let deadline: Int64
    /// A `fail` this long after its invocation is a client timeout; nil = never counts.
    let givenUpAfter: Int64?
    private var open: [Int: Operation] = [:]
    private var count = 0
    private var lines: [String] = []

    init(after deadline: Int64, givenUpAfter: Int64? = nil) {
        self.deadline = deadline
        self.givenUpAfter = givenUpAfter
    }

    private mutating func record(_ line: @autoclosure () -> String) {
        count += 1
        if lines.count < Self.shown { lines.append(line()) }
    }

    mutating func add(_ op: Operation) {
        if op.type == .invoke {
            open[op.process] = op
            return
        }
        guard let invoke = open.removeValue(forKey: op.process), invoke.time > deadline else { return }
        let gaveUp = op.type == .fail && givenUpAfter.map { op.time - invoke.time >= $0 } == true
        guard op.type == .info || gaveUp else { return }
        record(Self.describe(invoke) + ": \(op.type) after \(seconds(op.time - invoke.time))s"
            + (op.error.map { " (\($0))" } ?? ""))
    }

    /// - Parameter settle: an op still open at the end is stuck only if invoked at least this long before it.
    /// - Returns: how many are stuck and the lines of the first ones (then `… and N more`).
    func finish(runEnd: Int64, settle: Int64) -> (count: Int, lines: [String]) {
        var stuck = self
        for invoke in open.values.sorted(by: { $0.time < $1.time })
        where invoke.time > deadline && invoke.time + settle <= runEnd {
            stuck.record(Self.describe(invoke) + ": never completed")
        }
        if stuck.count > stuck.lines.count { stuck.lines.append("… and \(stuck.count - stuck.lines.count) more") }
        return (stuck.count, stuck.lines)
    }

    private static func describe(_ op: Operation) -> String {
        "process \(op.process) \(op.f) \(EDNWriter.text(op.value)) invoked at \(seconds(op.time))s"
            + (op.node.map { " on \($0)" } ?? "")
    }
}
