@testable import ChaosCore
import ChaosNet
import ChaosPlan
import Foundation
import Synchronization
import Testing

/// Plans that freeze threads by ptrace are refused before anything starts (exit 4, the located reason and the
/// remedy, no run directory) when the machine refuses ptrace; the machine's answer is injected, so the refusal
/// path is tested without touching the host's sysctls.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct PtraceRefusalTests {
    static let refused = Capabilities.Entry(
        name: "ptrace", available: false,
        detail: "PTRACE_SEIZE of a child failed: EPERM (Operation not permitted), yama ptrace_scope 3, "
            + "CAP_SYS_PTRACE yes, seccomp off",
        remedy: "kernel.yama.ptrace_scope is 3 (ptrace off until reboot): reboot with a lower scope, or give the "
            + "fault mode: signal (for nodes that handle a pause signal)")

    static func plan(in directory: String, step: String) throws -> (path: String, plan: Plan) {
        let path = "\(directory)/pause.yaml"
        try """
            name: pause
            duration: 10s
            cluster: { nodes: 3, network: loopback }
            nemesis:
              \(step)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return (path, try PlanLoader.load(path: path))
    }

    @Test func aPtracePauseIsRefusedBeforeAnythingStarts() throws {
        let out = TestSupport.temporaryDirectory("ptrace-refused")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (path, plan) = try Self.plan(
            in: out, step: "- { at: 2s, fault: pause-thread, target: leader, thread: \"^raft-writer$\", for: 3s }")
        let runs = "\(out)/runs"
        let error = #expect(throws: RunError.self) {
            _ = try Runner.prepare(plan, RunOptions(planPath: path, outputRoot: runs, quiet: true),
                                   ptrace: Self.refused)
        }
        #expect(error?.exitCode == .environment)
        let message = error?.description ?? ""
        #expect(message.hasPrefix("\(path):5:5: pause-thread in mode: ptrace needs ptrace, which this machine "
                                  + "refuses (PTRACE_SEIZE of a child failed: EPERM"), "\(message)")
        #expect(message.hasSuffix("; \(Self.refused.remedy!)"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: runs), "a run directory was made anyway")
    }

    @Test func aBreakpointStepIsRefusedBeforeAnythingStarts() throws {
        let out = TestSupport.temporaryDirectory("ptrace-stop-at")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (path, plan) = try Self.plan(
            in: out, step: "- { at: 2s, fault: jitter, target: leader, sched: { stop_at: \"WAL\\\\.append\" } }")
        let error = #expect(throws: RunError.self) {
            _ = try Runner.prepare(plan, RunOptions(planPath: path, outputRoot: "\(out)/runs", quiet: true),
                                   ptrace: Self.refused)
        }
        #expect(error?.exitCode == .environment)
        #expect(error?.description.hasPrefix("\(path):5:5: jitter with 'stop_at' needs ptrace, which this machine "
                                             + "refuses") == true, "\(error?.description ?? "")")
    }

    @Test func aSignalPauseDoesNotAskForPtrace() throws {
        let out = TestSupport.temporaryDirectory("ptrace-signal")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let (_, plan) = try Self.plan(
            in: out, step: "- { at: 2s, fault: pause-thread, target: leader, thread: w, for: 3s, mode: signal, "
                + "signal: SIGUSR1, resume_signal: SIGUSR2 }")
        let asked = Mutex(false)
        func answer() -> Capabilities.Entry {
            asked.withLock { $0 = true }
            return Self.refused
        }
        try PtraceRequirement.check(plan, ptrace: answer())
        #expect(!asked.withLock { $0 }, "the ptrace probe ran for a plan that does not need it")
    }

    @Test(.enabled(if: geteuid() == 0, "needs root: as another user the host's ptrace policy decides"))
    func theRealProbeSeizesAChild() {
        let entry = Capabilities.probePtrace()
        #expect(entry.available, "\(entry.detail)")
        #expect(entry.detail.hasPrefix("PTRACE_SEIZE of a child: ok"), "\(entry.detail)")
        #expect(entry.remedy == nil)
    }
}
