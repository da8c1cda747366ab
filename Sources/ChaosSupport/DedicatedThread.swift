import CChaosSys
import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One long-lived pthread that runs queued jobs in order, for work the kernel ties to a thread: `setns` changes
/// only the calling thread, ptrace requests must come from the thread that attached, and a parent-death signal
/// fires when the thread that forked the child exits.
///
/// The thread never exits. Between jobs it waits in `idle`, which gets the queue's wake file descriptor (an
/// eventfd, readable when a job is queued) so it can wait for its own events too — children's pidfds, a reaping
/// period — and must return once that fd is readable. The default waits for jobs only.
public final class DedicatedThread: Sendable {
    /// What the thread and its callers share.
    private final class Shared: Sendable {
        let jobs = Mutex<[@Sendable () -> Void]>([])
        let threadID = Mutex<pid_t>(0)
    }
    private let shared = Shared()
    /// Readable while jobs are queued; drained by the thread before it runs them.
    private let wakeFD: Int32

    /// Starts the thread named `name` (at most 15 bytes show in `/proc/PID/task/*/comm`).
    /// - Parameters:
    ///   - setUp: runs first on the new thread, before any job (e.g. remember the thread's own namespace).
    ///   - idle: waits between jobs; returns when `wake` is readable, after doing its own work if it has any.
    public init(name: String, setUp: @escaping @Sendable () -> Void = {},
                idle: @escaping @Sendable (_ wake: Int32) -> Void = DedicatedThread.waitForJobs) {
        let wakeFD = cchaos_eventfd()
        precondition(wakeFD >= 0, "eventfd failed: \(errnoText(errno)); chaos cannot start its \(name) thread")
        self.wakeFD = wakeFD
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [shared] in
            _ = cchaos_set_thread_name(name)
            shared.threadID.withLock { $0 = cchaos_gettid() }
            setUp()
            started.signal()
            while true {
                var count: UInt64 = 0
                _ = read(wakeFD, &count, MemoryLayout<UInt64>.size) // non-blocking: clears the wake-up
                let queued = shared.jobs.withLock { pending in
                    defer { pending.removeAll() }
                    return pending
                }
                queued.forEach { $0() }
                if shared.jobs.withLock({ $0.isEmpty }) { idle(wakeFD) }
            }
        }
        thread.start()
        started.wait()
    }

    /// The default `idle`: sleeps until a job is queued.
    public static func waitForJobs(_ wake: Int32) {
        var fd = pollfd(fd: wake, events: Int16(POLLIN), revents: 0)
        _ = poll(&fd, 1, -1) // EINTR only returns early; the loop then looks for jobs and waits again
    }

    /// True on the dedicated thread itself.
    public var isCurrent: Bool { shared.threadID.withLock { $0 } == cchaos_gettid() }

    /// Queues `job` and returns at once; jobs run in the order they were queued.
    public func submit(_ job: @escaping @Sendable () -> Void) {
        shared.jobs.withLock { $0.append(job) }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, MemoryLayout<UInt64>.size)
    }

    /// Runs `body` on the thread and returns its result, blocking the caller; inline when called from the thread
    /// itself (a job that needs another job's work must not wait for itself).
    public func perform<T: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () throws(Failure) -> T
    ) throws(Failure) -> T {
        if isCurrent { return try body() }
        // The closure is taken out of `pending` and released before the caller wakes: callers may pass closures
        // made with `withoutActuallyEscaping`, which must be gone by the time the caller returns.
        let pending = Mutex<(@Sendable () throws(Failure) -> T)?>(body)
        let outcome = Mutex<Result<T, Failure>?>(nil)
        let done = DispatchSemaphore(value: 0)
        submit {
            let result = Self.evaluate(pending)
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try outcome.withLock { $0! }.get()
    }

    /// Runs the closure held in `pending` once, leaving `pending` empty; the closure is released on return.
    private static func evaluate<T, Failure: Error>(
        _ pending: borrowing Mutex<(@Sendable () throws(Failure) -> T)?>
    ) -> Result<T, Failure> {
        let body = pending.withLock { $0.take() }!
        do throws(Failure) { return .success(try body()) } catch { return .failure(error) }
    }

    /// Runs `body` on the thread without blocking a cooperative-pool thread: the task is suspended meanwhile.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        if isCurrent { return body() }
        return await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: body()) }
        }
    }
}
