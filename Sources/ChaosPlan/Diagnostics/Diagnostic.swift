/// One problem found in a plan, with the place it was found.
///
/// Rendered as `FILE:LINE:COL: message` (or `FILE: message` for problems with the file as a whole), the
/// format compilers use, so editors and CI logs can jump to the spot.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How bad a problem is: errors make the plan unusable, warnings are printed and the plan still runs.
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    /// Where the problem is; a `line` of 0 means the file as a whole (it could not be read at all).
    public var location: SourceLocation
    /// Sentence-case text without a trailing period; the bad value quoted.
    public var message: String
    public var severity: Severity

    public init(location: SourceLocation, message: String, severity: Severity = .error) {
        self.location = location
        self.message = message
        self.severity = severity
    }

    public var description: String {
        let place = location.line > 0 ? location.description : location.file
        let prefix = severity == .warning ? "warning: " : ""
        return "\(place): \(prefix)\(message)"
    }
}

extension Diagnostic {
    /// Orders diagnostics by position so a user reads them top to bottom, as in the file; problems at the same
    /// spot keep the order they were found in. Several files (a plan and its adapter) stay in the order they
    /// first appear.
    static func sortedByPosition(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var files: [String: Int] = [:]
        for diagnostic in diagnostics where files[diagnostic.location.file] == nil {
            files[diagnostic.location.file] = files.count
        }
        return diagnostics.enumerated().sorted { lhs, rhs in
            (files[lhs.element.location.file]!, lhs.element.location.line, lhs.element.location.column, lhs.offset)
                < (files[rhs.element.location.file]!, rhs.element.location.line, rhs.element.location.column,
                   rhs.offset)
        }.map(\.element)
    }
}
