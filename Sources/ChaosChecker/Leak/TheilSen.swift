/// A Theil–Sen line fit: the slope is the median of the slopes between pairs of points, so a few outliers
/// (a GC, a snapshot, a burst) do not move it the way they move least squares.
public struct TheilSen: Sendable, Hashable {
    public var slope: Double
    public var intercept: Double
    /// R² of the fitted line on the (bucketed) points: 1 for a perfect line, ≤ 0 for no linear trend.
    public var r2: Double
    /// Points the fit was made on, after bucketing.
    public var points: Int

    /// Fits `ys` against `xs`. Long series are first reduced to at most `buckets` bucket medians, which keeps
    /// the pairwise step at O(buckets²) for an hour of samples.
    ///
    /// - Returns: nil with fewer than 3 points or when every x is the same.
    public static func fit(xs: [Double], ys: [Double], buckets: Int = 200) -> TheilSen? {
        guard xs.count == ys.count, xs.count >= 3 else { return nil }
        var (x, y) = (xs, ys)
        if xs.count > buckets {
            x = []
            y = []
            let size = Double(xs.count) / Double(buckets)
            for bucket in 0..<buckets {
                let range = Int(Double(bucket) * size)..<min(xs.count, Int(Double(bucket + 1) * size))
                guard !range.isEmpty else { continue }
                x.append(median(Array(xs[range])))
                y.append(median(Array(ys[range])))
            }
        }
        var slopes: [Double] = []
        slopes.reserveCapacity(x.count * (x.count - 1) / 2)
        for i in 0..<x.count {
            for j in (i + 1)..<x.count where x[j] != x[i] {
                slopes.append((y[j] - y[i]) / (x[j] - x[i]))
            }
        }
        guard !slopes.isEmpty else { return nil }
        let slope = median(slopes)
        let intercept = median(zip(x, y).map { $0.1 - slope * $0.0 })
        let mean = y.reduce(0, +) / Double(y.count)
        let total = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let residual = zip(x, y).reduce(0) { sum, p in
            let e = p.1 - (intercept + slope * p.0)
            return sum + e * e
        }
        let r2 = total == 0 ? (residual == 0 ? 1 : 0) : 1 - residual / total
        return TheilSen(slope: slope, intercept: intercept, r2: r2, points: x.count)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }
}
