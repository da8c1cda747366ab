/// How a node process ended, and whether chaos caused it.
public struct NodeExit: Sendable, Hashable, Codable {
    public enum Status: Sendable, Hashable, Codable {
        case exited(code: Int32)
        case signaled(signal: Int32, coreDumped: Bool)
    }

    /// Why the controller expected (or did not expect) the exit.
    public enum Cause: String, Sendable, Hashable, Codable {
        /// Nothing chaos did explains it: a crash.
        case unexpected
        /// The nemesis killed it (SIGKILL).
        case kill
        /// The nemesis stopped it gracefully (SIGTERM, deadline, then SIGKILL).
        case stop
        /// The controller stopped it at the end of the run.
        case shutdown
    }

    public var node: String
    public var pid: Int32
    /// Nanoseconds since the start of the run.
    public var time: Int64
    public var status: Status
    public var cause: Cause
    /// For `stop` and `shutdown`: whether the node had to be SIGKILLed after missing its deadline.
    public var escalated: Bool

    public init(node: String, pid: Int32, time: Int64, status: Status, cause: Cause, escalated: Bool = false) {
        self.node = node
        self.pid = pid
        self.time = time
        self.status = status
        self.cause = cause
        self.escalated = escalated
    }
}
