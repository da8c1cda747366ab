import CChaosSys
import ChaosControl
import ChaosPlan
import Foundation
import Synchronization

/// The `jitter` fault's `stop_at`: breakpoints at the entry of the chosen functions of a node, and a thread that
/// reaches one held there for a random pause — as DataCollider delays a thread at a sampled instruction. A race
/// window that begins where a function is entered (a registration after a check, a write after a close was
/// decided) is then held open for milliseconds at the moment the thread is in it, instead of waiting for the
/// kernel to preempt it there by chance.
///
/// Every thread of the node is traced (PTRACE_SEIZE, new threads too through PTRACE_O_TRACECLONE) before the
/// trap instruction is written into the process's text through /proc/PID/mem; a thread that hits it stops, is held
/// or not (`chance`, only threads whose name matches `threads`), and is let through by putting the original
/// instruction back for one single step (`stop_one` on x86_64 writes no trap: the one thread held gets hardware
/// breakpoints instead). Every ptrace call runs on the session's own thread, which is the tracer.
/// Heal puts every original instruction back and detaches every thread (a held one where it stood). If the
/// controller dies, the nodes die with it (PR_SET_PDEATHSIG); a breakpoint left in a process whose tracer is gone
/// would kill it with SIGTRAP, which is the same end.
public final class CodeStops: Sendable {
    struct Counts: Sendable {
        var hits = 0
        var held = 0
        var heldTime: Duration = .zero
        /// Processes attached (more than one when the node was restarted during the fault).
        var attached = 0
        var threads = 0
        var failure: String?
    }

    let node: String
    let functions: [ElfFunctions.Function]
    private let stopping = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    private let counts = Mutex(Counts())

    /// Resolves the functions, attaches to the node and writes the breakpoints before returning, so a pattern
    /// that names nothing or a refusal fails the injection.
    /// - Throws: `NemesisError` with the reason and what to do.
    static func start(_ jitter: SchedulingJitter, pattern: String, node: String, seed: UInt64,
                      pidOf: @escaping @Sendable () -> Int32?) throws(NemesisError) -> CodeStops {
        var trap = [UInt8](repeating: 0, count: 4)
        let length = Int(cchaos_bp_trap(&trap))
        guard length > 0 else {
            throw .injectFailed("stop_at: code breakpoints exist on x86_64 and aarch64 only; drop 'stop_at' here")
        }
        guard let pid = pidOf() else { throw .injectFailed("jitter: \(node) is not running") }
        guard let (exe, _) = ElfFunctions.mapping(of: pid) else {
            throw .injectFailed("stop_at: cannot read /proc/\(pid)/exe and maps of \(node); run chaos as root")
        }
        guard let regex = try? Regex(pattern) else { throw .injectFailed("stop_at: '\(pattern)' is no regular expression") }
        let functions = try ElfFunctions.read(path: exe).matching(regex)
        guard !functions.isEmpty else {
            throw .injectFailed("stop_at: no function of \(exe) matches '\(pattern)'; list them with "
                                + "`nm -C \(exe) | grep -i <part of the name>` (C, C++) or `nm \(exe) | swift demangle "
                                + "| grep ...` (Swift)")
        }
        guard functions.count <= maxFunctions else {
            let some = functions.prefix(5).map(\.name).joined(separator: "; ")
            throw .injectFailed("stop_at: '\(pattern)' matches \(functions.count) functions of \(exe) (at most "
                                + "\(maxFunctions)), e.g. \(some); make it narrower")
        }
        let session = CodeStops(node: node, functions: functions)
        let attached = DispatchSemaphore(value: 0)
        let first = Mutex<Result<Void, NemesisError>?>(nil)
        let settings = CodeStopTracer.Settings(
            trap: Array(trap.prefix(length)), pcOffset: UInt64(cchaos_bp_pc_offset()), threads: jitter.threads,
            chance: jitter.stopChance, one: jitter.stopOne, minPause: jitter.minPause, maxPause: jitter.maxPause)
        let thread = Thread {
            _ = cchaos_set_thread_name("chaos-stops")
            // A thread stopped at a breakpoint it only passes waits for this thread's next poll: wake on time
            // (the default slack of 50 µs would double the wait).
            _ = cchaos_set_timer_slack(1_000)
            var tracer = CodeStopTracer(settings: settings, functions: functions, seed: seed)
            session.run(&tracer, pid: pid, pidOf: pidOf) { result in
                first.withLock { $0 = result }
                attached.signal()
            }
        }
        thread.name = "chaos-stops"
        thread.start()
        attached.wait()
        if case .failure(let error)? = first.withLock({ $0 }) {
            session.done.wait()
            throw error
        }
        return session
    }

    /// Whether chaos has breakpoints for this machine's architecture.
    public static var architectureSupported: Bool {
        var trap = [UInt8](repeating: 0, count: 4)
        return cchaos_bp_trap(&trap) > 0
    }

    /// More breakpoints than this is no aim at a window any more, and every one costs each pass a stop.
    static let maxFunctions = 64

    private init(node: String, functions: [ElfFunctions.Function]) {
        self.node = node
        self.functions = functions
    }

    /// Puts every instruction back and detaches every thread. - Returns: what was done, for the heal event.
    func stop() -> String {
        stopping.store(true, ordering: .releasing)
        done.wait()
        return summary
    }

    var description: String {
        let names = functions.prefix(3).map(\.name).joined(separator: "; ") + (functions.count > 3 ? "; …" : "")
        return "breakpoints at \(functions.count) function\(functions.count == 1 ? "" : "s") (\(names))"
    }

    /// `412 passes, 37 held (0.1s in all), 2 processes`.
    var summary: String {
        let c = counts.withLock { $0 }
        return "\(c.hits) passes through \(functions.count == 1 ? "the breakpoint" : "the breakpoints"), \(c.held) held "
            + "(\(Units.format(c.heldTime)) in all) in \(c.threads) traced threads"
            + (c.attached > 1 ? " of \(c.attached) processes" : "") + (c.failure.map { "; \($0)" } ?? "")
    }

    var heldCount: Int { counts.withLock { $0.held } }

    // MARK: - The tracer thread

    /// The session's loop: attach, then handle the tracees' stops and release held threads until stopped;
    /// follows the node to a new process when it was restarted.
    private func run(_ tracer: inout CodeStopTracer, pid: Int32, pidOf: @Sendable () -> Int32?,
                     started: (Result<Void, NemesisError>) -> Void) {
        defer { done.signal() }
        let result = tracer.attach(pid)
        started(result)
        guard case .success = result else { return }
        counts.withLock { $0.attached = 1 }
        var nextCheck = ContinuousClock.now + .milliseconds(100)
        var lastEvent = ContinuousClock.now
        while !stopping.load(ordering: .acquiring) {
            let handled = tracer.handlePending()
            tracer.releaseDue()
            let now = ContinuousClock.now
            if handled { lastEvent = now }
            if now >= nextCheck {
                nextCheck = now + .milliseconds(100)
                if let current = pidOf(), current != tracer.pid, tracer.isIdle {
                    // The node was restarted: its old process is gone, the new one gets the same breakpoints.
                    if case .failure(let error) = tracer.attach(current) {
                        counts.withLock { $0.failure = "restarted \(node) not attached: \(error)" }
                    } else {
                        counts.withLock { $0.attached += 1 }
                    }
                }
                publish(tracer)
            }
            // Right after activity, poll finely: a thread stopped at a breakpoint it passes waits for this loop.
            if !handled { JitterSession.sleep(now - lastEvent < .milliseconds(50) ? .microseconds(20) : .milliseconds(1)) }
        }
        tracer.detachAll()
        publish(tracer)
    }

    private func publish(_ tracer: CodeStopTracer) {
        counts.withLock { c in
            c.hits = tracer.hits
            c.held = tracer.held
            c.heldTime = tracer.heldTime
            c.threads = tracer.threadsSeen
        }
    }
}
