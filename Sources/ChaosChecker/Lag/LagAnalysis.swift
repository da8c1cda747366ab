import ChaosHistory

/// Where one node stood at one sample: its index, how far behind the cluster it was, in entries and in time.
public struct LagPoint: Sendable, Hashable {
    /// Nanoseconds since the start of the run.
    public var time: Int64
    /// The node's applied index (its commit index when the system gives no applied index), carried over from
    /// its last answer when it did not answer.
    public var index: Int64
    /// The cluster's commit index then.
    public var clusterCommit: Int64
    /// Entries the cluster had committed that the node had not applied.
    public var lag: Int64
    /// How long ago the cluster committed the first entry the node lacks; 0 when it is not behind.
    public var behindNanos: Int64
    public var answered: Bool
    public var isLeader: Bool
}

/// Lag per node over a run, from samples: the cluster's commit index (the highest any node reported so far)
/// against each node's applied index.
public struct LagAnalysis: Sendable {
    public var nodes: [String]
    /// Each node's points in time order.
    public var points: [String: [LagPoint]]
    /// The times the cluster's commit index rose, with the new index; ascending in both.
    public var commitSteps: [(time: Int64, index: Int64)]
    public var windows: [FaultWindow]
    /// True when some sample carried an applied index (rather than only a commit index).
    public var hasAppliedIndex: Bool

    /// - Parameter nodes: the run's nodes, so nodes that never answered still get a (flat) series.
    public init(samples: [Sample], events: [NemesisEvent], nodes: [String] = []) {
        let ordered = samples.sorted { $0.time < $1.time }
        var names = nodes
        for sample in ordered where !names.contains(sample.node) { names.append(sample.node) }
        var points: [String: [LagPoint]] = [:]
        var steps: [(time: Int64, index: Int64)] = []
        var lastIndex: [String: Int64] = [:]
        var cluster: Int64 = 0
        var applied = false
        for sample in ordered {
            if sample.answered, let commit = sample.commitIndex, commit > cluster {
                cluster = commit
                steps.append((sample.time, commit))
            }
            if sample.answered, let index = sample.appliedIndex ?? sample.commitIndex {
                lastIndex[sample.node] = index
                if sample.appliedIndex != nil { applied = true }
            }
            guard let index = lastIndex[sample.node] else { continue }  // nothing known about it yet
            let lag = max(0, cluster - index)
            var behind: Int64 = 0
            if lag > 0, let first = Self.firstStep(in: steps, above: index) { behind = sample.time - first }
            points[sample.node, default: []].append(LagPoint(
                time: sample.time, index: index, clusterCommit: cluster, lag: lag, behindNanos: behind,
                answered: sample.answered, isLeader: sample.answered && sample.role == "leader"))
        }
        self.nodes = names
        self.points = points
        self.commitSteps = steps
        self.windows = FaultWindow.lagWindows(from: events)
        self.hasAppliedIndex = applied
    }

    /// The cluster's commit index at `time` (0 before any sample reported one).
    public func clusterCommit(at time: Int64) -> Int64 {
        var low = 0, high = commitSteps.count
        while low < high {
            let mid = (low + high) / 2
            if commitSteps[mid].time <= time { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? 0 : commitSteps[low - 1].index
    }

    /// The time of the first step whose index is above `index`.
    static func firstStep(in steps: [(time: Int64, index: Int64)], above index: Int64) -> Int64? {
        var low = 0, high = steps.count
        while low < high {
            let mid = (low + high) / 2
            if steps[mid].index <= index { low = mid + 1 } else { high = mid }
        }
        return low < steps.count ? steps[low].time : nil
    }

    /// The followers' answered points (not the leader's: it is never behind itself).
    public var followerPoints: [LagPoint] {
        nodes.flatMap { points[$0] ?? [] }.filter { $0.answered && !$0.isLeader }
    }
}
