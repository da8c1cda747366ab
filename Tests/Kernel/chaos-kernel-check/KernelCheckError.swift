/// The one error type of chaos-kernel-check: which check failed, the value seen, and what to look at.
struct KernelCheckError: Error, CustomStringConvertible {
    /// What was being checked or done.
    var operation: String
    /// What was found instead of what was expected.
    var detail: String

    init(_ operation: String, _ detail: String) {
        self.operation = operation
        self.detail = detail
    }

    var description: String { "\(operation): \(detail)" }
}
