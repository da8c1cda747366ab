import Foundation

/// Tick positions and labels for chart axes.
enum Axis {
    /// About `count` round ticks (1, 2 or 5 × 10ⁿ apart) covering 0...max.
    static func ticks(upTo max: Double, count: Int = 5) -> [Double] {
        guard max > 0, max.isFinite else { return [0] }
        let raw = max / Double(count)
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return stride(from: 0, through: max + step * 0.001, by: step).map { $0 }
    }

    /// About `count` ticks on a time axis, at steps people read as round: 1 s, 5 s, 30 s, 1 m, 10 m, 1 h...
    static func timeTicks(upTo seconds: Double, count: Int = 8) -> [Double] {
        let steps: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400,
                               21600, 43200, 86400]
        guard seconds > 0, seconds.isFinite else { return [0] }
        let step = steps.first { seconds / $0 <= Double(count) } ?? seconds / Double(count)
        return stride(from: 0, through: seconds + step * 0.001, by: step).map { $0 }
    }

    /// The top of the y axis: the maximum rounded up to the next tick.
    static func top(for max: Double, count: Int = 5) -> Double {
        let ticks = ticks(upTo: max, count: count)
        guard let last = ticks.last else { return 1 }
        if last >= max, last > 0 { return last }
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        return last + step
    }

    /// Seconds as `45s`, `2m`, `1m30s`, `1h`.
    static func time(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return seconds < 10 && seconds != seconds.rounded() ? String(format: "%.1fs", seconds) : "\(s)s" }
        if s < 3600 { return s % 60 == 0 ? "\(s / 60)m" : "\(s / 60)m\(s % 60)s" }
        return s % 3600 == 0 ? "\(s / 3600)h" : "\(s / 3600)h\((s % 3600) / 60)m"
    }

    /// A compact number: `950`, `12k`, `1.5M`, `0.25`.
    static func number(_ value: Double) -> String {
        let a = abs(value)
        if a >= 1e9 { return trim(value / 1e9) + "G" }
        if a >= 1e6 { return trim(value / 1e6) + "M" }
        if a >= 1e4 { return trim(value / 1e3) + "k" }
        if a >= 100 || value == value.rounded() { return String(Int(value.rounded())) }
        return a >= 1 ? String(format: "%.1f", value) : String(format: "%.2f", value)
    }

    private static func trim(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
