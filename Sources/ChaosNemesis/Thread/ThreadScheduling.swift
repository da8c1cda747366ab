import CChaosSys
import ChaosPlan
import Foundation

/// A thread's CPU affinity, scheduling policy and nice value: read before the `jitter` fault changes them, and
/// written back when it heals.
struct ThreadScheduling: Sendable, Equatable {
    static let maskBytes = 128

    var affinity: [UInt8]
    var policy: Int32
    var priority: Int32
    var nice: Int32

    /// - Returns: nil when the thread is gone.
    static func read(_ tid: Int32) -> ThreadScheduling? {
        var mask = [UInt8](repeating: 0, count: maskBytes)
        var policy: Int32 = 0
        var priority: Int32 = 0
        var nice: Int32 = 0
        guard cchaos_get_affinity(tid, &mask, Int32(maskBytes)) == 0,
              cchaos_get_scheduler(tid, &policy, &priority) == 0,
              cchaos_get_nice(tid, &nice) == 0 else { return nil }
        return ThreadScheduling(affinity: mask, policy: policy, priority: priority, nice: nice)
    }

    /// Writes these settings back to `tid`. - Returns: the errno of the first call that failed, or nil.
    func restore(_ tid: Int32) -> Int32? {
        var failure: Int32?
        if cchaos_set_affinity(tid, affinity, Int32(Self.maskBytes)) != 0 { failure = failure ?? errno }
        if cchaos_set_scheduler(tid, policy, priority) != 0 { failure = failure ?? errno }
        if cchaos_set_nice(tid, nice) != 0 { failure = failure ?? errno }
        return failure
    }

    /// Confines `tid` to `cpu`. - Throws: `NemesisError` with the reason and the remedy.
    static func confine(_ tid: Int32, to cpu: Int) throws(NemesisError) {
        guard cchaos_set_affinity_one(tid, Int32(cpu)) == 0 else {
            let code = errno
            if code == EINVAL {
                throw .injectFailed("jitter: cpu \(cpu) is not one this machine lets the node run on "
                                    + "(it has \(cchaos_cpu_count()) usable CPUs, numbered from 0)")
            }
            throw .injectFailed("jitter: sched_setaffinity of thread \(tid) failed: \(String(cString: strerror(code)))"
                                + "; run chaos as the nodes' user or as root (CAP_SYS_NICE)")
        }
    }

    /// Lowers `tid` to SCHED_IDLE or to a nice value. - Throws: `NemesisError` with the reason and the remedy.
    static func lower(_ tid: Int32, to priority: SchedulingJitter.Priority) throws(NemesisError) {
        let ok = switch priority {
        case .idle: cchaos_set_scheduler(tid, cchaos_sched_idle(), 0) == 0
        case .nice(let value): cchaos_set_nice(tid, Int32(value)) == 0
        }
        guard ok else {
            throw .injectFailed("jitter: lowering thread \(tid) failed: \(String(cString: strerror(errno)))"
                                + "; run chaos as the nodes' user or as root (CAP_SYS_NICE)")
        }
    }
}
