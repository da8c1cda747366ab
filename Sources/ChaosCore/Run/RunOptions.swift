/// What `chaos run` was asked to do.
public struct RunOptions: Sendable {
    public var planPath: String
    /// Where run directories go (`runs/<plan>/<timestamp>/`).
    public var outputRoot: String
    /// Overrides the plan's seed.
    public var seed: UInt64?
    /// Overrides the plan's duration.
    public var duration: Duration?
    /// No progress output.
    public var quiet: Bool
    /// Print `results.json` on stdout instead of the human summary.
    public var json: Bool

    public init(planPath: String, outputRoot: String = "runs", seed: UInt64? = nil, duration: Duration? = nil,
                quiet: Bool = false, json: Bool = false) {
        self.planPath = planPath
        self.outputRoot = outputRoot
        self.seed = seed
        self.duration = duration
        self.quiet = quiet
        self.json = json
    }
}
