import ChaosChecker

/// Renders `lag.csv`: every node at every sample, how far behind the cluster's commit index it was, for
/// spreadsheets and nightly trend scripts.
public enum LagCSV {
    public static let header = "time_s,node,leader,answered,index,cluster_commit,lag_entries,behind_s"

    public static func render(_ analysis: LagAnalysis) -> String {
        var rows: [(Int64, String)] = []
        for node in analysis.nodes {
            for p in analysis.points[node] ?? [] {
                let behind = p.behindNanos == 0 ? "0" : fixed(p.behindNanos, decimals: 3)
                rows.append((p.time, "\(fixed(p.time, decimals: 3)),\(node),\(p.isLeader ? 1 : 0),"
                    + "\(p.answered ? 1 : 0),\(p.index),\(p.clusterCommit),\(p.lag),\(behind)"))
            }
        }
        rows.sort { $0.0 < $1.0 }
        var out = header + "\n"
        out.reserveCapacity(rows.count * 48)
        for row in rows { out += row.1 + "\n" }
        return out
    }

    /// Nanoseconds as seconds with fixed decimals, without going through Double formatting (fast, exact).
    static func fixed(_ nanos: Int64, decimals: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<(9 - decimals) { scale *= 10 }
        let units = (nanos + (nanos >= 0 ? scale / 2 : -scale / 2)) / scale
        var unit: Int64 = 1
        for _ in 0..<decimals { unit *= 10 }
        let whole = units / unit, fraction = abs(units % unit)
        let digits = String(fraction)
        let sign = units < 0 && whole == 0 ? "-" : ""
        return sign + "\(whole)." + String(repeating: "0", count: decimals - digits.count) + digits
    }
}
