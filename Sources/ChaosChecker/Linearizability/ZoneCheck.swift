/// What one step does to a model whose states are unique tokens (a register whose written values are unique, a
/// key-value string built from unique puts and appends): the state it saw before acting, the state it created.
/// Both nil: the step tells the zone check nothing (it is left out, which only weakens the check).
struct TokenUse: Sendable, Equatable {
    var observes: Int64?
    var creates: Int64?

    static let none = TokenUse(observes: nil, creates: nil)
}

/// A polynomial proof of non-linearizability for histories whose states are unique tokens: Gibbons and Korach's
/// zones (1997), run before the search.
///
/// When every state can be produced by one step only, the state a read returns held over one contiguous stretch
/// of any linearization: from the step that created it through its last reader, with no other state-changing
/// step inside. So the creator and the readers of one state (a *cluster*) occupy an interval of real time that
/// includes its *zone*, from the earliest completion of its steps to the latest invocation, and two clusters'
/// intervals never overlap. Two zones that run forward (earliest completion before the latest invocation) and
/// intersect, or a backward zone (a cluster that can fit in an instant) that lies inside another's forward zone,
/// prove the partition is not linearizable, in O(n log n) however many clients overlap — the case where the
/// exact search explores every interleaving before the anomaly. The check only ever proves `invalid`; finding no
/// conflict proves nothing, and the exact search stays the judge of `valid`.
enum ZoneCheck {
    /// Why a partition is not linearizable: two clusters that cannot both hold, or a state nothing can produce.
    struct Conflict: Sendable {
        /// The cluster whose forward zone the other's meets (or the read of a state nothing produces).
        var outer: Side
        /// The cluster that cannot fit; nil for a state nothing produces.
        var inner: Side?
    }

    /// One cluster as a conflict names it: the steps that fix its zone.
    struct Side: Sendable {
        var state: Int64
        /// Whether some step read the state (else it is a state only its creator knows, not worth naming).
        var observed: Bool
        var creator: Int?
        /// The step completing first and the one invoked last: the zone runs from one to the other (-1: none, the
        /// initial state's zone starts before the history).
        var firstReturn: Int
        var lastInvoke: Int
        var forward: Bool

        /// The steps a person needs to see, creator first.
        var steps: [Int] {
            var out: [Int] = []
            for s in [creator, firstReturn, lastInvoke].compactMap({ $0 }) where s >= 0 && !out.contains(s) {
                out.append(s)
            }
            return out
        }
    }

    private struct Cluster {
        var state: Int64
        var created = false
        var creator: Int?
        var observed = false
        /// Earliest completion and latest invocation of its steps (history positions; -1 for the initial state),
        /// and the steps they belong to.
        var minReturn = Int.max
        var maxInvoke = Int.min
        var firstReturn = -1
        var lastInvoke = -1

        var forward: Bool { minReturn < maxInvoke }

        var side: Side {
            Side(state: state, observed: observed, creator: creator, firstReturn: firstReturn,
                 lastInvoke: lastInvoke, forward: forward)
        }
    }

    /// The first conflict found, or nil when the zones are consistent (which proves nothing).
    /// - Parameters:
    ///   - tokens: per step, what it observed and created.
    ///   - initial: the state before any step; it is created before the history begins.
    ///   - calls, returns: each step's invocation and completion positions (nil: open until the end).
    static func conflict(tokens: [TokenUse], initial: Int64, calls: [Int], returns: [Int?]) -> Conflict? {
        var index: [Int64: Int] = [initial: 0]
        var clusters = [Cluster(state: initial, created: true, minReturn: -1, maxInvoke: -1)]
        func cluster(_ state: Int64) -> Int {
            if let i = index[state] { return i }
            index[state] = clusters.count
            clusters.append(Cluster(state: state))
            return clusters.count - 1
        }
        for (s, use) in tokens.enumerated() {
            for state in [use.observes, use.creates].compactMap({ $0 }) {
                let c = cluster(state)
                if state == use.creates {
                    if clusters[c].created { return nil }  // two creators: the states are not unique
                    clusters[c].created = true
                    clusters[c].creator = s
                } else {
                    clusters[c].observed = true
                }
                if let r = returns[s], r < clusters[c].minReturn {
                    clusters[c].minReturn = r
                    clusters[c].firstReturn = s
                }
                if calls[s] > clusters[c].maxInvoke {
                    clusters[c].maxInvoke = calls[s]
                    clusters[c].lastInvoke = s
                }
            }
        }
        // A state read although no step can produce it.
        if let c = clusters.first(where: { !$0.created }) {
            return Conflict(outer: c.side, inner: nil)
        }
        // Forward zones must not intersect: sorted by start, each must begin after every earlier one ended.
        let forward = clusters.indices.filter { clusters[$0].forward }
            .sorted { clusters[$0].minReturn < clusters[$1].minReturn }
        var reach = -1  // the forward zone seen so far that ends last
        for f in forward {
            if reach >= 0, clusters[f].minReturn < clusters[reach].maxInvoke {
                return conflict(clusters[reach], clusters[f])
            }
            if reach < 0 || clusters[f].maxInvoke > clusters[reach].maxInvoke { reach = f }
        }
        // A backward zone must not lie inside a forward one: the forward zone starting last before it is the only
        // candidate (they are disjoint now).
        let starts = forward.map { clusters[$0].minReturn }
        for b in clusters.indices where !clusters[b].forward && clusters[b].maxInvoke > Int.min {
            let (from, to) = (clusters[b].maxInvoke, clusters[b].minReturn)
            var low = 0, high = starts.count  // first forward zone starting at or after `from`
            while low < high {
                let mid = (low + high) / 2
                if starts[mid] < from { low = mid + 1 } else { high = mid }
            }
            guard low > 0 else { continue }
            let f = clusters[forward[low - 1]]
            if to < f.maxInvoke { return conflict(f, clusters[b]) }
        }
        return nil
    }

    private static func conflict(_ outer: Cluster, _ inner: Cluster) -> Conflict {
        Conflict(outer: outer.side, inner: inner.side)
    }
}
