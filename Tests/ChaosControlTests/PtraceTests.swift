import CChaosSys
import Foundation
import Synchronization
import Testing
@testable import ChaosControl

/// The trap the supervisor's reaping is designed around: a tracer thread freezing a node's thread with
/// PTRACE_SEIZE + PTRACE_INTERRUPT must receive its own stop notification. A reaper that used `wait(-1)`, or
/// `waitid(P_PID, pid)` from any thread, would take it (the kernel reports a tracee's stops to every waiter in
/// the tracer's thread group) and the tracer would hang.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct PtraceTests {
    /// What the tracer thread saw, step by step.
    struct Trace: Sendable {
        var seized = false
        var stopCode: Int32 = 0
        var stateWhileStopped: Character?
        var detached = false
        var failure: String?
    }

    @Test("a tracer thread gets the stop of a supervised child's main thread, and detaching resumes it",
          .enabled(if: !FileManager.default.fileExists(atPath: "/proc/sys/kernel/yama/ptrace_scope")
                       || (try? String(contentsOfFile: "/proc/sys/kernel/yama/ptrace_scope", encoding: .utf8))?
                           .hasPrefix("3") == false,
                   "ptrace is disabled on this host (kernel.yama.ptrace_scope = 3)"))
    func tracerKeepsItsStops() async throws {
        let scratch = Scratch()
        let supervisor = Supervisor()
        let child = try supervisor.spawn(scratch.sleeper())

        // All ptrace calls come from this one thread, as the nemesis' tracer will do.
        let trace = Mutex(Trace())
        let done = DispatchSemaphore(value: 0)
        let tracer = Thread {
            defer { done.signal() }
            let tid = child.pid // the main thread: the case where a careless reaper would steal the stop
            guard cchaos_ptrace_seize(tid, 0) == 0 else {
                trace.withLock { $0.failure = "PTRACE_SEIZE: \(String(cString: strerror(errno)))" }
                return
            }
            trace.withLock { $0.seized = true }
            guard cchaos_ptrace_interrupt(tid) == 0 else {
                trace.withLock { $0.failure = "PTRACE_INTERRUPT: \(String(cString: strerror(errno)))" }
                return
            }
            var code: Int32 = 0
            var status: Int32 = 0
            let deadline = ContinuousClock.now + .seconds(5)
            // __WNOTHREAD: only this thread's tracees; __WALL: the tracee may be a non-main thread.
            let options = WSTOPPED | WNOHANG | cchaos_wall() | cchaos_wnothread()
            while code == 0 && ContinuousClock.now < deadline {
                if cchaos_waitid_pid(tid, options, &code, &status) != 0 {
                    trace.withLock { $0.failure = "waitid: \(String(cString: strerror(errno)))" }
                    return
                }
                if code == 0 {
                    usleep(1000)
                }
            }
            let state = ProcReader.state(pid: tid)
            let detached = cchaos_ptrace_detach(tid, 0) == 0
            trace.withLock {
                $0.stopCode = code
                $0.stateWhileStopped = state
                $0.detached = detached
            }
        }
        tracer.start()
        await withCheckedContinuation { continuation in
            Thread { done.wait(); continuation.resume() }.start()
        }

        let result = trace.withLock { $0 }
        #expect(result.failure == nil, "\(result.failure ?? "")")
        #expect(result.seized)
        #expect(result.stopCode == CLD_TRAPPED, "the tracer never saw the stop (code \(result.stopCode))")
        #expect(result.stateWhileStopped == "t", "tracing stop expected")
        #expect(result.detached)

        // Detached, the child runs on (sleeps) and the supervisor still owns its exit.
        var state = ProcReader.state(pid: child.pid)
        for _ in 0..<200 where state != "S" {
            try await Task.sleep(for: .milliseconds(5))
            state = ProcReader.state(pid: child.pid)
        }
        #expect(state == "S")
        #expect(supervisor.currentStatus(of: child) == nil)
        try supervisor.signal(child, SIGKILL)
        #expect(await supervisor.exitStatus(of: child) == .signaled(SIGKILL, coreDumped: false))
    }
}
