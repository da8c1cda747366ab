#if canImport(Glibc)
import Glibc
#endif

/// The runtime side of the test-only `Bug` modes.
extension RaftCore {
    /// `leak-on-retry`: keeps the send buffer of each re-sent entry (its payload copied into a 2 KiB block, the
    /// way braft's leaked entry pins the IOBuf block holding it), touched so that it counts in RSS, and never
    /// releases it. 2 KiB keeps the slope far above a clean node's even when a loaded machine halves throughput.
    mutating func retainOnRetry(_ entries: [LogEntry]) {
        for entry in entries {
            var frame = [UInt8](repeating: 0xA5, count: 2048)
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
