/// Everything wrong with a plan, reported at once so a user fixes the file in one pass.
///
/// The CLI prints `description` (one line per problem, in file order) and exits 3 (bad input).
public struct PlanError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Sorted by position; at least one has severity `.error`.
    public var diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) {
        self.diagnostics = Diagnostic.sortedByPosition(diagnostics)
    }

    /// A problem with the plan file as a whole (it cannot be read), not with a place in it.
    public init(file: String, message: String) {
        self.init(diagnostics: [Diagnostic(location: SourceLocation(file: file, line: 0, column: 0),
                                           message: message)])
    }

    /// Only the problems that make the plan unusable.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
