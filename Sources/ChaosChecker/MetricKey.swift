/// The names of the figures checkers put in `CheckResult.metrics` that other code reads back (the report's
/// tiles, `chaos lag`), defined once so writer and readers cannot drift apart.
public enum MetricKey: String, Sendable, CaseIterable {
    // stats
    case okPerSecond
    case latencyP50Ms
    case latencyP99Ms
    case latencyMaxMs
    // lag
    case lagMaxEntries
    case lagP99Entries
    case behindMaxSeconds
    case behindP99Seconds
    case stalls
    case catchUpMaxSeconds
}

extension CheckResult {
    /// The figure named `key`, if the checker reported it.
    public subscript(_ key: MetricKey) -> Double? {
        get { metrics[key.rawValue] }
        set { metrics[key.rawValue] = newValue }
    }
}

extension Dictionary where Key == String, Value == Double {
    /// The figure named `key`.
    public subscript(_ key: MetricKey) -> Double? {
        get { self[key.rawValue] }
        set { self[key.rawValue] = newValue }
    }
}
