/// What chaos itself cost during a run's main phase (the controller, not the nodes): its resident memory at the
/// start, the highest sampled and at the end, its CPU time, and the process's peak once judged. A soak shows in
/// one line whether the controller grew with the run; `chaos run` prints it and results.json keeps it.
public struct ControllerFootprint: Sendable, Codable, Hashable {
    public var rssStartBytes: Int64
    public var rssPeakBytes: Int64
    public var rssEndBytes: Int64
    /// User + system CPU seconds of the controller process over the main phase.
    public var cpuSeconds: Double
    /// Client operations invoked over the main phase.
    public var operations: Int
    public var mainPhaseSeconds: Double
    /// The process's highest resident set so far once the checkers finished (the run and judging together).
    public var judgedPeakBytes: Int64?

    public init(rssStartBytes: Int64, rssPeakBytes: Int64, rssEndBytes: Int64, cpuSeconds: Double, operations: Int,
                mainPhaseSeconds: Double, judgedPeakBytes: Int64? = nil) {
        self.rssStartBytes = rssStartBytes
        self.rssPeakBytes = rssPeakBytes
        self.rssEndBytes = rssEndBytes
        self.cpuSeconds = cpuSeconds
        self.operations = operations
        self.mainPhaseSeconds = mainPhaseSeconds
        self.judgedPeakBytes = judgedPeakBytes
    }

    /// RSS growth over the main phase, extrapolated to an hour (bytes per hour).
    public var growthPerHour: Double {
        mainPhaseSeconds > 0 ? Double(rssEndBytes - rssStartBytes) * 3600 / mainPhaseSeconds : 0
    }

    /// `controller: RSS 38 → 52 MiB over the main phase (peak 55; +14.0 MiB, +14.0 MiB/h), 412 µs CPU per op
    /// (1800000 ops), 1020 MiB peak once judged`.
    public var line: String {
        func mib(_ bytes: Int64) -> String { "\(bytes >> 20)" }
        let perOp = operations > 0 ? String(format: "%.0f µs CPU per op", cpuSeconds * 1e6 / Double(operations))
            : String(format: "%.1f s CPU", cpuSeconds)
        // Per hour only for runs long enough that warm-up (buffers, connections) does not dominate the slope.
        let growth = String(format: "%+.1f MiB", Double(rssEndBytes - rssStartBytes) / Double(1 << 20))
            + (mainPhaseSeconds >= 600 ? String(format: ", %+.1f MiB/h", growthPerHour / Double(1 << 20)) : "")
        var text = "controller: RSS \(mib(rssStartBytes)) → \(mib(rssEndBytes)) MiB over the main phase (peak "
            + "\(mib(rssPeakBytes)); \(growth)), \(perOp) (\(operations) ops)"
        if let judgedPeakBytes { text += ", \(mib(judgedPeakBytes)) MiB peak once judged" }
        return text
    }
}
