/// What a `jitter` fault does to the target node's threads: any combination of random short freezes, confinement
/// to one CPU, lowered priority and a busy competitor on that CPU. Made to widen race windows: a thread stalled
/// between two steps that should have been atomic lets another thread run through the gap.
public struct SchedulingJitter: Sendable, Hashable {
    /// How lowered threads run.
    public enum Priority: Sendable, Hashable {
        /// `SCHED_IDLE`: runs only when nothing else on its CPU wants to.
        case idle
        /// `SCHED_OTHER` with this nice value (1–19).
        case nice(Int)
    }

    /// A regular expression on `/proc/PID/task/*/comm`: the threads that are frozen.
    public var threads: String
    /// Freezes per second (random instants, a Poisson process from the run's seed); 0 for none.
    public var freezeRate: Double
    /// Each freeze lasts a random time in this range.
    public var minPause: Duration
    public var maxPause: Duration
    /// Freeze only a thread that is running or runnable at the instant (state R), waiting up to 10 ms for one:
    /// aims the freezes at instants of the threads' execution rather than of wall time.
    public var runningOnly: Bool
    /// Confine every thread of the node to this CPU; nil leaves affinity alone.
    public var cpu: Int?
    /// A regular expression on thread names: the threads whose priority is lowered; nil for none.
    public var lower: String?
    public var priority: Priority
    /// A busy-looping thread of the controller pinned to `cpu` for as long as the fault lasts.
    public var competitor: Bool
    /// A regular expression on the (demangled) names of the node executable's functions: breakpoints at their
    /// entries hold a thread matching `threads` that enters one for `minPause`–`maxPause`; nil for none.
    public var stopAt: String?
    /// The share of passes through a breakpoint that are held (0 < p ≤ 1).
    public var stopChance: Double
    /// Hold only one of the matching threads (chosen when attaching, with hardware breakpoints on x86_64; else
    /// the first one held); its siblings pass freely, so a pool of threads, one per follower say, keeps working
    /// but for one.
    public var stopOne: Bool

    public static let defaultThreads = ".*"
    public static let defaultMinPause = Duration.microseconds(20)
    public static let defaultMaxPause = Duration.milliseconds(2)

    public init(threads: String = SchedulingJitter.defaultThreads, freezeRate: Double = 0,
                minPause: Duration = SchedulingJitter.defaultMinPause,
                maxPause: Duration = SchedulingJitter.defaultMaxPause, runningOnly: Bool = false, cpu: Int? = nil,
                lower: String? = nil, priority: Priority = .idle, competitor: Bool = false,
                stopAt: String? = nil, stopChance: Double = 1, stopOne: Bool = false) {
        self.stopAt = stopAt
        self.stopOne = stopOne
        self.stopChance = stopChance
        self.runningOnly = runningOnly
        self.threads = threads
        self.freezeRate = freezeRate
        self.minPause = minPause
        self.maxPause = maxPause
        self.cpu = cpu
        self.lower = lower
        self.priority = priority
        self.competitor = competitor
    }

    /// Whether the fault freezes threads (and so needs ptrace).
    public var freezes: Bool { freezeRate > 0 }
    /// Whether the fault needs ptrace (freezes or breakpoints).
    public var traces: Bool { freezes || stopAt != nil }
}
