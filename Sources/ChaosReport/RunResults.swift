import ChaosChecker
import ChaosHistory

/// The machine-readable outcome of a run: `results.json` (schema 1).
public struct RunResults: Sendable, Codable {
    public var schema = 1
    public var plan: String
    public var seed: UInt64
    /// ISO 8601, UTC.
    public var startedAt: String
    public var durationSeconds: Double
    public var verdict: Verdict
    public var interrupted: Bool
    public var ops: OpCounts
    public var checks: [CheckResult]
    public var nodes: [String]
    /// Why the run could not be judged, when it could not (interrupted, cluster never came up...).
    public var note: String?
    /// What the controller itself cost during the run (nil for runs judged by `chaos analyze` or written before
    /// it was recorded).
    public var controller: ControllerFootprint?

    public init(plan: String, seed: UInt64, startedAt: String, durationSeconds: Double, verdict: Verdict,
                interrupted: Bool, ops: OpCounts, checks: [CheckResult], nodes: [String], note: String? = nil) {
        self.plan = plan
        self.seed = seed
        self.startedAt = startedAt
        self.durationSeconds = durationSeconds
        self.verdict = verdict
        self.interrupted = interrupted
        self.ops = ops
        self.checks = checks
        self.nodes = nodes
        self.note = note
    }
}

extension RunResults {
    /// The result of one checker, if it ran.
    public func check(_ name: CheckName) -> CheckResult? {
        checks.first { $0.name == name }
    }
}
