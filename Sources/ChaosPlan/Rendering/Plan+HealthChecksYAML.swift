/// Rendering the `lag`, `leak`, `liveness` and `divergence` settings back to YAML.
extension Plan {
    func renderHealthChecks() -> [String] {
        var lines: [String] = []
        if let lag = checks.lag {
            var settings = ["stall_after: \(Units.format(lag.stallAfter))", "grace: \(Units.format(lag.grace))"]
            if let max = lag.maxEntries { settings.insert("max_entries: \(max)", at: 0) }
            if let within = lag.catchUpWithin { settings.append("catch_up_within: \(Units.format(within))") }
            lines.append("  lag: { \(settings.joined(separator: ", ")) }")
        }
        if let leak = checks.leak {
            var settings = ["max_rss_growth: \(leak.maxRSSGrowthPerHour)B/h", "warm_up: \(Units.format(leak.warmUp))"]
            if let perEntry = leak.maxRSSPerEntry { settings.append("max_rss_per_entry: \(perEntry)B") }
            if let fds = leak.maxFDGrowthPerHour { settings.append("max_fd_growth: \(Self.count(fds))/h") }
            if let threads = leak.maxThreadGrowthPerHour {
                settings.append("max_thread_growth: \(Self.count(threads))/h")
            }
            lines.append("  leak: { \(settings.joined(separator: ", ")) }")
        }
        if let liveness = checks.liveness {
            lines.append("  liveness: { recover_within: \(Units.format(liveness.recoverWithin)) }")
        }
        if checks.divergence != nil { lines.append("  divergence: {}") }
        return lines
    }

    /// A count per hour as the shortest text that reads back to the same value.
    private static func count(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
