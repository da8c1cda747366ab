import CChaosSys
import ChaosControl
import Foundation
import Testing
@testable import ChaosNemesis
@testable import ChaosPlan

/// `stop_at` on a real raft-node: breakpoints in its text hold the named thread at a function's entry, every other
/// thread passes, and the heal puts the original instructions back and leaves no thread traced or stopped.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct CodeStopTests {
    /// The writer thread runs this once per batch of WAL records (debug and release builds alike).
    static let writerFunction = #"^RaftNode\.WALWriter\.process\("#

    /// The tracer of each thread of `pid` (0 for none).
    static func tracers(of pid: Int32) -> [Int32: Int32] {
        var result: [Int32: Int32] = [:]
        for thread in ProcReader.threads(pid: pid) {
            let status = (try? String(contentsOfFile: "/proc/\(pid)/task/\(thread.tid)/status", encoding: .utf8)) ?? ""
            let line = status.split(separator: "\n").first { $0.hasPrefix("TracerPid:") }
            result[thread.tid] = line.flatMap { Int32($0.dropFirst("TracerPid:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
        }
        return result
    }

    /// `count` bytes of the process's memory at `address`.
    static func text(of pid: Int32, at address: UInt64, count: Int) -> [UInt8] {
        let fd = open("/proc/\(pid)/mem", O_RDONLY)
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: count)
        return pread(fd, &bytes, count, off_t(Int64(bitPattern: address))) == count ? bytes : []
    }

    @Test func privateFunctionsAreNamedWithoutTheirFileHash() {
        #expect(ElfFunctions.withoutPrivateDiscriminators(
            "RaftNode.WALWriter.(process in _DCD1CD814B6353E0EA442F75C9F8C925)(Swift.Array<RaftNode.WALWriter.Job>) throws -> ()")
            == "RaftNode.WALWriter.process(Swift.Array<RaftNode.WALWriter.Job>) throws -> ()")
        #expect(ElfFunctions.withoutPrivateDiscriminators("closure #1 (Swift.Int) in f(x in y)") == "closure #1 (Swift.Int) in f(x in y)")
    }

    @Test(arguments: [false, true])
    func theWriterIsHeldAtItsFunctionAndEverythingIsPutBack(one: Bool) async throws {
        try #require(geteuid() == 0, "needs root to trace the node and write into its text")
        let supervisor = Supervisor()
        let (node, endpoint, directory) = try ThreadFreezerTests.startNode(supervisor)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await ThreadFreezerTests.answers(endpoint, leader: true), "raft-node never became leader")

        let (exe, base) = try #require(ElfFunctions.mapping(of: node.pid))
        let functions = try ElfFunctions.read(path: exe).matching(try Regex(Self.writerFunction))
        let function = try #require(functions.first, "no WALWriter.process in \(exe)")
        #expect(functions.count == 1, "\(functions.map(\.name))")
        let address = try ElfFunctions.read(path: exe).address(of: function.value, base: base)
        let original = Self.text(of: node.pid, at: address, count: 4)
        #expect(original.count == 4)

        let jitter = SchedulingJitter(threads: "^raft-writer$", minPause: .milliseconds(20), maxPause: .milliseconds(20),
                                      stopAt: Self.writerFunction, stopOne: one)
        let session = try JitterSession.start(jitter, node: "n1", seed: 7) { node.pid }
        let stops = try #require(session.stops)
        // TracerPid names the tracing thread (the session's own), so: traced by a thread of this process.
        #expect(Self.tracers(of: node.pid).values.allSatisfy { $0 != 0 && FileManager.default.fileExists(atPath: "/proc/\(getpid())/task/\($0)") },
                "a thread of the node is not traced by chaos")
        // With stop_one on a machine with debug registers the writer alone gets a hardware breakpoint: no trap
        // instruction in the text for every thread to trip on.
        let hardware = one && cchaos_hwbp_slots() > 0
        #expect((Self.text(of: node.pid, at: address, count: 4) == original) == hardware,
                hardware ? "a trap instruction was written" : "no trap instruction written")

        // Each write waits for its batch to be written: the writer is held 20 ms at every batch it starts.
        let start = ContinuousClock.now
        for i in 0..<10 {
            let put = try await endpoint.request(.PUT, "/kv/s\(i)", body: Array("v".utf8), timeout: .seconds(5))
            #expect(put.status == 200, "\(put.text)")
        }
        let elapsed = ContinuousClock.now - start

        let summary = session.stop()
        // Ten writes one after the other are at least eight batches (a batch may take two writes in).
        #expect(stops.heldCount >= 8, "\(summary)")
        #expect(elapsed >= .milliseconds(20) * stops.heldCount, "10 writes took \(elapsed) with the writer held 20 ms per batch")
        #expect(summary.contains("held") && summary.contains("passes"), "\(summary)")
        #expect(Self.text(of: node.pid, at: address, count: 4) == original, "the original instruction is not back")
        #expect(Self.tracers(of: node.pid).values.allSatisfy { $0 == 0 }, "a thread is still traced")
        #expect(ProcReader.threads(pid: node.pid).allSatisfy { $0.state != "t" }, "a thread is still stopped")
        let put = try await endpoint.request(.PUT, "/kv/after", body: Array("v".utf8), timeout: .seconds(5))
        #expect(put.status == 200, "a write failed after the heal: \(put.text)")
        await supervisor.killAll()
    }

    @Test func aPatternThatNamesNothingIsRefusedAndLeavesNothingTraced() async throws {
        try #require(geteuid() == 0, "needs root to trace the node")
        let supervisor = Supervisor()
        let (node, endpoint, directory) = try ThreadFreezerTests.startNode(supervisor)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(await ThreadFreezerTests.answers(endpoint))
        let jitter = SchedulingJitter(stopAt: "NoSuchFunctionAnywhere")
        #expect {
            _ = try JitterSession.start(jitter, node: "n1", seed: 1) { node.pid }
        } throws: { error in
            "\(error)".contains("no function of") && "\(error)".contains("nm -C")
        }
        #expect(Self.tracers(of: node.pid).values.allSatisfy { $0 == 0 })
        await supervisor.killAll()
    }

    /// A run with a healed `stop_at` step and one that lasts until the controller is SIGKILLed: after the heal no
    /// thread of any node is traced and every breakpoint's instruction is back; after the SIGKILL no node is left.
    @Test func aHealedStepPutsEverythingBackAndASIGKILLedControllerLeavesNoNode() async throws {
        try #require(geteuid() == 0, "needs root to trace the nodes")
        let out = TestSupport.temporaryDirectory("stop-at")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let sched = "sched: { threads: \"raft-writer\", stop_at: '\(Self.writerFunction)', max_pause: 5ms }"
        let plan = try JitterFaultTests.writePlan(out, duration: "60s", step: "{ at: 1s, fault: jitter, target: all, "
            + "for: 3s, \(sched) }\n  - { at: 6s, fault: jitter, target: all, \(sched) }")
        let process = try TestSupport.startChaosRun(plan: plan, out: out)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var originals: [Int32: (address: UInt64, bytes: [UInt8])] = [:]
        for _ in 0..<100 where originals.count < 3 {
            for pid in JitterFaultTests.nodes(out) where originals[pid] == nil {
                guard let (exe, base) = ElfFunctions.mapping(of: pid),
                      let elf = try? ElfFunctions.read(path: exe),
                      let function = elf.matching(try Regex(Self.writerFunction)).first else { continue }
                let address = elf.address(of: function.value, base: base)
                originals[pid] = (address, Self.text(of: pid, at: address, count: 4))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(originals.count == 3, "the nodes' text was not read before the fault")
        for _ in 0..<200 where !JitterFaultTests.events(out).contains("\"phase\":\"heal\"") {
            try await Task.sleep(for: .milliseconds(50))
        }
        let heal = JitterFaultTests.events(out).split(separator: "\n").first { $0.contains("\"phase\":\"heal\"") } ?? ""
        #expect(heal.contains("held") && heal.contains("restored"), "\(heal)")
        for (pid, original) in originals {
            #expect(Self.text(of: pid, at: original.address, count: 4) == original.bytes, "node \(pid)'s text not restored")
            #expect(Self.tracers(of: pid).values.allSatisfy { $0 == 0 }, "a thread of \(pid) is still traced")
        }
        // The second step lasts until the end: kill the controller while it holds breakpoints in every node.
        for _ in 0..<200 where JitterFaultTests.events(out).components(separatedBy: "\"phase\":\"inject\"").count < 3 {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(300))
        #expect(originals.keys.allSatisfy { pid in Self.tracers(of: pid).values.contains { $0 != 0 } },
                "the second step did not trace the nodes")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let deadline = ContinuousClock.now + .seconds(10)
        func gone(_ pid: Int32) -> Bool { ProcReader.state(pid: pid).map { $0 == "Z" } ?? true }
        while !originals.keys.allSatisfy(gone) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        for pid in originals.keys { #expect(gone(pid), "node \(pid) outlived a SIGKILLed chaos") }
        #expect(TestSupport.processes(matching: out).isEmpty, "processes of the run outlived a SIGKILLed chaos")
    }
}
