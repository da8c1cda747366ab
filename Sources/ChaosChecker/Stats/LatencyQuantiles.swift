import ChaosHistory

/// Exact nearest-rank quantiles of ok latencies in two streaming passes, holding a fixed histogram and the few
/// latencies that fall into the buckets holding the ranks asked for, never one latency per operation (a long
/// run has tens of millions).
///
/// The first pass counts latencies per bucket (64 buckets per power of two, so one bucket holds about 1.6 % of
/// the range around it); the second keeps only the latencies of the buckets holding the wanted ranks and picks
/// them out exactly, so the figures equal those of sorting every latency.
public struct LatencyQuantiles: Sendable {
    /// Buckets per power of two.
    private static let fine = 64
    private var counts = [Int](repeating: 0, count: 1 + 64 * fine)
    public private(set) var count = 0
    public private(set) var max: Int64 = .min

    public init() {}

    /// The bucket of `latency`; nondecreasing in it, so buckets keep the order of their latencies.
    public static func bucket(_ latency: Int64) -> Int {
        guard latency > 0 else { return 0 }
        let exponent = 63 - latency.leadingZeroBitCount
        let shift = exponent - 6
        let mantissa = Int(shift >= 0 ? (latency >> shift) & 63 : (latency << -shift) & 63)
        return 1 + exponent * fine + mantissa
    }

    public mutating func add(_ latency: Int64) {
        counts[Self.bucket(latency)] += 1
        count += 1
        max = Swift.max(max, latency)
    }

    /// The 0-based rank of the `q` quantile (nearest rank), as `quantile(_:_:)` picks it from sorted values.
    public func rank(_ q: Double) -> Int {
        min(count - 1, Swift.max(0, Int((q * Double(count)).rounded(.up)) - 1))
    }

    /// Where each rank lies: its bucket and its rank among that bucket's latencies.
    public func locate(_ ranks: [Int]) -> [(bucket: Int, within: Int)] {
        ranks.map { rank in
            var below = 0
            for (bucket, n) in counts.enumerated() {
                if rank < below + n { return (bucket, rank - below) }
                below += n
            }
            return (counts.count - 1, 0)
        }
    }

    /// The latencies at `ranks`, given a second pass that hands every latency again to its argument.
    public func values(at ranks: [Int], secondPass: ((Int64) -> Void) throws(HistoryError) -> Void)
        throws(HistoryError) -> [Int64] {
        let places = locate(ranks)
        let wanted = Set(places.map(\.bucket))
        var kept: [Int: [Int64]] = [:]
        try secondPass { latency in
            let bucket = Self.bucket(latency)
            if wanted.contains(bucket) { kept[bucket, default: []].append(latency) }
        }
        for bucket in wanted { kept[bucket]?.sort() }
        return places.map { kept[$0.bucket]?[$0.within] ?? 0 }
    }
}
