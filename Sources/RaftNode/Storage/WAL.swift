#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The write-ahead log: numbered segment files of `WALRecord`s in `DIR/wal`, appended and fsynced in
/// groups by the `raft-writer` thread only.
///
/// Every segment starts with the current hard state and snapshot position, so dropping older segments after
/// a snapshot never loses the term or vote.
final class WAL {
    let dir: String
    private(set) var fd: Int32 = -1
    private(set) var path = ""
    private var seq: UInt64
    private var size = 0
    /// Sequence number and highest entry index of every segment on disk, oldest first.
    private var segments: [(seq: UInt64, maxIndex: UInt64)]
    private(set) var hardState: HardState
    private(set) var snapshotMark: (index: UInt64, term: UInt64)
    let segmentLimit: Int
    /// Where a full disk is reported (the writer's log).
    var log: NodeLog?
    /// The write buffer a group of records is encoded into before its one write(2): a mapping of its own
    /// (`WAL+Staging.swift`), address 0 once released.
    let staging = Atomic<UInt>(0)
    static let stagingSize = 1 << 20
    /// Set before the file and buffer are released, so the writer can tell a closed WAL from a failing disk.
    let closed = Atomic<Bool>(false)
    /// The released buffer's address, unmapped at deinit.
    var released: UInt = 0

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
        try mapStaging()
    }

    deinit {
        release()
        unreserveStaging()
    }

    /// `unsafe-shutdown` only: releases the file and the write buffer while the writer thread may still be using
    /// them (from the thread handling SIGTERM).
    func closeUnsafely() {
        release()
    }

    /// Unmaps the write buffer and closes the segment file, once.
    private func release() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        unmapStaging()
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
        var out = try StagedWrite(self)
        try append(records, using: &out, beforeSync: beforeSync)
    }

    /// `append` into a write buffer the caller took for a whole group of jobs (`WALWriter`).
    func append(_ records: [WALRecord], using out: inout StagedWrite, beforeSync: () -> Void = {}) throws {
        guard !records.isEmpty else { return }
        for r in records {
            var w = ByteWriter(capacity: 256)
            r.encode(into: &w)
            try out.add(w.bytes)
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
        let written = try out.finish()
        beforeSync()
        try FileIO.fdatasync(fd, path: path)
        size += written
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

    /// Writes `bytes` at the end of the segment; on ENOSPC cuts the partial write off and retries until it fits.
    /// - Parameter pending: bytes of this append already written before `bytes` (kept by a truncation).
    func writeRetryingWhenFull(_ bytes: UnsafeRawBufferPointer, pending: Int) throws {
        var waiting = false
        while true {
            do {
                try FileIO.writeAll(fd, bytes, path: path)
                if waiting { log?.info("WAL write fits again after a full disk; writes resume") }
                return
            } catch let error as RaftNodeError where error.errno == ENOSPC {
                // A partial write must not stay in the segment: the retry appends the whole group again.
                try syscall("ftruncate", path) { Int(ftruncate(fd, off_t(size + pending))) }
                if !waiting {
                    log?.warn("disk full (ENOSPC) writing \(path); refusing to acknowledge writes until it fits")
                    waiting = true
                }
                usleep(100_000)
            }
        }
    }
}
