/// The one error type of ChaosCore; each case maps to an exit code.
public enum RunError: Error, Sendable, CustomStringConvertible {
    /// A plan, history or argument that cannot be used (exit 3). The message is complete, with locations.
    case badInput(String)
    /// The machine lacks something the plan needs (exit 4); the message says what to do.
    case environment(String)
    /// A failure of chaos itself (exit 5).
    case `internal`(String)

    public var exitCode: ExitCode {
        switch self {
        case .badInput: .badInput
        case .environment: .environment
        case .internal: .internalError
        }
    }

    public var description: String {
        switch self {
        case .badInput(let message), .environment(let message), .internal(let message): message
        }
    }
}
