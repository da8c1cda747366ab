import ChaosHistory
import ChaosSupport
import Foundation

/// The in-run linearizability checker (`linearizable` in plans): judges `input.history` against a model.
public struct LinearizabilityChecker: Checker {
    public let name = CheckName.linearizable
    public let model: ModelName
    public let timeLimit: Duration
    public let memoryLimit: Int
    /// See `Linearizability.check(_:model:timeLimit:memoryLimit:registersStartAbsent:)`.
    public let registersStartAbsent: Bool

    public init(model: ModelName, timeLimit: Duration, memoryLimit: Int = Linearizability.defaultMemoryLimit,
                registersStartAbsent: Bool = false) {
        self.model = model
        self.timeLimit = timeLimit
        self.memoryLimit = memoryLimit
        self.registersStartAbsent = registersStartAbsent
    }

    /// Runs the search on its own thread: it blocks for up to `timeLimit` and must not hold a cooperative
    /// thread of the concurrency pool meanwhile.
    public func check(_ input: CheckInput) async -> CheckResult {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: judge(input)) }.start()
        }
    }

    /// The synchronous check behind `check(_:)`.
    public func judge(_ input: CheckInput) -> CheckResult {
        let report: LinearizabilityReport
        do {
            report = try Linearizability.check(input.history, model: model, timeLimit: timeLimit,
                                               memoryLimit: memoryLimit, registersStartAbsent: registersStartAbsent,
                                               log: input.committedLog)
        } catch {
            return CheckResult(name: name, verdict: .unknown, summary: "cannot check: \(error)",
                               findings: [Finding("history cannot be checked as \(model): \(error)")])
        }
        return Self.result(report, name: name)
    }

    /// The `CheckResult` form of a report: the counterexample as a finding, the search figures as metrics.
    public static func result(_ report: LinearizabilityReport, name: CheckName = .linearizable) -> CheckResult {
        var findings: [Finding] = []
        if let c = report.counterexample {
            let first = c.unplaced.first
            findings.append(Finding(
                c.proof.map { "not linearizable: \($0)" }
                    ?? "not linearizable: after \(c.prefix.count) operations (state \(c.state)) none of "
                    + "\(c.unplaced.count) concurrent operations can be linearized",
                time: first.map { Double($0.start) / 1e9 }, until: first?.end.map { Double($0) / 1e9 },
                details: c.lines(), kind: .counterexample))
        } else if let reason = report.reason {
            findings.append(Finding("linearizability unknown: \(reason)"))
        }
        let logFile = RunLayout.File.committedLog.rawValue
        for finding in report.log?.findings ?? [] {
            findings.append(Finding(finding.message, time: finding.time.map { Double($0) / 1e9 },
                                    details: finding.line.map { ["\(logFile) line \($0)"] } ?? [],
                                    kind: .committedLog))
        }
        let seconds = report.elapsed.seconds
        var result = CheckResult(
            name: name, verdict: report.verdict, summary: report.summary, findings: findings,
            metrics: ["ops": Double(report.operations), "partitions": Double(report.partitions),
                      "time": seconds, "states": Double(report.statesExplored)]
                .merging(report.log.map { ["indeterminate": Double($0.indeterminate),
                                           "resolved-by-log": Double($0.resolved)] } ?? [:]) { a, _ in a })
        result.timeline = report.counterexample?.timeline()
        return result
    }
}
