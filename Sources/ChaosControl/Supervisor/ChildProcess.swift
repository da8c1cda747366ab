/// One started process: its pid and when it started.
///
/// The start instant tells apart two children that got the same (recycled) pid, so a handle to a child
/// that has exited can never signal its successor.
public struct ChildProcess: Sendable, Hashable, CustomStringConvertible {
    /// The process id (also the process group id when the spec asked for a new process group).
    public let pid: Int32
    /// When `spawn` saw the exec succeed.
    public let startedAt: ContinuousClock.Instant

    public init(pid: Int32, startedAt: ContinuousClock.Instant) {
        self.pid = pid
        self.startedAt = startedAt
    }

    public var description: String { "pid \(pid)" }
}
