import CChaosFuse
import ChaosSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One node's data directory served through chaos's FUSE layer (`CChaosFuse`): the node writes into the
/// layer's cache, and only what it makes durable reaches `nodes/<id>/data` on disk.
///
/// `@unchecked Sendable`: the C side guards its state with its own mutexes; this class only holds the handle.
final class CachedDisk: @unchecked Sendable {
    let node: String
    /// Where the node sees it (the same path as the backing directory, covered in chaos's mount namespace).
    let mountpoint: String
    private let handle: OpaquePointer

    /// - Parameters:
    ///   - backing: the directory that holds what is durable.
    ///   - trash: a directory on the same file system that keeps removed entries until the removal is durable.
    init(node: String, backing: String, trash: String, seed: UInt64) throws(ControlError) {
        var error: Int32 = 0
        guard let handle = cfs_create(backing, trash, seed, &error) else {
            throw ControlError(operation: "open the data directory '\(backing)' of \(node) for the disk layer",
                               call: "open", errno: error, hint: "check the run directory's permissions")
        }
        self.node = node
        self.mountpoint = backing
        self.handle = handle
    }

    deinit { cfs_destroy(handle) }

    /// Mounts in the calling thread's mount namespace and starts serving.
    func mount() throws(ControlError) {
        let result = cfs_mount(handle, mountpoint)
        guard result == 0 else {
            throw ControlError(operation: "mount the disk layer on '\(mountpoint)' for \(node)", call: "mount",
                               errno: result, hint: DiskLayer.remedy)
        }
    }

    /// Unmounts from the calling thread's mount namespace; the node must be stopped.
    func unmount() { _ = cfs_unmount(handle) }

    func freeze() { cfs_freeze(handle) }

    func powerOff(torn: Bool, fraction: Double) -> PowerFailureReport {
        var dropped = cfs_drop_stats()
        cfs_power_off(handle, torn ? 1 : 0, fraction, &dropped)
        return PowerFailureReport(bytesDropped: dropped.bytes_dropped, files: dropped.files,
                                  metadataUndone: dropped.metadata_undone, tornBytesKept: dropped.torn_bytes_kept)
    }

    func powerOn() { cfs_power_on(handle) }

    /// - Returns: false when `pathPattern` is not a valid POSIX extended regular expression.
    func setError(_ code: Int32, operations: Int32, pathPattern: String?) -> Bool {
        cfs_set_error(handle, code, operations, pathPattern) == 0
    }

    func setLatency(operations: Int32, mean: Duration, jitter: Duration) {
        cfs_set_latency(handle, operations, UInt64(max(0, mean.nanoseconds)), UInt64(max(0, jitter.nanoseconds)))
    }

    var stats: DiskStats {
        var raw = cfs_stats()
        cfs_get_stats(handle, &raw)
        return DiskStats(writes: raw.writes, writeBytes: raw.write_bytes, fsyncs: raw.fsyncs,
                         syncedBytes: raw.synced_bytes, pendingBytes: raw.pending_bytes,
                         errorsInjected: raw.errors_injected, delaysInjected: raw.delays_injected)
    }
}

/// What a power failure dropped from one node's disk.
public struct PowerFailureReport: Sendable, Hashable, CustomStringConvertible {
    public var bytesDropped: UInt64
    public var files: UInt64
    public var metadataUndone: UInt64
    public var tornBytesKept: UInt64

    public var description: String {
        var text = "dropped \(bytesDropped) undurable bytes in \(files) file(s), undid \(metadataUndone)"
            + " undurable metadata change(s)"
        if tornBytesKept > 0 { text += ", torn write kept \(tornBytesKept) bytes" }
        return text
    }
}

/// Counters of one node's disk layer since it was mounted.
public struct DiskStats: Sendable, Hashable {
    public var writes, writeBytes, fsyncs, syncedBytes, pendingBytes, errorsInjected, delaysInjected: UInt64
}
