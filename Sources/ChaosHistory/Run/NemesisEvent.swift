/// One step of the nemesis: a fault injected or healed, or an attempt that failed.
public struct NemesisEvent: Sendable, Hashable, Codable {
    public enum Phase: String, Sendable, Hashable, Codable {
        case inject, heal, error
    }

    /// Nanoseconds since the start of the run, when the nemesis decided to act.
    public var time: Int64
    /// Pairs an injection with its heal.
    public var id: Int
    public var phase: Phase
    /// The fault's name as written in plans: `kill`, `stop`, `pause`, `partition`...
    public var fault: String
    /// The nodes acted on, resolved at injection time.
    public var targets: [String]
    /// Decision to acknowledgement (signal sent and seen, netlink acked...), in nanoseconds.
    public var latencyNanos: Int64?
    public var detail: String?
    /// `membership` events: each change made, with the configuration before and after it and how long it took.
    public var changes: [MembershipChangeRecord]?

    public init(
        time: Int64, id: Int, phase: Phase, fault: String, targets: [String], latencyNanos: Int64? = nil,
        detail: String? = nil, changes: [MembershipChangeRecord]? = nil
    ) {
        self.changes = changes
        self.time = time
        self.id = id
        self.phase = phase
        self.fault = fault
        self.targets = targets
        self.latencyNanos = latencyNanos
        self.detail = detail
    }
}
