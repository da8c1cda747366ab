/// How one resource of one node's process life grew, and whether that growth is a leak.
///
/// Growth above the limit is a leak only if it outlives the work: a clean node's memory follows its work (log
/// entries held until a snapshot, a state machine that keeps what it applied, buffers and allocator arenas
/// warming up) and levels off, while a leak keeps growing. So three things must hold:
/// - the slope over the whole life (after the warm-up) is above the limit, with a good fit;
/// - the slope over the last half of the life (`tailFraction`) is still above the limit: growth that levelled
///   off was a warm-up or a log filling up to its snapshot, not a leak. Half rather than a third: a leak on a
///   retry path grows in steps (one per heal), and a short tail can fall between two steps;
/// - for RSS, when the node reports its commit index, the growth per committed entry is above what holding an
///   entry can cost (`maxPerEntry`): memory that grows a few hundred bytes per entry the cluster commits is the
///   log and the state machine, while a leaked buffer per entry (braft's refcount leak) costs kilobytes.
struct Growth {
    enum Call: Equatable {
        /// Not above the limit.
        case withinLimit
        /// Above the limit over the whole life, but not over its last part.
        case levelledOff
        /// Above the limit, but no more per committed entry than holding the entries costs.
        case followsWork
        /// Above the limit with a poor fit: a burst or a step, not a steady leak.
        case noisy
        /// Above the limit, steadily, to the end, beyond what the work explains.
        case leak
    }

    var whole: TheilSen
    var tail: TheilSen?
    /// Growth per committed entry (units per entry), when the commit index moved.
    var perEntry: Double?
    var call: Call

    /// - Parameters:
    ///   - points: (hours since the run's start, value) of one process life, after the warm-up, in time order.
    ///   - commits: (hours, commit index) of the same samples, for RSS; empty for resources not tied to entries.
    ///   - limit: growth per hour above which the resource may leak; nil = report only.
    ///   - maxPerEntry: growth per committed entry that the work explains; nil = no such excuse.
    /// - Returns: nil when there are too few points to fit.
    static func judge(points: [(Double, Double)], commits: [(Double, Double)], limit: Double?, maxPerEntry: Double?,
                      minFit: Double, tailFraction: Double = 1.0 / 2, minCommits: Double = 200) -> Growth? {
        guard let whole = TheilSen.fit(xs: points.map(\.0), ys: points.map(\.1)),
              let first = points.first?.0, let last = points.last?.0
        else { return nil }
        var growth = Growth(whole: whole, call: .withinLimit)
        let tailStart = last - (last - first) * tailFraction
        let tailPoints = points.filter { $0.0 >= tailStart }
        growth.tail = TheilSen.fit(xs: tailPoints.map(\.0), ys: tailPoints.map(\.1))
        if let commitFit = TheilSen.fit(xs: commits.map(\.0), ys: commits.map(\.1)),
           let firstCommit = commits.first?.1, let lastCommit = commits.last?.1,
           lastCommit - firstCommit >= minCommits, commitFit.slope > 0 {
            growth.perEntry = whole.slope / commitFit.slope
        }
        guard let limit, whole.slope > limit else { return growth }
        if let tail = growth.tail, tail.slope <= limit {
            growth.call = .levelledOff
        } else if let perEntry = growth.perEntry, let maxPerEntry, perEntry <= maxPerEntry {
            growth.call = .followsWork
        } else if whole.r2 < minFit {
            growth.call = .noisy
        } else {
            growth.call = .leak
        }
        return growth
    }
}
