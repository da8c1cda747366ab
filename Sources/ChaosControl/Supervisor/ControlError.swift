import CChaosSys
import ChaosSupport

#if canImport(Glibc)
import Glibc
#endif

/// The one error type of ChaosControl: what failed, the value, the system call and errno, and what to do.
///
/// Reads like `spawn '/opt/raft/node': execve failed: No such file or directory (ENOENT); check the
/// executable path`.
public struct ControlError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What chaos was doing, naming the value involved, e.g. `spawn '/bin/nope'`.
    public var operation: String
    /// The system call that failed, if the failure came from one.
    public var call: String?
    /// The errno the call left, if any.
    public var errno: Int32?
    /// What the user can do about it.
    public var hint: String?

    public init(operation: String, call: String? = nil, errno: Int32? = nil, hint: String? = nil) {
        self.operation = operation
        self.call = call
        self.errno = errno
        self.hint = hint
    }

    /// The symbolic errno name (`ENOENT`), or nil without an errno.
    public var errnoName: String? {
        errno.map { String(cString: cchaos_errno_name($0)) }
    }

    public var description: String {
        var text = operation
        if let call {
            text += ": \(call) failed"
        }
        if let errno, let errnoName {
            text += ": \(String(cString: strerror(errno))) (\(errnoName))"
        }
        if let hint {
            text += "; \(hint)"
        }
        return text
    }
}

/// Runs a syscall-shaped `body` (returning -1 and setting errno on failure), retrying on EINTR.
///
/// - Parameters:
///   - call: the name of the system call, for the error.
///   - operation: what chaos was doing, for the error; only evaluated on failure.
/// - Returns: the call's non-negative result.
/// - Throws: `ControlError` naming `call` and the errno.
@discardableResult
func systemCall<Result: BinaryInteger>(
    _ call: String, _ operation: @autoclosure () -> String, hint: String? = nil, _ body: () -> Result
) throws(ControlError) -> Result {
    try retryingInterrupts(body) { ControlError(operation: operation(), call: call, errno: $0, hint: hint) }
}
