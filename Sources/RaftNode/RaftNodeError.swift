import ChaosSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one error type of `RaftNode`: what failed, on which value, and what to do about it.
public struct RaftNodeError: Error, CustomStringConvertible, Sendable {
    public enum Code: Sendable {
        /// A command-line value does not parse or is inconsistent.
        case badArgument
        /// The data directory belongs to another node or cluster, or cannot be used.
        case dataDir
        /// A WAL record or snapshot fails its checksum below the tail.
        case corrupt
        /// A system call failed.
        case io
        /// A network address could not be bound or parsed.
        case network
    }

    public var code: Code
    public var message: String
    /// The errno of the failed system call, if one failed.
    public var errno: Int32?

    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String { message }
}

/// Runs a system call, retrying on EINTR, and throws an error naming the call, the path and errno.
@discardableResult
func syscall(_ name: String, _ path: String, _ body: () -> Int) throws -> Int {
    try retryingInterrupts(body) {
        RaftNodeError(.io, "\(name)(\(path)) failed: \(errnoText($0)) (errno \($0))", errno: $0)
    }
}
