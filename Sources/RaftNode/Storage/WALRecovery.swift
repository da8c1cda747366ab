#if canImport(Glibc)
import Glibc
#endif

/// What replaying the WAL found: the last hard state, the last snapshot position and the log after it.
struct WALRecovery {
    var hardState = HardState()
    var snapshotMark: (index: UInt64, term: UInt64) = (0, 0)
    var log = RaftLog()
    var segments: [(seq: UInt64, maxIndex: UInt64)] = []
    var lastSegmentSize = 0
    /// Bytes cut off a torn tail, for the startup log.
    var truncatedBytes = 0
    /// Entries below this index were in segments dropped after a snapshot; a snapshot mark at or above it
    /// must follow, or the WAL is missing data.
    var gapBelow: UInt64?

    /// Replays every segment in `dir`, oldest first.
    ///
    /// A record cut short at the very end of the last segment is a write the crash interrupted: it is cut
    /// off. A record that fails its checksum while valid records follow it is corruption of acknowledged
    /// data, so the node refuses to start rather than silently forget it.
    /// - Throws: `RaftNodeError.corrupt` naming the file and offset.
    static func recover(dir: String, dataDir: String) throws -> WALRecovery {
        var out = WALRecovery()
        let names = FileIO.list(dir).filter { $0.hasPrefix("wal-") && $0.hasSuffix(".log") }.sorted()
        for (n, name) in names.enumerated() {
            guard let seq = UInt64(name.dropFirst(4).dropLast(4), radix: 16) else { continue }
            let path = dir + "/" + name
            let bytes = try FileIO.readFile(path)
            let isLast = n == names.count - 1
            var offset = 0
            var maxIndex: UInt64 = out.log.lastIndex
            parsing: while offset < bytes.count {
                switch WALRecord.parse(bytes, at: offset) {
                case .record(let record, let next):
                    try apply(record, to: &out, path: path, offset: offset, dataDir: dataDir)
                    if case .entries(let e) = record, let last = e.last { maxIndex = last.index }
                    offset = next
                case .incomplete:
                    guard isLast else { throw corrupt(dataDir, path, offset) }
                    break parsing
                case .bad(let next):
                    if let next, case .record = WALRecord.parse(bytes, at: next) {
                        throw corrupt(dataDir, path, offset)
                    }
                    guard isLast else { throw corrupt(dataDir, path, offset) }
                    break parsing
                }
            }
            if offset < bytes.count {
                out.truncatedBytes = bytes.count - offset
                let fd = try FileIO.open(path, O_WRONLY)
                defer { close(fd) }
                try syscall("ftruncate", path) { Int(ftruncate(fd, off_t(offset))) }
                try FileIO.fsync(fd, path: path)
            }
            out.segments.append((seq, maxIndex))
            if isLast { out.lastSegmentSize = offset }
        }
        if let gap = out.gapBelow {
            throw RaftNodeError(.corrupt, "data dir \(dataDir): WAL segments holding entries up to \(gap) are "
                + "missing and no snapshot covers them; refusing to start")
        }
        return out
    }

    static func corrupt(_ dataDir: String, _ path: String, _ offset: Int) -> RaftNodeError {
        RaftNodeError(.corrupt, "data dir \(dataDir): corrupt WAL record at offset \(offset) in \(path); refusing to start")
    }

    private static func apply(_ record: WALRecord, to out: inout WALRecovery, path: String, offset: Int,
                              dataDir: String) throws {
        switch record {
        case .hardState(let hs):
            out.hardState = hs
        case .snapshot(let index, let term):
            guard index >= out.log.snapshotIndex else { return }  // an older mark repeated by a later segment
            if let gap = out.gapBelow, index >= gap {
                // The snapshot covers what the dropped segments held.
                out.gapBelow = nil
                if index == out.log.snapshotIndex {
                    out.log.setSnapshotTerm(term)
                    out.snapshotMark = (index, term)
                    return
                }
            }
            if out.log.matches(index: index, term: term) {
                out.log.compact(through: index, term: term)
            } else {
                out.log.reset(toSnapshot: index, term: term)
            }
            out.snapshotMark = (index, term)
        case .entries(let entries):
            guard let first = entries.first else { return }
            if first.index > out.log.lastIndex + 1 {
                // Segments below a snapshot were deleted; a later snapshot mark must cover the gap.
                guard out.log.entries.isEmpty, out.gapBelow == nil else {
                    throw RaftNodeError(.corrupt, "data dir \(dataDir): WAL record at offset \(offset) in \(path) "
                        + "starts at index \(first.index) but the log ends at \(out.log.lastIndex); refusing to start")
                }
                out.gapBelow = first.index - 1
                out.log.reset(toSnapshot: first.index - 1, term: 0)
            }
            for e in entries where e.index > out.log.snapshotIndex {
                if e.index <= out.log.lastIndex { out.log.truncate(from: e.index) }
                out.log.append(e)
            }
        }
    }
}
