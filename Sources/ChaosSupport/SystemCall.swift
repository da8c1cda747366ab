#if canImport(Glibc)
import Glibc
#endif

/// Runs a syscall-shaped `body` (negative, usually -1, with `errno` set on failure) until it is not interrupted
/// by a signal, and turns a failure into the caller's own error.
///
/// Every module wraps system calls through this one loop, so EINTR is retried the same way everywhere; each
/// module keeps its own error type by passing `error`, which receives the errno.
/// - Returns: the call's non-negative result.
/// - Throws: whatever `error` makes of the errno.
@discardableResult
public func retryingInterrupts<Result: BinaryInteger, Failure: Error>(
    _ body: () -> Result, orThrow error: (Int32) -> Failure
) throws(Failure) -> Result {
    while true {
        let result = body()
        if result >= 0 { return result }
        let code = errno
        if code != EINTR { throw error(code) }
    }
}

/// The C library's text for an errno: `No such file or directory`.
public func errnoText(_ code: Int32) -> String {
    String(cString: strerror(code))
}

/// A failed system call's errno, for callers that only need to know that it failed and why.
public struct SystemCallFailure: Error, Sendable, Equatable {
    public let errno: Int32
    public init(errno: Int32) { self.errno = errno }
}

/// `retryingInterrupts(_:orThrow:)` for callers without an error type of their own.
@discardableResult
public func retryingInterrupts<Result: BinaryInteger>(_ body: () -> Result) throws(SystemCallFailure) -> Result {
    try retryingInterrupts(body, orThrow: SystemCallFailure.init(errno:))
}
