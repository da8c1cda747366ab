/// Why a checker could not judge its input at all (as opposed to a verdict): an operation the model does not
/// know, a value of the wrong shape, a history whose processes interleave impossibly.
public struct CheckerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Position in `history.operations` of the operation at fault, when there is one.
    public var operation: Int?
    public var message: String

    public init(operation: Int? = nil, _ message: String) {
        self.operation = operation
        self.message = message
    }

    public var description: String {
        operation.map { "operation \($0): \(message)" } ?? message
    }
}
