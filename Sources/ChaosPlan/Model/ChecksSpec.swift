/// Which checkers judge the run, with their settings. A checker that is nil is not run.
public struct ChecksSpec: Sendable, Hashable {
    public struct Stats: Sendable, Hashable {
        /// Below this fraction of ok completions the run is `invalid`; nil = report only.
        public var minAvailability: Double?
        public init(minAvailability: Double? = nil) { self.minAvailability = minAvailability }
    }

    public struct Crash: Sendable, Hashable {
        /// Regular expressions matched against every line of each node's stdout/stderr.
        public var patterns: [String]
        public init(patterns: [String] = Crash.defaultPatterns) { self.patterns = patterns }

        /// Panics and failed assertions of Rust, Go, C++ and Swift programs, and sanitizer reports.
        public static let defaultPatterns = [
            "panicked at", "^panic: ", "assertion failed", "Assertion .* failed", "Fatal error:",
            "SIGSEGV", "AddressSanitizer", "terminate called", "Segmentation fault",
        ]
    }

    public struct Linearizable: Sendable, Hashable {
        /// Model name: `register`, `cas-register`, `append-log`... nil = the workload's natural model.
        public var model: String?
        public var timeLimit: Duration
        public init(model: String? = nil, timeLimit: Duration = .seconds(60)) {
            self.model = model
            self.timeLimit = timeLimit
        }
    }

    public var stats: Stats?
    public var crash: Crash?
    public var linearizable: Linearizable?

    public init(stats: Stats? = Stats(), crash: Crash? = Crash(), linearizable: Linearizable? = nil) {
        self.stats = stats
        self.crash = crash
        self.linearizable = linearizable
    }
}
