#if canImport(Glibc)
import Glibc
#endif

/// The runtime side of the test-only `Bug` modes.
extension RaftCore {
    /// `leak-on-retry`: keeps a copy of each re-sent entry's frame (its payload padded to a 512-byte buffer, as a
    /// serialized message would be), touched so that it counts in RSS, and never releases it.
    mutating func retainOnRetry(_ entries: [LogEntry]) {
        for entry in entries {
            var frame = [UInt8](repeating: 0xA5, count: 512)
            frame.withUnsafeMutableBytes { buffer in
                let count = min(entry.data.count, buffer.count)
                guard count > 0 else { return }
                entry.data.withUnsafeBytes { source in
                    buffer.baseAddress!.copyMemory(from: source.baseAddress!, byteCount: count)
                }
            }
            leakedOnRetry.append(frame)
        }
    }

    /// A failed assertion of a bug mode: one line on stderr, as a native panic would print, then abort.
    ///
    /// The abort is the kernel's default one (death by SIGABRT, a core where `core_pattern` says), like a Rust
    /// `panic = "abort"`: the Swift runtime's backtracer would otherwise catch it first, and it cannot finish
    /// while a thread is frozen by ptrace, so the node would die seconds after the assertion instead of at it.
    static func fail(_ message: String) -> Never {
        let line = "raft-node: \(message)\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
        signal(SIGABRT, SIG_DFL)
        abort()
    }
}
