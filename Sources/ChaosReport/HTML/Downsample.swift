/// Keeps long series small without hiding spikes: each bucket of x keeps its lowest and highest point.
enum Downsample {
    /// - Parameter limit: the most points to return (about; two per bucket).
    static func minMax(_ points: [(x: Double, y: Double)], limit: Int) -> [(x: Double, y: Double)] {
        guard points.count > limit, limit >= 4, let first = points.first, let last = points.last else { return points }
        let buckets = limit / 2
        let width = (last.x - first.x) / Double(buckets)
        guard width > 0 else { return Array(points.prefix(limit)) }
        var result: [(x: Double, y: Double)] = []
        result.reserveCapacity(limit + 2)
        var i = 0
        for bucket in 0..<buckets {
            let end = bucket == buckets - 1 ? Double.infinity : first.x + Double(bucket + 1) * width
            var low: (x: Double, y: Double)?
            var high: (x: Double, y: Double)?
            while i < points.count, points[i].x < end {
                let p = points[i]
                if low == nil || p.y < low!.y { low = p }
                if high == nil || p.y > high!.y { high = p }
                i += 1
            }
            guard let low, let high else { continue }
            if low.x <= high.x {
                result.append(low)
                if high.x != low.x || high.y != low.y { result.append(high) }
            } else {
                result.append(high)
                result.append(low)
            }
        }
        return result
    }
}
