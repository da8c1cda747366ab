import NIOCore
import NIOPosix

/// One event loop that a workload client lives on: the task executor its task prefers, the loop its
/// connections are bootstrapped on, and the clock its waits are scheduled on.
///
/// Why: a client task on the global cooperative pool changes thread twice per request — to the connection's
/// event loop for the write and back to the pool for the continuation — and each change is an eventfd write or
/// a futex wake; once JSON was cheap, that hand-off was the largest cost per operation left. With the task
/// on its connections' loop (`withTaskExecutorPreference` / `addTask(executorPreference:)`), the write runs
/// straight into the channel pipeline and the response resumes the task from the same thread's task queue; a
/// rate limiter's or leader-follower's wait is a timer on that loop rather than on the global executor.
///
/// Blocking work does not belong on it (it would stall every connection of the loop); the clients only record
/// into the history's buffer under a short lock.
public final class ClientLoop: TaskExecutor {
    public let eventLoop: any EventLoop

    public init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// The next loop of NIO's shared group (the one every `HTTPEndpoint` uses by default): successive calls go
    /// round the group's threads, so clients spread over the cores.
    public static func next() -> ClientLoop {
        ClientLoop(MultiThreadedEventLoopGroup.singleton.next())
    }

    /// Whether the caller runs on this loop's thread.
    public var inLoop: Bool { eventLoop.inEventLoop }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // From the loop itself (a response resuming its task) this only queues the job: no wake-up.
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }

    /// Waits `delay` on the loop's timer (returns at once for a delay not in the future), or until the task is
    /// cancelled, whichever comes first — like `try? await Task.sleep(for:)`, without the global executor's timer.
    public func sleep(for delay: Duration) async {
        guard delay > .zero else { return }
        let scheduled = eventLoop.scheduleTask(in: TimeAmount(delay)) {}
        await withTaskCancellationHandler {
            _ = try? await scheduled.futureResult.get()
        } onCancel: {
            scheduled.cancel()
        }
    }

    /// Waits until `instant` (see `sleep(for:)`).
    public func sleep(until instant: ContinuousClock.Instant) async {
        await sleep(for: instant - .now)
    }
}
