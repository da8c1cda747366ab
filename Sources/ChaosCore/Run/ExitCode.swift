/// The process exit codes of `chaos`, as documented in the README.
public enum ExitCode: Int32, Sendable, CaseIterable {
    case valid = 0
    case invalid = 1
    case unknown = 2
    /// A plan, history or argument that cannot be used.
    case badInput = 3
    /// The machine lacks a capability the plan needs (root, netem, a binary...).
    case environment = 4
    case internalError = 5
    case interrupted = 130
}
