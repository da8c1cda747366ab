/// Something the committed log and the history disagree on (or the log on itself): each is a violation of its
/// own, located in the log file (`line`) or in the history (`operation`, `time`).
public struct LogFinding: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        /// A read returned a value no committed entry holds.
        case uncommittedRead = "served-uncommitted-write"
        /// An acknowledged write (or successful CAS) reached no committed entry, or the log says it did not apply.
        case lostWrite = "lost-acknowledged-write"
        /// A write the client was told definitely failed is in the committed log.
        case failedWriteCommitted = "failed-write-committed"
        /// Two replicas served different entries at one committed index.
        case replicasDisagree = "replicas-disagree"
        /// A committed entry holds a value no client wrote to that key.
        case unknownValue = "value-no-client-wrote"
    }

    public var kind: Kind
    public var message: String
    /// 1-based line of `log.jsonl` the finding is about.
    public var line: Int?
    /// Position of the history operation (its invocation) the finding is about.
    public var operation: Int?
    /// When that operation ran, in nanoseconds.
    public var time: Int64?

    public init(_ kind: Kind, _ message: String, line: Int? = nil, operation: Int? = nil, time: Int64? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.operation = operation
        self.time = time
    }
}

/// What the committed log did for one check: the indeterminate operations it resolved and what it found.
public struct LogPatchSummary: Sendable, Hashable {
    /// Distinct committed indexes in the log.
    public var entries = 0
    /// Whether the log had no hole (compaction outran the follower); without it nothing is dropped.
    public var complete = true
    /// Indeterminate (`info`) writes and CASes in the history.
    public var indeterminate = 0
    /// Of those, the ones whose value is committed and took effect: they must be linearized, in log order.
    public var tookEffect = 0
    /// Of those, the ones the log shows never took effect: dropped before the search.
    public var neverTookEffect = 0
    /// Writes (ok or resolved) whose order the log fixes for the search.
    public var ordered = 0
    public var findings: [LogFinding] = []

    public init() {}

    public var resolved: Int { tookEffect + neverTookEffect }

    /// This batch's summary and another's of the same log (a history checked a batch of keys at a time).
    func merged(_ other: LogPatchSummary) -> LogPatchSummary {
        var sum = self
        sum.indeterminate += other.indeterminate
        sum.tookEffect += other.tookEffect
        sum.neverTookEffect += other.neverTookEffect
        sum.ordered += other.ordered
        sum.findings += other.findings
        sum.findings.sort { ($0.line ?? .max, $0.operation ?? .max) < ($1.line ?? .max, $1.operation ?? .max) }
        return sum
    }

    /// `log: 812 entries; 230 of 241 indeterminate writes resolved (198 took effect, 32 never did)`.
    public var summary: String {
        "log: \(entries) entries\(complete ? "" : " (with holes)"); \(resolved) of \(indeterminate) indeterminate "
            + "writes resolved (\(tookEffect) took effect, \(neverTookEffect) never did)"
            + (findings.isEmpty ? "" : "; \(findings.count) finding\(findings.count == 1 ? "" : "s")")
    }
}
