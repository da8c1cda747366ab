import Glibc

/// Reads a chaos JSONL history file a chunk at a time, handing each operation on as it is parsed: the file
/// itself is never held in memory, so judging a long run's history costs only what the caller keeps of it.
///
/// A last line without its newline (the writer was killed mid-line) is left out, not an error.
public enum JSONLFileReader {
    /// What a pass over the file found.
    public struct Pass: Sendable {
        /// The file could not be opened (missing).
        public var missing = false
        /// A last line cut short was left out.
        public var cutLine = false
    }

    /// Calls `each` with every operation of the file at `path`, in order.
    /// - Parameter chunk: bytes read at a time; a longer line grows the buffer.
    /// - Throws: `HistoryError` at the first line that is not a chaos JSONL operation.
    public static func forEach(path: String, chunk: Int = 1 << 20, _ each: (Operation) -> Void)
        throws(HistoryError) -> Pass {
        var pass = Pass()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            pass.missing = true
            return pass
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: max(chunk, 1))
        var filled = 0  // bytes of `buffer` holding data
        var ordinal = 0  // operations handed on
        var skipped = 0
        var line = 1
        while true {
            if filled == buffer.count { buffer.append(contentsOf: repeatElement(0, count: buffer.count)) }
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if got < 0 && errno == EINTR { continue }
            if got <= 0 {
                pass.cutLine = filled > 0
                return pass
            }
            filled += got
            // Parse every complete line; keep the incomplete tail for the next read.
            let consumed: Int = try buffer.withUnsafeBufferPointer { bytes throws(HistoryError) -> Int in
                var start = 0
                while start < filled, let newline = memchr(bytes.baseAddress! + start, 0x0A, filled - start) {
                    let stop = bytes.baseAddress!.distance(to: newline.assumingMemoryBound(to: UInt8.self))
                    if let (op, _) = try JSONLCodec.decodeLine(bytes, from: start, to: stop, line: line,
                                                               ordinal: ordinal, skipped: &skipped, file: path) {
                        each(op)
                        ordinal += 1
                    }
                    line += 1
                    start = stop + 1
                }
                return start
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBufferPointer { bytes in
                    _ = memmove(bytes.baseAddress!, bytes.baseAddress! + consumed, filled - consumed)
                }
                filled -= consumed
            }
        }
    }
}
