import CChaosSys
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The one long-lived pthread that forks every child and reaps every child's exit.
///
/// Why one thread, for the life of the process:
/// - PR_SET_PDEATHSIG fires when the *thread* that forked a child exits. This thread never exits, so the
///   signal fires exactly when the controller process dies.
/// - It reaps per pid with `waitid(P_PID, pid, WEXITED|WNOHANG|__WNOTHREAD)`, only after the child's pidfd
///   turns readable. `__WNOTHREAD` limits the wait to this thread's own children and tracees, and this thread
///   never ptraces, so it can never steal a tracer thread's stop notifications or another component's child.
/// - Blocking (poll, fork) stays off the Swift cooperative pool.
final class SupervisorThread: Sendable {
    /// Shared by every `Supervisor` in the process.
    static let shared = SupervisorThread()

    private struct Watch {
        let child: ChildProcess
        let pidfd: Int32          // -1 where the kernel has no pidfd (before 5.3): polled instead
        let processGroup: Bool
        let onExit: @Sendable (ExitStatus) -> Void
        /// The pidfd reported an exit that `waitid` could not collect yet (a tracer still holds the zombie).
        var exitPending = false
    }

    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var watches: [Int32: Watch] = [:]
        var threadID: pid_t = 0
    }

    private let state = Mutex(State())
    /// An eventfd that wakes the loop when a job is queued.
    private let wakeFD: Int32
    /// How often to look at children whose exit cannot be waited for by pidfd.
    private static let pollInterval: Int32 = 20

    private init() {
        wakeFD = cchaos_eventfd()
        precondition(wakeFD >= 0, "eventfd failed: \(String(cString: strerror(errno))); chaos cannot supervise")
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            _ = cchaos_set_thread_name("chaos-spawner")
            state.withLock { $0.threadID = cchaos_gettid() }
            started.signal()
            run()
        }
        thread.start()
        started.wait()
    }

    /// Forks and execs `spec` on this thread and watches the child until it exits.
    ///
    /// - Parameters:
    ///   - registered: called on this thread before the exit watch is armed, so it runs before `onExit`.
    ///   - onExit: called once, on this thread, with the reaped status; keep it short.
    /// - Returns: the child, once exec succeeded.
    func spawn(
        _ spec: ProcessSpec, registered: @escaping @Sendable (ChildProcess) -> Void,
        onExit: @escaping @Sendable (ChildProcess, ExitStatus) -> Void
    ) throws(ControlError) -> ChildProcess {
        let result: Result<ChildProcess, ControlError> = perform { [self] in
            do throws(ControlError) {
                let pid = try spec.forkExec()
                let child = ChildProcess(pid: pid, startedAt: .now)
                registered(child)
                let pidfd = cchaos_pidfd_open(pid, 0)
                state.withLock {
                    $0.watches[pid] = Watch(child: child, pidfd: pidfd, processGroup: spec.newProcessGroup,
                                            onExit: { onExit(child, $0) })
                }
                return .success(child)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Sends `signal` to `child` (and its process group when `group` and the child has one).
    ///
    /// The watch table lock is held across the `kill`, and reaping takes the same lock, so the pid cannot
    /// have been recycled under us.
    /// - Returns: false when the child has already been reaped (nothing was sent).
    func signal(_ child: ChildProcess, _ signal: Int32, group: Bool) throws(ControlError) -> Bool {
        let outcome: Result<Bool, ControlError> = state.withLock { state in
            guard let watch = state.watches[child.pid], watch.child == child else {
                return .success(false)
            }
            let target = group && watch.processGroup ? -child.pid : child.pid
            if kill(target, signal) != 0 {
                let code = errno
                if code == ESRCH { // a zombie's group is empty, the zombie itself is still "alive"
                    return .success(true)
                }
                return .failure(ControlError(operation: "signal \(signal) to \(group ? "group" : "pid") \(child.pid)",
                                             call: "kill", errno: code, hint: "is chaos allowed to signal it?"))
            }
            return .success(true)
        }
        return try outcome.get()
    }

    /// Runs `body` on this thread and returns its result; runs inline when called from this thread.
    ///
    /// Also what puts mounts where the nodes see them: every child is forked here, so it starts in this
    /// thread's mount namespace (`DiskLayer`).
    func perform<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        if state.withLock({ $0.threadID }) == cchaos_gettid() {
            return body()
        }
        let box = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        state.withLock { $0.jobs.append { box.withLock { $0 = body() }; done.signal() } }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
        done.wait()
        return box.withLock { $0! }
    }

    /// The loop: run queued jobs, poll the wake fd and every child's pidfd, reap what exited.
    private func run() -> Never {
        while true {
            let jobs = state.withLock { state in
                defer { state.jobs.removeAll() }
                return state.jobs
            }
            jobs.forEach { $0() }

            let (watched, needsPolling) = state.withLock { state in
                (state.watches.values.filter { $0.pidfd >= 0 && !$0.exitPending }.map { ($0.child.pid, $0.pidfd) },
                 state.watches.values.contains { $0.pidfd < 0 || $0.exitPending })
            }
            var fds = [pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)]
            fds += watched.map { pollfd(fd: $0.1, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), needsPolling ? Self.pollInterval : -1)
            if ready < 0 {
                continue // EINTR; anything else cannot happen with valid fds, and the next pass retries
            }
            if fds[0].revents != 0 {
                var count: UInt64 = 0
                _ = read(wakeFD, &count, MemoryLayout<UInt64>.size)
            }
            var candidates = zip(watched, fds.dropFirst()).filter { $0.1.revents != 0 }.map { $0.0.0 }
            if needsPolling {
                candidates += state.withLock { state in
                    state.watches.values.filter { $0.pidfd < 0 || $0.exitPending }.map { $0.child.pid }
                }
            }
            candidates.forEach(reap)
        }
    }

    /// Collects `pid`'s exit if it is there, and reports it.
    private func reap(_ pid: Int32) {
        let options = WEXITED | WNOHANG | cchaos_wnothread()
        let exited: (Watch, ExitStatus)? = state.withLock { state in
            guard var watch = state.watches[pid] else {
                return nil
            }
            var code: Int32 = 0
            var status: Int32 = 0
            var result: Int32
            repeat {
                result = cchaos_waitid_pid(pid, options, &code, &status)
            } while result != 0 && errno == EINTR
            let exitStatus: ExitStatus
            if result != 0 {
                // ECHILD: someone else in this process waited for it (a wait(-1) somewhere); the code is lost.
                exitStatus = .exited(-1)
            } else if code == 0 {
                watch.exitPending = true // readable pidfd but not collectable: a tracer holds it for now
                state.watches[pid] = watch
                return nil
            } else if code == cchaos_cld_exited() {
                exitStatus = .exited(status)
            } else if code == cchaos_cld_killed() || code == cchaos_cld_dumped() {
                exitStatus = .signaled(status, coreDumped: code == cchaos_cld_dumped())
            } else {
                return nil // stopped/continued cannot come with WEXITED only
            }
            state.watches[pid] = nil
            if watch.pidfd >= 0 {
                close(watch.pidfd)
            }
            return (watch, exitStatus)
        }
        if let (watch, status) = exited {
            watch.onExit(status)
        }
    }
}
