import Synchronization

/// Exit statuses of node processes that a tracer thread of chaos collected instead of the supervisor.
///
/// A tracer in the same process as a child's parent is not "another parent" to the kernel: when the traced
/// thread-group leader exits, whichever of the two threads waits first gets its status and the process is gone
/// for the other. A `stop_at` session traces every thread of a node, the leader included, so it may be first; it
/// hands the status over here, and the supervisor thread, finding the child already reaped (ECHILD), takes it
/// from here instead of recording an unknown exit.
public enum TracerReaped {
    private static let statuses = Mutex<[Int32: ExitStatus]>([:])

    /// Called by a tracer that reaped process `pid`'s leader.
    public static func record(_ pid: Int32, _ status: ExitStatus) {
        statuses.withLock { $0[pid] = status }
    }

    /// The status a tracer collected for `pid`, once.
    static func take(_ pid: Int32) -> ExitStatus? {
        statuses.withLock { $0.removeValue(forKey: pid) }
    }
}
