import ChaosHistory

/// The failing partition as a timeline to draw (Porcupine's visualisation): one bar per operation from
/// invocation to completion, marked by what the search made of it. Bounded: only the operations around the
/// failure (the end of the longest linearizable prefix, the operation that could not be placed and everything
/// concurrent with it), so a 100k-operation history still gives a page that opens at once.
public struct CounterexampleTimeline: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        /// In the longest linearizable prefix.
        case linearized
        /// The operation whose completion forced a choice none of the candidates fit.
        case failed
        /// Concurrent with the failed one and also unplaceable next.
        case concurrent
        /// Not reached by the prefix and not among the candidates.
        case later
    }

    public struct Bar: Sendable, Hashable, Codable {
        public var process: Int
        public var start: Int64
        /// Nil: never completed (open to the end).
        public var end: Int64?
        /// `#17 p3 cas [1 2] → fail`.
        public var label: String
        public var role: Role
        /// Place in the linearization (1-based) for `linearized` bars.
        public var order: Int?
        /// Model state after this operation, for `linearized` bars.
        public var state: String?
    }

    /// The partition's key as text.
    public var key: String?
    public var partitionOperations: Int
    public var prefixLength: Int
    /// State after the whole prefix.
    public var state: String
    public var bars: [Bar]
    /// Operations of the partition left out of `bars` (far from the failure).
    public var omitted: Int
    /// Set when the zone check proved the failure without a search: why, in a sentence (`bars` then marks the
    /// operations it names as failed and concurrent, and no prefix).
    public var proof: String?
}

extension Counterexample {
    /// The operations around the failure, at most about `limit` of them: from the start of the last `tail`
    /// linearized operations through the end of the candidates (a window a person can read at a glance).
    public func timeline(limit: Int = 3000, tail: Int = 120) -> CounterexampleTimeline {
        var placed: [Int: (order: Int, state: String?)] = [:]  // history position → place in prefix
        for (k, op) in prefix.enumerated() {
            placed[op.position] = (k + 1, k < prefixStates.count ? prefixStates[k] : nil)
        }
        let failed = unplaced.first?.position
        let candidates = Set(unplaced.map(\.position))
        // The window: from the start of the last linearized operations through the end of the candidates.
        let tail = prefix.suffix(min(tail, limit))
        let lastTime = operations.map { $0.end ?? $0.start }.max() ?? 0
        let from = (tail.map(\.start) + unplaced.map(\.start)).min() ?? 0
        let through = unplaced.map { $0.end ?? lastTime }.max() ?? lastTime
        let all = operations.isEmpty ? prefix + unplaced : operations
        var shown = all.filter { op in
            candidates.contains(op.position) || (op.start <= through && (op.end ?? .max) >= from)
        }
        if shown.count > limit {
            // Keep the operations nearest the failure: the candidates and the latest of the rest.
            let rest = shown.filter { !candidates.contains($0.position) }.suffix(limit)
            let keep = Set(rest.map(\.position)).union(candidates)
            shown = shown.filter { keep.contains($0.position) }
        }
        let bars = shown.map { op -> CounterexampleTimeline.Bar in
            let role: CounterexampleTimeline.Role = op.position == failed ? .failed
                : candidates.contains(op.position) ? .concurrent : placed[op.position] != nil ? .linearized : .later
            return .init(process: op.process, start: op.start, end: op.end,
                         label: "#\(op.position) p\(op.process) \(op.f) \(EDNWriter.text(op.value)) → \(op.outcome)",
                         role: role, order: placed[op.position]?.order, state: placed[op.position]?.state)
        }
        let omitted = all.count - bars.count
        return CounterexampleTimeline(key: key.map(EDNWriter.text), partitionOperations: partitionOperations,
                                      prefixLength: prefix.count, state: state, bars: bars, omitted: omitted,
                                      proof: proof)
    }
}
