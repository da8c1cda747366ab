import CChaosSys
import Foundation
import Synchronization

/// What the `jitter` fault may do on this machine, tried for real on a throw-away thread of the controller:
/// confine it to one CPU and back, lower it to SCHED_IDLE and back, nice 19 and back. Lowering is always allowed;
/// undoing it (which the heal must do) needs CAP_SYS_NICE or an RLIMIT_NICE of 20.
public enum SchedulingProbe {
    public struct Answer: Sendable {
        public var affinity: Bool
        public var lowering: Bool
        public var detail: String
        public var remedy: String

        public init(affinity: Bool, lowering: Bool, detail: String, remedy: String) {
            self.affinity = affinity
            self.lowering = lowering
            self.detail = detail
            self.remedy = remedy
        }
    }

    public static func run() -> Answer {
        let result = Mutex<Answer?>(nil)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result.withLock { $0 = probeCallingThread() }
            done.signal()
        }
        thread.start()
        done.wait()
        return result.withLock { $0! }
    }

    private static func probeCallingThread() -> Answer {
        let tid = cchaos_gettid()
        let cpus = cchaos_cpu_count()
        var problems: [String] = []
        var affinity = false
        if let before = ThreadScheduling.read(tid) {
            affinity = cchaos_set_affinity_one(tid, 0) == 0
                && cchaos_set_affinity(tid, before.affinity, Int32(ThreadScheduling.maskBytes)) == 0
            if !affinity { problems.append("sched_setaffinity: \(String(cString: strerror(errno)))") }
        }
        var lowering = cchaos_set_scheduler(tid, cchaos_sched_idle(), 0) == 0
            && cchaos_set_scheduler(tid, cchaos_sched_other(), 0) == 0
        if !lowering { problems.append("SCHED_IDLE and back: \(String(cString: strerror(errno)))") }
        if lowering {
            lowering = cchaos_set_nice(tid, 19) == 0 && cchaos_set_nice(tid, 0) == 0
            if !lowering { problems.append("nice 19 and back: \(String(cString: strerror(errno)))") }
        }
        let detail = problems.isEmpty
            ? "one CPU of \(cpus), SCHED_IDLE and nice, each undone (tried on a thread of chaos)"
            : problems.joined(separator: "; ")
        return Answer(affinity: affinity, lowering: lowering, detail: detail,
                      remedy: "run chaos as root, or give it CAP_SYS_NICE (setcap cap_sys_nice+ep), or raise "
                          + "RLIMIT_NICE to 20 (ulimit -e 20) so a lowered thread can be raised back")
    }
}
