#if canImport(Glibc)
import Glibc
#endif

/// The write-ahead log: numbered segment files of `WALRecord`s in `DIR/wal`, appended and fsynced in
/// groups by the `raft-writer` thread only.
///
/// Every segment starts with the current hard state and snapshot position, so dropping older segments after
/// a snapshot never loses the term or vote.
final class WAL {
    let dir: String
    private var fd: Int32 = -1
    private var path = ""
    private var seq: UInt64
    private var size = 0
    /// Sequence number and highest entry index of every segment on disk, oldest first.
    private var segments: [(seq: UInt64, maxIndex: UInt64)]
    private(set) var hardState: HardState
    private(set) var snapshotMark: (index: UInt64, term: UInt64)
    let segmentLimit: Int
    /// Where a full disk is reported (the writer's log).
    var log: NodeLog?

    static func segmentName(_ seq: UInt64) -> String {
        let hex = String(seq, radix: 16)
        return "wal-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex + ".log"
    }

    /// Opens the log for appending after `recover` has read (and possibly truncated) it.
    init(dir: String, recovered: WALRecovery, segmentLimit: Int = 64 << 20) throws {
        self.dir = dir
        self.segmentLimit = segmentLimit
        self.segments = recovered.segments
        self.hardState = recovered.hardState
        self.snapshotMark = recovered.snapshotMark
        if let last = recovered.segments.last {
            seq = last.seq
            path = dir + "/" + WAL.segmentName(seq)
            fd = try FileIO.open(path, O_WRONLY | O_APPEND)
            size = recovered.lastSegmentSize
        } else {
            seq = 0
            try startSegment()
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// `unsafe-shutdown` only: closes the segment file while the writer thread may still be using it.
    func closeUnsafely() {
        if fd >= 0 { close(fd) }
    }

    /// Writes one group of records with a single write and a single fdatasync.
    ///
    /// A write refused for lack of space (ENOSPC) is cut back off the segment and retried every 100 ms until
    /// it fits, so nothing waiting for it is acknowledged meanwhile and the node recovers by itself once there
    /// is room. A failed fdatasync is never retried (the kernel may have dropped the pages it could not write,
    /// and a retry would then succeed without them): it throws, and the writer stops the node.
    /// - Parameter beforeSync: called after the write, before the fdatasync (the `ack-before-fsync` bug only).
    func append(_ records: [WALRecord], beforeSync: () -> Void = {}) throws {
        guard !records.isEmpty else { return }
        var w = ByteWriter(capacity: 4096)
        for r in records {
            r.encode(into: &w)
            switch r {
            case .hardState(let hs): hardState = hs
            case .snapshot(let index, let term): snapshotMark = (index, term)
            case .entries(let entries):
                if let last = entries.last {
                    // A truncating write lowers the segment's top; older segments may still hold more.
                    segments[segments.count - 1].maxIndex = last.index
                }
            }
        }
        try writeRetryingWhenFull(w.bytes)
        beforeSync()
        try FileIO.fdatasync(fd, path: path)
        size += w.bytes.count
        if size >= segmentLimit { try startSegment() }
    }

    /// Records that a snapshot covers the log through (`index`, `term`) and deletes segments that hold
    /// nothing newer.
    func markSnapshot(index: UInt64, term: UInt64) throws {
        guard index > snapshotMark.index else { return }
        snapshotMark = (index, term)
        try startSegment()
        var drop = 0
        while drop < segments.count - 1, segments[drop].maxIndex <= index { drop += 1 }
        for s in segments.prefix(drop) {
            let p = dir + "/" + WAL.segmentName(s.seq)
            try syscall("unlink", p) { Int(unlink(p)) }
        }
        segments.removeFirst(drop)
        try FileIO.fsyncDirectory(dir)
    }

    /// Opens the next segment and writes the state every segment starts with.
    private func startSegment() throws {
        if fd >= 0 { close(fd) }
        seq += 1
        path = dir + "/" + WAL.segmentName(seq)
        fd = try FileIO.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND)
        try FileIO.fsyncDirectory(dir)
        segments.append((seq, snapshotMark.index))
        size = 0
        var w = ByteWriter()
        WALRecord.hardState(hardState).encode(into: &w)
        WALRecord.snapshot(index: snapshotMark.index, term: snapshotMark.term).encode(into: &w)
        try FileIO.writeAll(fd, w.bytes, path: path)
        try FileIO.fdatasync(fd, path: path)
        size = w.bytes.count
    }

    private func writeRetryingWhenFull(_ bytes: [UInt8]) throws {
        var waiting = false
        while true {
            do {
                try FileIO.writeAll(fd, bytes, path: path)
                if waiting { log?.info("WAL write fits again after a full disk; writes resume") }
                return
            } catch let error as RaftNodeError where error.errno == ENOSPC {
                // A partial write must not stay in the segment: the retry appends the whole group again.
                try syscall("ftruncate", path) { Int(ftruncate(fd, off_t(size))) }
                if !waiting {
                    log?.warn("disk full (ENOSPC) writing \(path); refusing to acknowledge writes until it fits")
                    waiting = true
                }
                usleep(100_000)
            }
        }
    }
}
