import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Starts node processes, captures their output into files, sees every exit, signals and stops them, and
/// makes sure they never outlive the controller.
///
/// Forking and reaping happen on one dedicated thread (see `SupervisorThread`): children get
/// PR_SET_PDEATHSIG(SIGKILL) tied to a thread that lives as long as the process, and exits are collected per
/// pid, never with `wait(-1)`, so a ptrace tracer thread keeps its stop notifications.
public final class Supervisor: Sendable {
    /// Every exit of a child of this supervisor, once each, in the order they were reaped.
    ///
    /// An `AsyncStream` has one consumer (the cluster); others await `exitStatus(of:)`.
    public let exits: AsyncStream<(ChildProcess, ExitStatus)>

    private struct Record {
        var status: ExitStatus?
        var waiters: [CheckedContinuation<ExitStatus, Never>] = []
    }

    private let records = Mutex<[ChildProcess: Record]>([:])
    private let exitSink: AsyncStream<(ChildProcess, ExitStatus)>.Continuation
    private let thread = SupervisorThread.shared

    public init() {
        (exits, exitSink) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    /// Starts `spec` as a new child process.
    ///
    /// Returns once `execve` succeeded; a restart is simply another `spawn` of the same spec (the output
    /// files are appended to).
    /// - Throws: `ControlError` when any step fails — a missing executable, an unwritable log file, a
    ///   namespace that cannot be entered — naming the value and the failing call.
    public func spawn(_ spec: ProcessSpec) throws -> ChildProcess {
        try thread.spawn(spec, registered: { [self] child in
            records.withLock { $0[child] = Record() }
        }, onExit: { [self] child, status in
            didExit(child, status)
        })
    }

    /// Sends `signal` to the child process.
    /// - Throws: `ControlError` (ESRCH) when the child has already exited, or when `kill` fails.
    public func signal(_ child: ChildProcess, _ signal: Int32) throws {
        try send(signal, to: child, group: false)
    }

    /// Sends `signal` to the child's whole process group (the node and anything it started), or to the
    /// child alone when it was spawned without a process group of its own.
    /// - Throws: `ControlError` (ESRCH) when the child has already exited, or when `kill` fails.
    public func signalGroup(_ child: ChildProcess, _ signal: Int32) throws {
        try send(signal, to: child, group: true)
    }

    /// Resolves when the child exits (any number of awaiters; immediately if it already has).
    ///
    /// `child` must come from this supervisor's `spawn`.
    public func exitStatus(of child: ChildProcess) async -> ExitStatus {
        await withCheckedContinuation { continuation in
            let ready: ExitStatus? = records.withLock { records in
                if let status = records[child]?.status {
                    return status
                }
                records[child, default: Record()].waiters.append(continuation)
                return nil
            }
            if let ready {
                continuation.resume(returning: ready)
            }
        }
    }

    /// The exit status if the child has exited, nil while it runs.
    public func currentStatus(of child: ChildProcess) -> ExitStatus? {
        records.withLock { $0[child]?.status }
    }

    /// SIGTERM (plus SIGCONT, in case it is paused), wait up to `grace`, then SIGKILL (to the process group)
    /// if it is still running.
    /// - Parameter willKill: called just before the SIGKILL, so that whoever records the exit (which may happen
    ///   before this returns) knows it was escalated.
    /// - Returns: the exit status and whether SIGKILL was needed.
    public func terminate(_ child: ChildProcess, grace: Duration, willKill: @Sendable () -> Void = {}) async
        -> (ExitStatus, escalated: Bool) {
        if let status = currentStatus(of: child) {
            return (status, false)
        }
        try? signal(child, SIGTERM)
        // A SIGSTOPped (paused) node would sit on the SIGTERM until the deadline; let it handle it.
        try? signal(child, SIGCONT)
        return await withTaskGroup(of: ExitStatus?.self) { group in
            group.addTask { await self.exitStatus(of: child) }
            group.addTask {
                try? await Task.sleep(for: grace)
                return nil
            }
            if let first = await group.next(), let status = first {
                group.cancelAll()
                return (status, false)
            }
            willKill()
            try? signalGroup(child, SIGKILL)
            try? signal(child, SIGKILL)
            while let next = await group.next() {
                if let status = next {
                    return (status, true)
                }
            }
            return (await exitStatus(of: child), true) // not reached: the exit task always yields a status
        }
    }

    /// The children that have not exited yet.
    public var liveChildren: [ChildProcess] {
        records.withLock { $0.filter { $0.value.status == nil }.map(\.key) }
            .sorted { $0.startedAt < $1.startedAt }
    }

    /// SIGKILLs every live child (and its process group) and waits until each has been reaped.
    ///
    /// For the end of a run and for Ctrl-C.
    public func killAll() async {
        let live = liveChildren
        for child in live {
            try? signalGroup(child, SIGKILL)
            try? signal(child, SIGKILL)
        }
        for child in live {
            _ = await exitStatus(of: child)
        }
    }

    private func send(_ signal: Int32, to child: ChildProcess, group: Bool) throws(ControlError) {
        if try !thread.signal(child, signal, group: group) {
            let status = currentStatus(of: child)?.description ?? "status not yet reported"
            throw ControlError(operation: "signal \(signal) to \(child)", call: "kill", errno: ESRCH,
                               hint: "the process has already exited (\(status))")
        }
    }

    /// Called once per child, on the supervisor thread, right after it was reaped.
    private func didExit(_ child: ChildProcess, _ status: ExitStatus) {
        let waiters = records.withLock { records in
            records[child, default: Record()].status = status
            defer { records[child]?.waiters.removeAll() }
            return records[child]?.waiters ?? []
        }
        waiters.forEach { $0.resume(returning: status) }
        exitSink.yield((child, status))
    }
}
