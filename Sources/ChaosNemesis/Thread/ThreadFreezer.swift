import CChaosSys
import ChaosControl
import ChaosSupport
import Foundation

/// Freezes single threads of a node (its WAL writer, say) with ptrace, without cooperation from the node:
/// `PTRACE_SEIZE` + `PTRACE_INTERRUPT` per thread, confirmed in tracing stop before the fault counts as applied,
/// and `PTRACE_DETACH` to resume.
///
/// Every ptrace call must come from the thread that attached, so all of them run on one dedicated tracer thread
/// fed by a request queue. That thread also reaps the exits of traced threads (a node killed while frozen),
/// without which the node's process could never be reaped. If the controller dies, the kernel detaches its
/// tracees and they run on: frozen threads are released by construction.
public final class ThreadFreezer: Sendable {
    /// The tracer thread; every ptrace call runs there.
    private let thread: DedicatedThread
    /// What the tracer thread has attached; touched only by jobs on that thread.
    private let tracer: TracerState

    /// The one tracer of this process: its thread lives as long as the process, like the tracees it may hold.
    public static let shared = ThreadFreezer()

    private init() {
        let tracer = TracerState()
        self.tracer = tracer
        // Between requests the thread collects traced threads that died, at least every 20 ms.
        thread = DedicatedThread(name: "chaos-tracer", idle: { wake in
            var fd = pollfd(fd: wake, events: Int16(POLLIN), revents: 0)
            _ = poll(&fd, 1, 20)
            tracer.state.reapExited()
        })
    }

    /// Freezes every thread of `pid` whose name matches `pattern` (a regular expression on
    /// `/proc/PID/task/*/comm`).
    /// - Returns: the frozen threads and the time from the call until all of them were confirmed stopped.
    /// - Throws: `NemesisError` when no thread matches (listing the node's thread names) or ptrace is refused.
    public func freeze(pid: Int32, matching pattern: String) async throws(NemesisError) -> ([ThreadInfo], Duration) {
        let matching = try Self.threads(of: pid, matching: pattern)
        let result = await thread.run { [tracer] in tracer.state.freeze(pid: pid, matching) }
        return (matching, try result.get())
    }

    /// The threads of `pid` whose names match `pattern`.
    /// - Throws: `NemesisError` for a bad pattern, or when nothing matches (listing the process's thread names).
    static func threads(of pid: Int32, matching pattern: String) throws(NemesisError) -> [ThreadInfo] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else {
            throw .injectFailed("thread pattern '\(pattern)' is not a regular expression")
        }
        let all = ProcReader.threads(pid: pid)
        let found = all.filter { regex.firstMatch(in: $0.name, range: NSRange($0.name.startIndex..., in: $0.name)) != nil }
        guard !found.isEmpty else {
            let names = Set(all.map(\.name)).sorted().joined(separator: ", ")
            throw .injectFailed("no thread of pid \(pid) matches '\(pattern)'; its threads are: \(names)")
        }
        return found
    }

    /// Resumes the given threads (those that still exist).
    public func release(_ tids: [Int32]) async {
        await thread.run { [tracer] in tracer.state.release(tids) }
    }

    /// Freezes exactly `threads` of `pid` and returns once they are in tracing stop, blocking the calling thread
    /// (for callers on a thread of their own, such as the `jitter` fault's freeze loop).
    func freezeBlocking(pid: Int32, threads: [ThreadInfo]) -> Result<Duration, NemesisError> {
        thread.perform { [tracer] in tracer.state.freeze(pid: pid, threads) }
    }

    /// Resumes `tids`, blocking the calling thread until the tracer has detached them.
    func releaseBlocking(_ tids: [Int32]) {
        thread.perform { [tracer] in tracer.state.release(tids) }
    }
}

/// The tracer's state, shared with the jobs that run on the tracer thread and with nothing else, so it needs no
/// lock: ptrace ties every attachment to that one thread anyway.
private final class TracerState: @unchecked Sendable {
    var state = Tracer()
}

/// The tracer thread's own state: which threads it has attached. Only ever touched on that thread.
private struct Tracer {
    var attached: Set<Int32> = []

    mutating func freeze(pid: Int32, _ threads: [ThreadInfo]) -> Result<Duration, NemesisError> {
        let start = ContinuousClock.now
        for thread in threads where !attached.contains(thread.tid) {
            guard cchaos_ptrace_seize(thread.tid, 0) == 0 else {
                let why = String(cString: strerror(errno))
                release(Array(attached.intersection(threads.map(\.tid))))
                return .failure(.injectFailed(
                    "ptrace seize of thread \(thread.tid) ('\(thread.name)') of pid \(pid) failed: \(why); "
                        + "run as root or set kernel.yama.ptrace_scope=1"))
            }
            attached.insert(thread.tid)
            guard cchaos_ptrace_interrupt(thread.tid) == 0 else {
                let why = String(cString: strerror(errno))
                return .failure(.injectFailed("ptrace interrupt of thread \(thread.tid) failed: \(why)"))
            }
        }
        // Confirm every thread is in tracing stop before the fault counts as applied.
        for thread in threads {
            guard awaitStop(thread.tid) else {
                return .failure(.injectFailed("thread \(thread.tid) ('\(thread.name)') did not stop within 2 s"))
            }
        }
        return .success(ContinuousClock.now - start)
    }

    /// Waits for the ptrace stop of `tid` (the tracee may be any thread, hence `__WALL`; `__WNOTHREAD` keeps
    /// other threads' children out of it).
    private func awaitStop(_ tid: Int32) -> Bool {
        let deadline = ContinuousClock.now + .seconds(2)
        var code: Int32 = 0
        var status: Int32 = 0
        while ContinuousClock.now < deadline {
            let options = WSTOPPED | WNOHANG | cchaos_wall() | cchaos_wnothread()
            if cchaos_waitid_pid(tid, options, &code, &status) != 0 { return false }
            if code == CLD_TRAPPED || code == CLD_STOPPED { return true }
            usleep(50)
        }
        return false
    }

    mutating func release(_ tids: [Int32]) {
        for tid in tids where attached.contains(tid) {
            if cchaos_ptrace_detach(tid, 0) == 0 {
                attached.remove(tid)
                continue
            }
            // Not in a ptrace stop: either not stopped yet (the interrupt is pending: wait for the stop, then
            // detach), or exiting because its node was killed. An exiting tracee stays attached so that
            // `reapExited` collects it: a traced thread nobody reaps keeps its whole process from ever being
            // reported as exited, and the supervisor waiting for that exit would wait forever.
            if awaitStop(tid), cchaos_ptrace_detach(tid, 0) == 0 { attached.remove(tid) }
        }
    }

    /// Collects traced threads that died (their node was killed), so the node's process can be reaped.
    mutating func reapExited() {
        for tid in attached {
            var code: Int32 = 0
            var status: Int32 = 0
            let options = WEXITED | WNOHANG | cchaos_wall() | cchaos_wnothread()
            if cchaos_waitid_pid(tid, options, &code, &status) != 0 && errno == ECHILD {
                attached.remove(tid)
            } else if code == CLD_EXITED || code == CLD_KILLED || code == CLD_DUMPED {
                attached.remove(tid)
            }
        }
    }
}
