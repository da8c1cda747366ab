import ChaosChecker

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
        public var model: ModelName?
        public var timeLimit: Duration
        /// Resident bytes the whole process may hold while searching; nil = half the machine, at most 8 GiB.
        public var memoryLimit: Int?
        public init(model: ModelName? = nil, timeLimit: Duration = .seconds(60), memoryLimit: Int? = nil) {
            self.model = model
            self.timeLimit = timeLimit
            self.memoryLimit = memoryLimit
        }
    }

    /// Followers that fall behind or stop catching up (`checks: { lag: {...} }`).
    public struct Lag: Sendable, Hashable {
        /// A follower further behind than this, outside the windows of faults aimed at it, is `invalid`;
        /// nil = report only.
        public var maxEntries: Int64?
        /// A follower whose index has not moved for this long while the cluster commits has stalled.
        public var stallAfter: Duration
        /// After a heal, the healed node must reach the cluster's commit index within this; nil = report only.
        public var catchUpWithin: Duration?
        /// How long after a heal a node is still excused (reconnecting, electing, restarting).
        public var grace: Duration

        public init(maxEntries: Int64? = nil, stallAfter: Duration = .seconds(5), catchUpWithin: Duration? = nil,
                    grace: Duration = .seconds(2)) {
            self.maxEntries = maxEntries
            self.stallAfter = stallAfter
            self.catchUpWithin = catchUpWithin
            self.grace = grace
        }
    }

    /// Memory, file descriptors or threads that grow steadily under steady load (`checks: { leak: {...} }`).
    public struct Leak: Sendable, Hashable {
        /// Bytes per hour of RSS growth above which the run is `invalid`.
        public var maxRSSGrowthPerHour: Int64
        /// Open descriptors per hour; nil = report only.
        public var maxFDGrowthPerHour: Double?
        /// Threads per hour; nil = report only.
        public var maxThreadGrowthPerHour: Double?
        /// Samples before this are not fitted: start-up allocations are not leaks.
        public var warmUp: Duration
        /// RSS growth per committed entry that the work explains (log and state machine holding entries);
        /// growth within it is not a leak. 0 judges the slope alone; nil = the system's default
        /// (`defaultMaxRSSPerEntry(for:)`).
        public var maxRSSPerEntry: Int64?

        public init(maxRSSGrowthPerHour: Int64 = 20_000_000, maxFDGrowthPerHour: Double? = nil,
                    maxThreadGrowthPerHour: Double? = nil, warmUp: Duration = .seconds(10),
                    maxRSSPerEntry: Int64? = nil) {
            self.maxRSSPerEntry = maxRSSPerEntry
            self.maxRSSGrowthPerHour = maxRSSGrowthPerHour
            self.maxFDGrowthPerHour = maxFDGrowthPerHour
            self.maxThreadGrowthPerHour = maxThreadGrowthPerHour
            self.warmUp = warmUp
        }

        /// What a clean node of `system` may grow per committed entry.
        ///
        /// 1 kB for raft-node and custom systems: a clean raft-node grows ~260 B per committed entry while its
        /// log and state machine fill (measured), while braft's refcount leak keeps a 2 KiB buffer per re-sent
        /// entry (2.2 kB per committed entry measured at 40 ops/s, far more at higher rates). 64 kB for etcd:
        /// Go's collector lets the heap grow to twice the live data before collecting and etcd keeps its Raft
        /// log in memory until a snapshot, so a clean etcd's first minute grew 2.3-29 kB per committed entry
        /// (measured at 24-92 entries/s; the slower the run, the more per entry, since that growth is the heap
        /// warming up). A short etcd run therefore finds only leaks of more than 64 kB per entry; a soak that
        /// should find smaller ones sets `max_rss_per_entry` after measuring its clean figure.
        public static func defaultMaxRSSPerEntry(for system: ClusterSpec.System) -> Int64 {
            system == .etcd ? 64_000 : 1000
        }
    }

    /// Progress after the last heal (`checks: { liveness: {...} }`).
    public struct Liveness: Sendable, Hashable {
        /// After the last heal the cluster must commit again within this.
        public var recoverWithin: Duration
        public init(recoverWithin: Duration = .seconds(10)) { self.recoverWithin = recoverWithin }
    }

    /// Replicas that disagree on committed entries, and acknowledged writes missing from the committed log.
    public struct Divergence: Sendable, Hashable {
        public init() {}
    }

    public var stats: Stats?
    public var crash: Crash?
    public var linearizable: Linearizable?
    public var lag: Lag?
    public var leak: Leak?
    public var liveness: Liveness?
    public var divergence: Divergence?

    public init(stats: Stats? = Stats(), crash: Crash? = Crash(), linearizable: Linearizable? = nil, lag: Lag? = nil,
                leak: Leak? = nil, liveness: Liveness? = nil, divergence: Divergence? = nil) {
        self.stats = stats
        self.crash = crash
        self.linearizable = linearizable
        self.lag = lag
        self.leak = leak
        self.liveness = liveness
        self.divergence = divergence
    }

    /// True when no checker is set.
    public var isEmpty: Bool {
        stats == nil && crash == nil && linearizable == nil && lag == nil && leak == nil && liveness == nil
            && divergence == nil
    }
}
