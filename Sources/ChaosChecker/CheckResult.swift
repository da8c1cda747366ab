/// One thing a checker found, phrased for a person: `n3 stalled 12.3s–40.0s: ...`.
public struct Finding: Sendable, Hashable, Codable {
    public var message: String
    public var node: String?
    /// Seconds since the start of the run, when the finding is about a moment or window.
    public var time: Double?
    public var until: Double?
    /// Supporting lines (a quoted log line, the ops that could not be linearized...).
    public var details: [String]

    public init(_ message: String, node: String? = nil, time: Double? = nil, until: Double? = nil,
                details: [String] = []) {
        self.message = message
        self.node = node
        self.time = time
        self.until = until
        self.details = details
    }
}

/// What one checker concluded.
public struct CheckResult: Sendable, Hashable, Codable {
    public var name: String
    public var verdict: Verdict
    /// One line for summaries: `12034 ok, 3 fail, 17 info; 99.8% available`.
    public var summary: String
    public var findings: [Finding]
    public var metrics: [String: Double]
    /// The linearizability checker's failing partition, for report.html to draw; nil for other checks.
    public var timeline: CounterexampleTimeline?

    public init(name: String, verdict: Verdict, summary: String, findings: [Finding] = [],
                metrics: [String: Double] = [:]) {
        self.name = name
        self.verdict = verdict
        self.summary = summary
        self.findings = findings
        self.metrics = metrics
    }
}
