/// Why reports could not be made from a run directory: which file, and what to do.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, which decides the exit code: the input could not be used, or the output not written.
    public enum Kind: Sendable, Hashable {
        /// The run directory or one of its files is missing or unreadable (bad input).
        case unreadable
        /// A report could not be written (a failure on this machine, not in the input).
        case unwritable
    }

    public var kind: Kind
    public var path: String
    public var message: String

    public init(_ kind: Kind = .unreadable, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
