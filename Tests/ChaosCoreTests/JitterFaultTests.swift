import CChaosSys
import ChaosControl
import Foundation
import Testing
@testable import ChaosNemesis
@testable import ChaosPlan

/// The `jitter` fault on real raft-node processes: it freezes, confines and lowers threads while it lasts, puts
/// every thread back as it was at heal, and leaves nothing behind when the controller is SIGKILLed.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct JitterFaultTests {
    /// Every thread of `pid` with its scheduling settings.
    static func settings(of pid: Int32) -> [Int32: (name: String, scheduling: ThreadScheduling)] {
        var result: [Int32: (String, ThreadScheduling)] = [:]
        for thread in ProcReader.threads(pid: pid) {
            if let s = ThreadScheduling.read(thread.tid) { result[thread.tid] = (thread.name, s) }
        }
        return result
    }

    static let onlyCPU0: [UInt8] = [1] + [UInt8](repeating: 0, count: ThreadScheduling.maskBytes - 1)

    @Test func aSessionFreezesConfinesLowersAndRestoresEveryThread() async throws {
        try #require(geteuid() == 0 || SchedulingProbe.run().lowering, "needs CAP_SYS_NICE to undo SCHED_IDLE")
        let supervisor = Supervisor()
        let (node, endpoint, directory) = try ThreadFreezerTests.startNode(supervisor)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await ThreadFreezerTests.answers(endpoint, leader: true), "raft-node never became leader")
        let before = Self.settings(of: node.pid)
        #expect(before.values.allSatisfy { $0.scheduling.policy == cchaos_sched_other() })

        let jitter = SchedulingJitter(threads: "^raft-(apply|writer)$", freezeRate: 200, cpu: 0,
                                      lower: "^raft-writer$", priority: .idle, competitor: true)
        let session = try JitterSession.start(jitter, node: "n1", seed: 5) { node.pid }
        // Load for the freezes to land in (a writer at SCHED_IDLE next to a busy competitor may starve: no status
        // is asserted while the fault lasts).
        for i in 0..<20 {
            _ = try? await endpoint.request(.PUT, "/kv/j\(i)", body: Array("v".utf8), timeout: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(500))
        let during = Self.settings(of: node.pid)
        #expect(during.values.allSatisfy { $0.scheduling.affinity == Self.onlyCPU0 }, "a thread is not on CPU 0")
        let writer = try #require(during.values.first { $0.name == "raft-writer" })
        #expect(writer.scheduling.policy == cchaos_sched_idle())
        #expect(during.values.filter { $0.name != "raft-writer" }.allSatisfy {
            $0.scheduling.policy == cchaos_sched_other()
        }, "a thread that does not match 'lower' was lowered")
        let competitors = ProcReader.threads(pid: getpid()).filter { $0.name == "chaos-compete" }
        #expect(competitors.count == 1)

        let summary = session.stop()
        #expect(session.freezeCount > 10, "\(summary)")
        #expect(summary.contains("restored") && !summary.contains("could not"), "\(summary)")
        let after = Self.settings(of: node.pid)
        for (tid, entry) in after {
            guard let original = before[tid] else { continue }
            #expect(entry.scheduling == original.scheduling, "thread \(entry.name) was not restored")
        }
        #expect(ProcReader.threads(pid: node.pid).allSatisfy { $0.state != "t" }, "a thread is still frozen")
        let put = try await endpoint.request(.PUT, "/kv/after", body: Array("v".utf8), timeout: .seconds(5))
        #expect(put.status == 200, "a write failed after the heal: \(put.text)")
        try await Task.sleep(for: .milliseconds(100))
        #expect(ProcReader.threads(pid: getpid()).allSatisfy { $0.name != "chaos-compete" })
        await supervisor.killAll()
    }

    static func writePlan(_ out: String, duration: String, step: String) throws -> String {
        let plan = "\(out)/jitter.yaml"
        try """
            name: jitter
            duration: \(duration)
            cluster: { system: raft-node, nodes: 3 }
            workload: { kind: register, keys: 4, clients: 4, rate: 200/s }
            nemesis:
              - \(step)
            """.write(toFile: plan, atomically: true, encoding: .utf8)
        return plan
    }

    /// Pids of the run's raft-node processes.
    static func nodes(_ out: String) -> [Int32] {
        TestSupport.processes(matching: out).filter {
            (try? String(contentsOfFile: "/proc/\($0)/comm", encoding: .utf8))?.hasPrefix("raft-node") == true
        }
    }

    static func events(_ out: String) -> String {
        guard let run = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest") else { return "" }
        return (try? String(contentsOfFile: "\(out)/\(run)/events.jsonl", encoding: .utf8)) ?? ""
    }

    @Test func aHealedStepLeavesTheRunningNodesAsTheyWere() async throws {
        let out = TestSupport.temporaryDirectory("jitter-heal")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = try Self.writePlan(out, duration: "12s", step: "{ at: 1s, fault: jitter, target: all, for: 3s, "
            + "sched: { threads: \"raft-repl|raft-apply\", freeze: 300/s, cpu: 0, lower: \"raft-writer\", "
            + "competitor: true } }")
        let process = try TestSupport.startChaosRun(plan: plan, out: out, duration: "12s")
        var before: [Int32: [Int32: (name: String, scheduling: ThreadScheduling)]] = [:]
        for _ in 0..<100 where before.count < 3 {
            for pid in Self.nodes(out) where before[pid] == nil { before[pid] = Self.settings(of: pid) }
            try await Task.sleep(for: .milliseconds(20))
        }
        // While the fault lasts every thread of every node is on CPU 0.
        for _ in 0..<200 where !Self.events(out).contains("\"phase\":\"inject\"") {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(300))
        for pid in Self.nodes(out) {
            #expect(Self.settings(of: pid).values.allSatisfy { $0.scheduling.affinity == Self.onlyCPU0 })
        }
        // After the heal (at 4s after the workload starts), everything is as it was and nothing is stopped.
        for _ in 0..<200 where !Self.events(out).contains("\"phase\":\"heal\"") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let heal = Self.events(out).split(separator: "\n").first { $0.contains("\"phase\":\"heal\"") } ?? ""
        #expect(heal.contains("freezes") && heal.contains("restored") && !heal.contains("could not"), "\(heal)")
        for pid in Self.nodes(out) {
            for (tid, entry) in Self.settings(of: pid) {
                if let original = before[pid]?[tid] {
                    // chaos changed the nice value only of the lowered threads; others may change their own
                    // (libdispatch workers take on a QoS's nice), so only affinity and policy are compared there.
                    if entry.name.contains("raft-writer") {
                        #expect(entry.scheduling == original.scheduling, "thread \(entry.name) of \(pid) not restored")
                    } else {
                        #expect(entry.scheduling.affinity == original.scheduling.affinity
                                && entry.scheduling.policy == original.scheduling.policy,
                                "thread \(entry.name) of \(pid) not restored")
                    }
                } else {
                    // A thread started since: not confined or lowered by chaos (its nice may be libdispatch's QoS).
                    #expect(entry.scheduling.policy == cchaos_sched_other()
                            && (cchaos_cpu_count() == 1 || entry.scheduling.affinity != Self.onlyCPU0),
                            "new thread \(entry.name) of \(pid) is still confined or lowered")
                }
            }
            #expect(ProcReader.threads(pid: pid).allSatisfy { $0.state != "t" }, "a thread of \(pid) is frozen")
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(Self.events(out))")
    }

    @Test func aSIGKILLedControllerLeavesNothingBehind() async throws {
        let out = TestSupport.temporaryDirectory("jitter-kill")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = try Self.writePlan(out, duration: "60s", step: "{ at: 1s, fault: jitter, target: all, "
            + "sched: { freeze: 1000/s, max_pause: 5ms, cpu: 0, lower: \"raft-\", competitor: true } }")
        let process = try TestSupport.startChaosRun(plan: plan, out: out)
        for _ in 0..<200 where !Self.events(out).contains("\"phase\":\"inject\"") {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(500))
        let pids = Self.nodes(out)
        #expect(pids.count == 3)
        #expect(pids.allSatisfy { pid in
            Self.settings(of: pid).values.contains { $0.scheduling.policy == cchaos_sched_idle() }
        }, "the fault was not applied before the kill")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let deadline = ContinuousClock.now + .seconds(5)
        while !TestSupport.processes(matching: out).isEmpty && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        // The nodes (and with them every changed and every frozen thread) are gone; the competitor was a thread of
        // the dead controller. Nothing of the run is left in tracing stop anywhere.
        #expect(TestSupport.processes(matching: out).isEmpty, "processes of the run outlived a SIGKILLed chaos")
        // A node whose threads were lowered to SCHED_IDLE needs CPU time to finish dying on a busy machine.
        func gone(_ pid: Int32) -> Bool { ProcReader.state(pid: pid).map { $0 == "Z" } ?? true }
        let exitDeadline = ContinuousClock.now + .seconds(20)
        while !pids.allSatisfy(gone) && ContinuousClock.now < exitDeadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        for pid in pids {
            let state = ProcReader.state(pid: pid)
            #expect(state == nil || state == "Z", "node \(pid) is still running (state \(state.map(String.init) ?? "-"))")
        }
    }
}
