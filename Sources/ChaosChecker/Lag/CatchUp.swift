/// How long a node took, after a fault aimed at it was healed, to reach the index the cluster had committed
/// at the heal.
struct CatchUp: Sendable, Hashable {
    var node: String
    var fault: String
    var healedAt: Int64
    /// The cluster's commit index at the heal.
    var target: Int64
    /// Heal to the first sample at or above `target`; nil when it never got there.
    var nanos: Int64?
    /// The last sample considered (the end of the run, or the next fault aimed at the node).
    var observedUntil: Int64

    /// One measurement per healed window and target node; a catch-up cut short by the next fault aimed at the
    /// same node is left out (that fault explains it).
    static func measure(_ analysis: LagAnalysis, grace: Int64) -> [CatchUp] {
        var result: [CatchUp] = []
        for window in analysis.windows {
            guard let healedAt = window.end else { continue }
            let target = analysis.clusterCommit(at: healedAt)
            for node in window.targets {
                let next = analysis.windows.aimed(at: node).map(\.start).filter { $0 > healedAt }.min() ?? .max
                let points = (analysis.points[node] ?? []).filter { $0.time >= healedAt && $0.time < next }
                guard let last = points.last else { continue }
                let reached = points.first { $0.answered && $0.index >= target }
                if reached == nil && next != .max { continue }
                result.append(CatchUp(node: node, fault: window.fault, healedAt: healedAt, target: target,
                                      nanos: reached.map { $0.time - healedAt }, observedUntil: last.time))
            }
        }
        return result
    }
}
