/// Where a line of the plan came from, for messages like `plans/x.yaml:14:9: ...`.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// A fault the nemesis can inject and heal.
public enum Fault: String, Sendable, Hashable, CaseIterable {
    /// SIGKILL; restarted when the fault's time is up.
    case kill
    /// SIGTERM (then SIGKILL past the grace period); restarted when the fault's time is up.
    case stop
    /// SIGSTOP; SIGCONT when the fault's time is up.
    case pause
    /// Cuts links as the step's `shape` says (`PartitionSpec`); healed when the fault's time is up.
    case partition
    /// Delay, loss, duplication, reordering or corruption on directed links (`LinkShaping`).
    case netem
    /// A bandwidth limit on directed links (`LinkShaping.rate`).
    case rate
    /// Freezes the threads of the target whose names match the step's `thread` (`ThreadPause`); the rest of
    /// the process runs on. Released when the fault's time is up.
    case pauseThread = "pause-thread"
    /// Perturbs the scheduling of the target's threads as the step's `sched` says (`SchedulingJitter`): random
    /// short freezes, one CPU, lowered priority, a busy competitor. Undone when the fault's time is up.
    case jitter
    /// SIGKILL, and the node's data directory loses what it had not made durable (`disk: cached`); restarted
    /// on what is left when the fault's time is up.
    case powerFailure = "power-failure"
    /// The data directory's writes and/or fsyncs fail with EIO or ENOSPC (`DiskFault`) until healed.
    case diskError = "disk-error"
    /// The data directory's fsyncs and/or writes are delayed (`DiskFault`) until healed.
    case diskLatency = "disk-latency"
    /// Takes the target out of the cluster's configuration and, at heal, restores the plan's original
    /// membership (`MembershipSpec`).
    case membership
}

/// Which threads a `pause-thread` fault freezes, and how.
public struct ThreadPause: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        /// PTRACE_SEIZE + PTRACE_INTERRUPT each thread, PTRACE_DETACH at heal: no cooperation from the node.
        case ptrace
        /// `tgkill` `stop` to each thread and `resume` at heal, for nodes that install a pause handler.
        case signal(stop: Int32, resume: Int32)
    }

    /// A regular expression on the thread names in `/proc/PID/task/*/comm`.
    public var pattern: String
    public var mode: Mode

    public init(pattern: String, mode: Mode = .ptrace) {
        self.pattern = pattern
        self.mode = mode
    }
}

/// Which nodes a fault is aimed at; resolved from live status when the fault is injected.
public enum TargetSpec: Sendable, Hashable, CustomStringConvertible {
    case node(String)
    case leader
    /// One follower, chosen with the run's random stream.
    case follower
    /// Every follower.
    case followers
    /// One node, chosen with the run's random stream.
    case random
    /// A random minority: ⌊(n−1)/2⌋ nodes, chosen uniformly.
    case minority
    /// A random majority (⌊n/2⌋+1 nodes).
    case majority
    case all

    public var description: String {
        switch self {
        case .node(let id): id
        case .leader: "leader"
        case .follower: "follower"
        case .followers: "followers"
        case .random: "random"
        case .minority: "minority"
        case .majority: "majority"
        case .all: "all"
        }
    }
}

/// One line of the plan's `nemesis:` list.
public struct NemesisStep: Sendable, Hashable {
    public enum Timing: Sendable, Hashable {
        /// Once, at this time since the start.
        case at(Duration)
        /// Repeatedly, every `every`, from `from` until `until` (or the end of the run); the fault for each
        /// occurrence is drawn from `faults` with the run's seed.
        case every(Duration, from: Duration, until: Duration?)
    }

    public var timing: Timing
    /// One fault for `at` steps; the choices for `every` steps.
    public var faults: [Fault]
    public var target: TargetSpec
    /// How long the fault lasts before it is healed; nil = until the end of the run.
    public var duration: Duration?
    /// The cut of a `partition` fault; set whenever `faults` holds `partition`.
    public var partition: PartitionSpec?
    /// The links and shaping of a `netem` or `rate` fault; set whenever `faults` holds one of them.
    public var shaping: LinkShaping?
    /// Whether client traffic suffers the step's network fault too.
    public var clients: ClientTraffic
    /// The threads of a `pause-thread` fault; set whenever `faults` holds `pause-thread`.
    public var thread: ThreadPause?
    /// The settings of a disk fault; set whenever `faults` holds one.
    public var disk: DiskFault?
    /// The scheduling perturbation of a `jitter` fault; set whenever `faults` holds `jitter`.
    public var jitter: SchedulingJitter?
    /// The change of a `membership` fault; set whenever `faults` holds `membership`.
    public var membership: MembershipSpec?
    public var location: SourceLocation?

    public init(timing: Timing, faults: [Fault], target: TargetSpec, duration: Duration?,
                partition: PartitionSpec? = nil, shaping: LinkShaping? = nil, clients: ClientTraffic = .clean,
                thread: ThreadPause? = nil, disk: DiskFault? = nil, jitter: SchedulingJitter? = nil,
                membership: MembershipSpec? = nil, location: SourceLocation? = nil) {
        self.disk = disk
        self.jitter = jitter
        self.membership = membership
        self.timing = timing
        self.faults = faults
        self.target = target
        self.duration = duration
        self.partition = partition
        self.shaping = shaping
        self.clients = clients
        self.thread = thread
        self.location = location
    }
}

/// One concrete fault occurrence of the expanded, seeded schedule.
public struct ScheduledFault: Sendable, Hashable {
    /// Position in the schedule; also the id that pairs its inject and heal events.
    public var id: Int
    public var at: Duration
    public var fault: Fault
    public var target: TargetSpec
    public var duration: Duration?
    /// Where in the plan this occurrence came from.
    public var step: Int
    /// The step's partition, when `fault` is `partition`.
    public var partition: PartitionSpec?
    /// The step's link shaping, when `fault` is `netem` or `rate`.
    public var shaping: LinkShaping?
    public var clients: ClientTraffic
    /// The step's threads, when `fault` is `pause-thread`.
    public var thread: ThreadPause?
    /// The step's disk settings, when `fault` is a disk fault.
    public var disk: DiskFault?
    /// The step's scheduling perturbation, when `fault` is `jitter`.
    public var jitter: SchedulingJitter?
    /// The step's change, when `fault` is `membership`.
    public var membership: MembershipSpec?

    public init(id: Int, at: Duration, fault: Fault, target: TargetSpec, duration: Duration?, step: Int,
                partition: PartitionSpec? = nil, shaping: LinkShaping? = nil, clients: ClientTraffic = .clean,
                thread: ThreadPause? = nil, disk: DiskFault? = nil, jitter: SchedulingJitter? = nil,
                membership: MembershipSpec? = nil) {
        self.disk = fault.isDisk ? disk : nil
        self.membership = fault == .membership ? membership : nil
        self.thread = fault == .pauseThread ? thread : nil
        self.jitter = fault == .jitter ? jitter : nil
        self.id = id
        self.at = at
        self.fault = fault
        self.target = target
        self.duration = duration
        self.step = step
        self.partition = fault == .partition ? partition : nil
        self.shaping = fault == .netem || fault == .rate ? shaping : nil
        self.clients = clients
    }
}

/// Equality ignores `location`: where a step was written is provenance, not meaning, so a plan re-read from its
/// resolved YAML (other file, other lines) is equal to the plan it was rendered from.
extension NemesisStep {
    public static func == (lhs: NemesisStep, rhs: NemesisStep) -> Bool {
        lhs.timing == rhs.timing && lhs.faults == rhs.faults && lhs.target == rhs.target
            && lhs.duration == rhs.duration && lhs.partition == rhs.partition && lhs.shaping == rhs.shaping
            && lhs.clients == rhs.clients && lhs.thread == rhs.thread && lhs.disk == rhs.disk
            && lhs.jitter == rhs.jitter
            && lhs.membership == rhs.membership
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timing)
        hasher.combine(faults)
        hasher.combine(target)
        hasher.combine(duration)
        hasher.combine(partition)
        hasher.combine(shaping)
        hasher.combine(clients)
        hasher.combine(thread)
        hasher.combine(disk)
        hasher.combine(jitter)
        hasher.combine(membership)
    }
}
