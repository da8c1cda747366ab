#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The WAL's write buffer: one anonymous mapping per WAL that each group of records is copied into, so a group
/// goes to the file with one write(2) whatever its size (up to `stagingSize`; larger groups go in pieces).
extension WAL {
    func mapStaging() throws {
        let p = mmap(nil, WAL.stagingSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let p, p != MAP_FAILED else {
            throw RaftNodeError(.io, "\(dir): mmap of the WAL write buffer failed: \(String(cString: strerror(errno)))")
        }
        staging.store(UInt(bitPattern: p), ordering: .releasing)
    }

    /// Releases the buffer. It stays reserved but inaccessible (as a guard allocator leaves freed memory), so a
    /// use after release faults at once instead of writing into whatever the address space maps there next.
    func unmapStaging() {
        let base = staging.exchange(0, ordering: .acquiringAndReleasing)
        if base != 0 { mprotect(UnsafeMutableRawPointer(bitPattern: base), WAL.stagingSize, PROT_NONE) }
        released = base
    }

    /// Returns the reserved range to the system for good (deinit, when no thread can use it any more).
    func unreserveStaging() {
        if released != 0 { munmap(UnsafeMutableRawPointer(bitPattern: released), WAL.stagingSize) }
        released = 0
    }

    /// True once `closeUnsafely` (or deinit) released the file and buffer: errors after that are not the disk's.
    var isClosed: Bool { closed.load(ordering: .acquiring) }
}

/// One group of records on its way to the file: the buffer is looked up once, when the group starts, and used
/// until the last record is in. (Under `unsafe-shutdown` the buffer can be unmapped in between: that is the
/// race.)
struct StagedWrite {
    private let wal: WAL
    private let base: UnsafeMutableRawPointer
    private var used = 0
    private var written = 0

    /// - Throws: `RaftNodeError` when the WAL is closed.
    init(_ wal: WAL) throws {
        guard let base = UnsafeMutableRawPointer(bitPattern: wal.staging.load(ordering: .acquiring)) else {
            throw RaftNodeError(.io, "\(wal.dir): the WAL is closed")
        }
        self.wal = wal
        self.base = base
    }

    mutating func add(_ bytes: [UInt8]) throws {
        if used + bytes.count > WAL.stagingSize { try flush() }
        if bytes.count > WAL.stagingSize {
            try bytes.withUnsafeBytes { try wal.writeRetryingWhenFull($0, pending: written) }
            written += bytes.count
            return
        }
        bytes.withUnsafeBytes { source in
            guard let from = source.baseAddress else { return }
            (base + used).copyMemory(from: from, byteCount: source.count)
        }
        used += bytes.count
    }

    /// Writes what is buffered. - Returns: the bytes written since the last `finish` (one `WAL.append`).
    mutating func finish() throws -> Int {
        try flush()
        defer { written = 0 }
        return written
    }

    private mutating func flush() throws {
        guard used > 0 else { return }
        // A full disk (ENOSPC) cuts the partial write off and waits for room: never acknowledged meanwhile.
        try wal.writeRetryingWhenFull(UnsafeRawBufferPointer(start: base, count: used), pending: written)
        written += used
        used = 0
    }
}
