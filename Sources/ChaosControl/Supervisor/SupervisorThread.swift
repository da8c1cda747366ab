import CChaosSys
import ChaosSupport
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
        /// Polls left for a tracer to hand over a status it reaped (`TracerReaped`) before the exit counts as lost.
        var tracerGrace = 5
    }

    /// Every child not yet reaped, by pid.
    private final class Watches: Sendable {
        let byPID = Mutex<[Int32: Watch]>([:])
    }

    private let watches: Watches
    private let thread: DedicatedThread
    /// How often to look at children whose exit cannot be waited for by pidfd.
    private static let pollInterval: Int32 = 20

    private init() {
        let watches = Watches()
        self.watches = watches
        thread = DedicatedThread(name: "chaos-spawner", idle: { wake in Self.awaitExits(watches, wake: wake) })
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
                watches.byPID.withLock {
                    $0[pid] = Watch(child: child, pidfd: pidfd, processGroup: spec.newProcessGroup,
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
        let outcome: Result<Bool, ControlError> = watches.byPID.withLock { watches in
            guard let watch = watches[child.pid], watch.child == child else {
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
        thread.perform(body)
    }

    /// The thread's wait between jobs: poll the wake fd and every child's pidfd, reap what exited.
    private static func awaitExits(_ watches: Watches, wake: Int32) {
        let (watched, needsPolling) = watches.byPID.withLock { watches in
            (watches.values.filter { $0.pidfd >= 0 && !$0.exitPending }.map { ($0.child.pid, $0.pidfd) },
             watches.values.contains { $0.pidfd < 0 || $0.exitPending })
        }
        var fds = [pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        fds += watched.map { pollfd(fd: $0.1, events: Int16(POLLIN), revents: 0) }
        let ready = poll(&fds, nfds_t(fds.count), needsPolling ? pollInterval : -1)
        if ready < 0 {
            return // EINTR; anything else cannot happen with valid fds, and the next pass retries
        }
        var candidates = zip(watched, fds.dropFirst()).filter { $0.1.revents != 0 }.map { $0.0.0 }
        if needsPolling {
            candidates += watches.byPID.withLock { watches in
                watches.values.filter { $0.pidfd < 0 || $0.exitPending }.map { $0.child.pid }
            }
        }
        candidates.forEach { reap($0, in: watches) }
    }

    /// Collects `pid`'s exit if it is there, and reports it.
    private static func reap(_ pid: Int32, in watches: Watches) {
        let options = WEXITED | WNOHANG | cchaos_wnothread()
        let exited: (Watch, ExitStatus)? = watches.byPID.withLock { watches in
            guard var watch = watches[pid] else {
                return nil
            }
            var code: Int32 = 0
            var status: Int32 = 0
            var result: Int32
            repeat {
                result = cchaos_waitid_pid(pid, options, &code, &status)
            } while result != 0 && errno == EINTR
            let exitStatus: ExitStatus
            if result != 0, let taken = TracerReaped.take(pid) {
                exitStatus = taken  // a tracer thread of chaos reaped it first and handed the status over
            } else if result != 0, watch.tracerGrace > 0 {
                // ECHILD: a tracer may have reaped it a moment ago and not yet handed the status over.
                watch.tracerGrace -= 1
                watch.exitPending = true
                watches[pid] = watch
                return nil
            } else if result != 0 {
                // ECHILD: someone else in this process waited for it (a wait(-1) somewhere); the code is lost.
                exitStatus = .exited(-1)
            } else if code == 0 {
                watch.exitPending = true // readable pidfd but not collectable: a tracer holds it for now
                watches[pid] = watch
                return nil
            } else if code == cchaos_cld_exited() {
                exitStatus = .exited(status)
            } else if code == cchaos_cld_killed() || code == cchaos_cld_dumped() {
                exitStatus = .signaled(status, coreDumped: code == cchaos_cld_dumped())
            } else {
                return nil // stopped/continued cannot come with WEXITED only
            }
            watches[pid] = nil
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
