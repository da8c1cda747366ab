import CChaosFuse
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The nodes' data directories on chaos's FUSE durability layer (`cluster: { disk: cached }`).
///
/// Where the mounts live, and why they cannot outlive chaos: the supervisor's spawner thread, which forks every
/// node, moves into a private mount namespace of its own (a copy of the host's, receiving but never sending
/// mount events) and makes every mount there. Nodes forked by it start in that namespace and see their data
/// directory through the layer; the host, and every other thread of chaos, see the plain backing directory
/// at the same path. When chaos dies (even by SIGKILL), the FUSE connection closes, the nodes die of their
/// parent-death signal, and the namespace, with every mount in it, goes with its last process. A normal end
/// and Ctrl-C unmount explicitly (`detachAll`).
public final class DiskLayer: Sendable {
    private let disks = Mutex<[String: CachedDisk]>([:])
    private let seed: UInt64
    /// Whether the spawner thread has entered its private mount namespace (once per process).
    private static let namespace = Mutex<Int32?>(nil)

    /// What to do where FUSE mounts are refused.
    public static let remedy = "chaos needs /dev/fuse and the right to mount FUSE (root, or a user namespace on"
        + " Linux 4.18+); install fuse3 (apt-get install fuse3 libfuse3-dev), load the fuse module (modprobe fuse),"
        + " in a container add --device /dev/fuse --cap-add SYS_ADMIN, or use 'disk: plain'"

    /// - Parameter seed: the run's seed, for the layer's injected latencies.
    public init(seed: UInt64) {
        self.seed = seed
    }

    /// Serves `home/data` of `node` through the layer, mounted in the nodes' mount namespace; a node already
    /// attached stays as it is (restarts keep their cache and faults).
    /// - Throws: `ControlError` when the directory cannot be opened or the mount is refused.
    public func attach(_ node: String, home: String) throws(ControlError) {
        if disks.withLock({ $0[node] != nil }) { return }
        let trash = "\(home)/.disk-trash"
        do {
            try FileManager.default.createDirectory(atPath: trash, withIntermediateDirectories: true)
        } catch {
            throw ControlError(operation: "create \(trash)", hint: "\(error)")
        }
        let disk = try CachedDisk(node: node, backing: "\(home)/data", trash: trash,
                                  seed: seed ^ UInt64(truncatingIfNeeded: node.hashValue))
        let result: Result<Void, ControlError> = SupervisorThread.shared.perform {
            do throws(ControlError) {
                try Self.enterNamespace()
                try disk.mount()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        disks.withLock { $0[node] = disk }
    }

    /// Runs on the spawner thread: moves it into its private mount namespace the first time.
    private static func enterNamespace() throws(ControlError) {
        let error = namespace.withLock { state -> Int32 in
            if let state { return state }
            let result = cfs_enter_private_mount_namespace()
            state = result
            return result
        }
        guard error == 0 else {
            throw ControlError(operation: "create a private mount namespace for the disk layer",
                               call: "unshare(CLONE_NEWNS)", errno: error, hint: remedy)
        }
    }

    /// Whether `node` is on the layer.
    public func serves(_ node: String) -> Bool { disks.withLock { $0[node] != nil } }

    /// The moment the power goes, before `node` is killed: no change it asks for reaches the cache or the disk
    /// any more; each waits until the kill interrupts it (an fsync in flight must not complete after the power
    /// is gone).
    public func freeze(_ node: String) { disk(node)?.freeze() }

    /// The power failure's disk half: drops what `node` had not made durable and refuses changes until
    /// `powerOn`. Call after `freeze`, once the node is dead.
    public func powerOff(_ node: String, torn: Bool, fraction: Double) -> PowerFailureReport? {
        disk(node)?.powerOff(torn: torn, fraction: fraction)
    }

    public func powerOn(_ node: String) { disk(node)?.powerOn() }

    /// Makes `node`'s operations in `operations` fail with `code` (0 clears); false for a bad path pattern.
    public func setError(_ node: String, code: Int32, operations: Int32, pathPattern: String?) -> Bool {
        disk(node)?.setError(code, operations: operations, pathPattern: pathPattern) ?? false
    }

    /// Delays `node`'s operations in `operations` by `mean ± jitter` (operations 0 clears).
    public func setLatency(_ node: String, operations: Int32, mean: Duration, jitter: Duration) {
        disk(node)?.setLatency(operations: operations, mean: mean, jitter: jitter)
    }

    public func stats(_ node: String) -> DiskStats? { disk(node)?.stats }

    /// Unmounts every node's layer (nodes must be stopped) and forgets it; what is on disk stays as it is.
    public func detachAll() {
        let all = disks.withLock { state in
            defer { state.removeAll() }
            return Array(state.values)
        }
        guard !all.isEmpty else { return }
        SupervisorThread.shared.perform {
            for disk in all { disk.unmount() }
        }
    }

    private func disk(_ node: String) -> CachedDisk? { disks.withLock { $0[node] } }
}

/// Operation masks of the C layer.
public enum DiskOperationMask {
    public static let write = Int32(CFS_OP_WRITE)
    public static let fsync = Int32(CFS_OP_FSYNC)
    public static let read = Int32(CFS_OP_READ)
}
