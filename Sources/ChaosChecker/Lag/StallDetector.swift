/// A window in which a follower's index stood still while the cluster committed past it.
public struct Stall: Sendable, Hashable {
    public var node: String
    /// When the node was first behind while holding `index` (ns since the start of the run).
    public var start: Int64
    /// The last sample at which it still held `index` (or was excused from then on).
    public var end: Int64
    /// The first sample at which the stall had lasted `stall_after`.
    public var detectedAt: Int64
    public var index: Int64
    /// The highest commit index the cluster reached during the stall.
    public var clusterCommit: Int64
    /// True when the node still held the index at the last sample.
    public var untilEnd: Bool
}

/// Finds stalls in one node's lag points: behind, index unchanged for `stallAfter` while the cluster commits,
/// outside the windows of faults aimed at the node (plus `grace` after each heal).
///
/// A stall is reported from the first sample at which it has lasted `stallAfter`, so with samples every
/// period `p` it is flagged no later than `stallAfter + p` after it starts.
struct StallDetector {
    var stallAfter: Int64
    var grace: Int64

    func stalls(of node: String, points: [LagPoint], windows: [FaultWindow]) -> [Stall] {
        let aimed = windows.aimed(at: node)
        var stalls: [Stall] = []
        var held: Int64?
        var behindSince: (time: Int64, cluster: Int64)?
        var open: Stall?
        for point in points {
            if point.answered, point.index != held {
                if var stall = open { stall.end = point.time; stall.untilEnd = false; stalls.append(stall) }
                open = nil
                held = point.index
                behindSince = nil
            }
            if aimed.contains(where: { $0.excuses(node, at: point.time, grace: grace) }) {
                if var stall = open { stall.end = point.time; stall.untilEnd = false; stalls.append(stall) }
                open = nil
                behindSince = nil
                continue
            }
            guard point.lag > 0 else { behindSince = nil; continue }
            let since = behindSince ?? (point.time, point.clusterCommit)
            behindSince = since
            if var stall = open {
                stall.end = point.time
                stall.clusterCommit = point.clusterCommit
                open = stall
            } else if point.time - since.time >= stallAfter, point.clusterCommit > since.cluster {
                open = Stall(node: node, start: since.time, end: point.time, detectedAt: point.time,
                             index: point.index, clusterCommit: point.clusterCommit, untilEnd: true)
            }
        }
        if let open { stalls.append(open) }
        return stalls
    }
}
