import ChaosHistory

/// How a child process ended: its exit code, or the signal that killed it.
public enum ExitStatus: Sendable, Hashable, CustomStringConvertible {
    /// The process called `exit(code)`. The code is 0...255; -1 means the status was taken by another
    /// waiter in this process (someone called `wait(-1)`), so chaos never learned it.
    case exited(Int32)
    /// A signal ended the process; `coreDumped` when the kernel wrote (or tried to write) a core.
    case signaled(Int32, coreDumped: Bool)

    /// True for a clean `exit(0)`.
    public var isSuccess: Bool { self == .exited(0) }

    public var description: String {
        switch self {
        case .exited(let code):
            return "exited with code \(code)"
        case .signaled(let signal, let coreDumped):
            return "killed by signal \(signal)\(coreDumped ? " (core dumped)" : "")"
        }
    }

    /// The same status in the run records' vocabulary (`nodes` exits in history files).
    public var nodeExitStatus: NodeExit.Status {
        switch self {
        case .exited(let code): return .exited(code: code)
        case .signaled(let signal, let coreDumped): return .signaled(signal: signal, coreDumped: coreDumped)
        }
    }

    /// The status a run record describes.
    public init(_ recorded: NodeExit.Status) {
        switch recorded {
        case .exited(let code): self = .exited(code)
        case .signaled(let signal, let coreDumped): self = .signaled(signal, coreDumped: coreDumped)
        }
    }
}
