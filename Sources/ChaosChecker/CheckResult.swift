/// One thing a checker found, phrased for a person: `n3 stalled 12.3s–40.0s: ...`.
public struct Finding: Sendable, Hashable, Codable {
    public var message: String
    public var node: String?
    /// Seconds since the start of the run, when the finding is about a moment or window.
    public var time: Double?
    public var until: Double?
    /// Supporting lines (a quoted log line, the ops that could not be linearized...).
    public var details: [String]
    /// What sort of finding it is, where a reader (the report, a test) needs to tell findings apart.
    public var kind: Kind?

    /// The sorts of findings readers select by; a finding no reader selects has none.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The linearizability checker's failing partition.
        case counterexample
        /// What the committed log (`log.jsonl`) contradicts: a lost acknowledged write, a read of a value never
        /// committed, replicas that disagree…
        case committedLog = "committed-log"
        /// A resource that grows steadily beyond its limit to the end of the run.
        case leak
        /// Growth beyond the limit that fits too loosely to call a leak (the verdict is then `unknown`).
        case noisyGrowth = "noisy-growth"
    }

    public init(_ message: String, node: String? = nil, time: Double? = nil, until: Double? = nil,
                details: [String] = [], kind: Kind? = nil) {
        self.kind = kind
        self.message = message
        self.node = node
        self.time = time
        self.until = until
        self.details = details
    }
}

/// What one checker concluded.
public struct CheckResult: Sendable, Hashable, Codable {
    public var name: CheckName
    public var verdict: Verdict
    /// One line for summaries: `12034 ok, 3 fail, 17 info; 99.8% available`.
    public var summary: String
    public var findings: [Finding]
    public var metrics: [String: Double]
    /// The linearizability checker's failing partition, for report.html to draw; nil for other checks.
    public var timeline: CounterexampleTimeline?

    public init(name: CheckName, verdict: Verdict, summary: String, findings: [Finding] = [],
                metrics: [String: Double] = [:]) {
        self.name = name
        self.verdict = verdict
        self.summary = summary
        self.findings = findings
        self.metrics = metrics
    }
}
