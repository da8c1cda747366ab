import Yams

/// The settings of the checkers that judge the cluster's health rather than its answers: `lag`, `leak`,
/// `liveness` and `divergence`.
extension PlanDecoder {
    static let lagKeys = ["max_entries", "stall_after", "catch_up_within", "grace"]
    static let leakKeys = ["max_rss_growth", "max_fd_growth", "max_thread_growth", "warm_up",
                                  "max_rss_per_entry"]
    static let livenessKeys = ["recover_within"]
    static let divergenceKeys: [String] = []

    mutating func decodeLag(_ entry: Entry) -> ChecksSpec.Lag? {
        guard let fields = settings(entry, known: Self.lagKeys) else { return nil }
        var lag = ChecksSpec.Lag()
        var failed = false
        if let entry = fields["max_entries"] {
            if let count = integer(entry, in: 1...Int.max) { lag.maxEntries = Int64(count) } else { failed = true }
        }
        if let entry = fields["stall_after"] {
            if let value = duration(entry, allowZero: false) { lag.stallAfter = value } else { failed = true }
        }
        if let entry = fields["catch_up_within"] {
            if let value = duration(entry, allowZero: false) { lag.catchUpWithin = value } else { failed = true }
        }
        if let entry = fields["grace"] {
            if let value = duration(entry, allowZero: true) { lag.grace = value } else { failed = true }
        }
        return failed ? nil : lag
    }

    mutating func decodeLeak(_ entry: Entry) -> ChecksSpec.Leak? {
        guard let fields = settings(entry, known: Self.leakKeys) else { return nil }
        var leak = ChecksSpec.Leak()
        var failed = false
        if let entry = fields["max_rss_growth"] {
            if let bytes = sizeRate(entry) { leak.maxRSSGrowthPerHour = bytes } else { failed = true }
        }
        if let entry = fields["max_fd_growth"] {
            if let count = countRate(entry) { leak.maxFDGrowthPerHour = count } else { failed = true }
        }
        if let entry = fields["max_thread_growth"] {
            if let count = countRate(entry) { leak.maxThreadGrowthPerHour = count } else { failed = true }
        }
        if let entry = fields["warm_up"] {
            if let value = duration(entry, allowZero: true) { leak.warmUp = value } else { failed = true }
        }
        if let entry = fields["max_rss_per_entry"] {
            if let bytes = size(entry) { leak.maxRSSPerEntry = bytes } else { failed = true }
        }
        return failed ? nil : leak
    }

    mutating func decodeLiveness(_ entry: Entry) -> ChecksSpec.Liveness? {
        guard let fields = settings(entry, known: Self.livenessKeys) else { return nil }
        var liveness = ChecksSpec.Liveness()
        if let entry = fields["recover_within"] {
            guard let value = duration(entry, allowZero: false) else { return nil }
            liveness.recoverWithin = value
        }
        return liveness
    }

    mutating func decodeDivergence(_ entry: Entry) -> ChecksSpec.Divergence? {
        if let mapping = entry.value.mapping, let (key, _) = mapping.first {
            error("'divergence' takes no settings, got '\(key.string ?? describe(key))'; write 'divergence: {}'",
                  at: key)
            return nil
        }
        guard settings(entry, known: Self.divergenceKeys) != nil else { return nil }
        return ChecksSpec.Divergence()
    }

    /// A growth rate of a size, `20MB/h` or `5KiB/s`, in bytes per hour.
    mutating func sizeRate(_ entry: Entry) -> Int64? {
        guard let text = string(entry) else { return nil }
        if let (amount, period) = Self.splitRate(text), let bytes = Units.parseSize(amount) {
            return Int64((Double(bytes) * 3600 / period).rounded())
        }
        error("'\(entry.name)' must be a size per time such as 20MB/h or 512KiB/m, got '\(text)'", at: entry.value)
        return nil
    }

    /// A size, `4KB` or `0`, in bytes.
    mutating func size(_ entry: Entry) -> Int64? {
        guard let text = string(entry) else { return nil }
        if text == "0" { return 0 }
        if let bytes = Units.parseSize(text) { return bytes }
        error("'\(entry.name)' must be a size such as 4KB or 512B, got '\(text)'", at: entry.value)
        return nil
    }

    /// A growth rate of a count, `100/h` or `2/m`, per hour.
    mutating func countRate(_ entry: Entry) -> Double? {
        guard let text = string(entry) else { return nil }
        guard let perSecond = Units.parseRate(text) else {
            error("'\(entry.name)' must be a count per time such as 100/h or 2/m, got '\(text)'", at: entry.value)
            return nil
        }
        return perSecond * 3600
    }

    /// `20MB/h` → ("20MB", 3600): the amount and the length of the period in seconds.
    static func splitRate(_ text: String) -> (String, Double)? {
        let periods: [(suffix: String, seconds: Double)] = [("/s", 1), ("/m", 60), ("/h", 3600)]
        for (suffix, seconds) in periods where text.hasSuffix(suffix) {
            return (String(text.dropLast(suffix.count)), seconds)
        }
        return nil
    }
}
