import ChaosHistory
import ChaosSupport

/// The outcome of checking one history for linearizability.
public struct LinearizabilityReport: Sendable {
    public var verdict: Verdict
    public var model: ModelName
    /// Client operations (invocations) in the history.
    public var operations: Int
    public var partitions: Int
    /// Configurations the search cached, summed over partitions.
    public var statesExplored: Int
    public var elapsed: Duration
    /// The highest resident set the process held while searching (bytes, sampled every few milliseconds).
    public var peakMemory = 0
    /// Why the verdict is `unknown` (time or memory ran out).
    public var reason: String?
    /// Present when the verdict is `invalid`.
    public var counterexample: Counterexample?
    /// What the committed log resolved and found, when the check was given one.
    public var log: LogPatchSummary?

    /// One line: `invalid: 1 of 8 partitions not linearizable (key "k3")` and the like.
    public var summary: String {
        let seconds = String(format: "%.3f", elapsed.seconds)
        let base = "\(operations) ops, \(partitions) partition\(partitions == 1 ? "" : "s"), "
            + "\(statesExplored) states, \(seconds)s"
        let logPart = log.map { "; \($0.summary)" } ?? ""
        switch verdict {
        case .valid: return "linearizable (\(model)): \(base)\(logPart)"
        case .invalid:
            let key = counterexample?.key.map { " on key \(EDNWriter.text($0))" } ?? ""
            let what = counterexample == nil ? "the committed log contradicts the history" : "not linearizable"
            return "\(what) (\(model))\(key): \(base)\(logPart)"
        case .unknown: return "unknown (\(model)): \(reason ?? "search incomplete"); \(base)\(logPart)"
        }
    }
}

/// Where a history stops being linearizable, in its smallest failing partition.
public struct Counterexample: Sendable, Hashable {
    /// The partition's key (nil when the history has no keys).
    public var key: Value?
    /// Operations the model kept in that partition.
    public var partitionOperations: Int
    /// The longest linearizable prefix the search found, in linearization order.
    public var prefix: [OperationSummary]
    /// The model state after that prefix.
    public var state: String
    /// The operations that could be linearized next, none of which fits: the one whose completion forced the
    /// choice first, then the others concurrent with it.
    public var unplaced: [OperationSummary]
    /// Every operation of the partition the model kept, in history order (what the timeline draws).
    public var operations: [OperationSummary] = []
    /// The model state after each operation of `prefix`, as a person reads it.
    public var prefixStates: [String] = []
    /// Set when the zone check proved the partition not linearizable without a search (`prefix` is then empty
    /// and `unplaced` holds the operations the proof names): why, in a sentence.
    public var proof: String?

    /// A few lines for a terminal.
    public func lines(limit: Int = 8) -> [String] {
        var out: [String] = []
        if let key { out.append("key \(EDNWriter.text(key)): \(partitionOperations) operations") }
        if let proof {
            out.append("proof by zones: \(proof)")
            out.append("the operations it names:")
            for op in unplaced.prefix(limit) { out.append("  ✗ \(op)") }
            return out
        }
        out.append("longest linearizable prefix: \(prefix.count) operations, ending in state \(state)")
        for op in prefix.suffix(min(limit, 3)) { out.append("  … \(op)") }
        out.append("could not linearize any of these next:")
        for op in unplaced.prefix(limit) { out.append("  ✗ \(op)") }
        if unplaced.count > limit { out.append("  (and \(unplaced.count - limit) more)") }
        return out
    }
}

/// One operation as shown in a counterexample: `#17 p3 cas [1 2] → fail  t 1.20s–1.31s`.
public struct OperationSummary: Sendable, Hashable, CustomStringConvertible {
    /// Position of the invocation in the history.
    public var position: Int
    public var process: Int
    public var f: String
    public var value: Value
    /// `ok`, `fail` or `info` (never completed counts as `info`).
    public var outcome: String
    public var start: Int64
    /// Nil when the operation never completed.
    public var end: Int64?

    init(_ call: ModelCall) {
        position = call.position
        process = call.invoke.process
        f = call.f
        value = call.outcome == .ok ? call.observed : call.invoke.value
        outcome = call.completion?.type.rawValue ?? "info"
        start = call.invoke.time
        end = call.outcome == .unknown ? nil : call.completion?.time
    }

    public var description: String {
        let span = "\(Self.time(start))–\(end.map(Self.time) ?? "∞")"
        return "#\(position) p\(process) \(f) \(EDNWriter.text(value)) → \(outcome)  t \(span)"
    }

    /// Nanosecond times as seconds; small values (line numbers, op counters) as they are.
    static func time(_ t: Int64) -> String {
        t >= 1_000_000 ? String(format: "%.6fs", Double(t) / 1e9) : String(t)
    }
}
