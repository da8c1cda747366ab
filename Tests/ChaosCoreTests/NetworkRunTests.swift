import ChaosCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `chaos run` on the lab network with real raft-node processes: partitions change who leads, one-way cuts
/// are one-way, heals reconverge the cluster, and nothing (processes, namespaces, links, routes) outlives the
/// run, whether it ends normally, by Ctrl-C or by SIGKILL of the controller.
@Suite(.serialized, .timeLimit(.minutes(5)),
       .enabled(if: getuid() == 0, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces"))
struct NetworkRunTests {
    @Test func isolatingTheLeaderElectsAnotherAndTheHealReconverges() async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        let out = TestSupport.temporaryDirectory("isolate")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let host = LabCheck.hostNetwork()
        let plan = try LabCheck.writePlan(in: out, """
            name: isolate
            duration: 16s
            cluster: { nodes: 3, network: namespaces }
            workload: { kind: cas-register, keys: 4, clients: 4, rate: 200/s, timeout: 1s }
            nemesis:
              - { at: 3s, fault: partition, shape: isolate, target: leader, mechanism: route, clients: affected,
                  for: 6s }
            checks: { stats: {}, crash: {}, linearizable: {} }
            """)
        let code = await Runner.run(RunOptions(planPath: plan, outputRoot: out, seed: 5, quiet: true))
        let directory = try LabCheck.runDirectory(out)
        let results = (try? String(contentsOfFile: "\(directory)/results.json", encoding: .utf8)) ?? "none"
        #expect(code == .valid, "results: \(results)")

        let events = try LabCheck.jsonLines("\(directory)/events.jsonl")
        let inject = try #require(events.first { $0["phase"] as? String == "inject" }, "events: \(events)")
        let heal = try #require(events.first { $0["phase"] as? String == "heal" }, "events: \(events)")
        let isolated = try #require((inject["targets"] as? [String])?.first)
        #expect(inject["fault"] as? String == "partition")
        #expect((inject["detail"] as? String)?.contains("\(isolated)-x->") == true, "detail: \(inject)")
        // clients: affected cut the clients' link from the isolated node, and only from it.
        #expect((inject["detail"] as? String)?.contains("\(isolated)-x->clients") == true, "detail: \(inject)")
        #expect((inject["detail"] as? String)?.components(separatedBy: "->clients").count == 2, "detail: \(inject)")
        let latency = try #require(inject["latencyNanos"] as? Int)
        #expect(latency > 0 && latency < 100_000_000, "netlink apply latency \(latency) ns")

        // While the old leader is cut off, another node leads (samples come from the clean lab side).
        let samples = try LabCheck.jsonLines("\(directory)/samples.jsonl")
        let injected = try #require(inject["time"] as? Int)
        let healed = try #require(heal["time"] as? Int)
        let during = samples.filter { ($0["time"] as? Int ?? 0) > injected + 2_000_000_000
                                      && ($0["time"] as? Int ?? 0) < healed }
        let newLeaders = Set(during.filter { $0["role"] as? String == "leader" && $0["node"] as? String != isolated }
            .compactMap { $0["node"] as? String })
        #expect(!newLeaders.isEmpty, "no other node led while \(isolated) was isolated")
        // The sampler has its own address, which clients: affected leaves alone: the isolated node still answers.
        let isolatedAnswers = during.filter { $0["node"] as? String == isolated && $0["answered"] as? Bool == true }
        #expect(isolatedAnswers.count >= 5, "the sampler lost \(isolated) although only clients were affected")

        // After the heal every node's commit index converges again (the isolated node catches up).
        var last: [String: Int] = [:]
        for sample in samples where sample["answered"] as? Bool == true {
            if let node = sample["node"] as? String, let index = sample["commitIndex"] as? Int { last[node] = index }
        }
        let atHeal = samples.filter { ($0["time"] as? Int ?? 0) <= healed }.compactMap { $0["commitIndex"] as? Int }
            .max() ?? 0
        #expect(last.count == 3, "last samples: \(last)")
        #expect((last[isolated] ?? 0) > atHeal, "\(isolated) did not catch up after the heal: \(last), \(atHeal)")
        #expect((last.values.max() ?? 0) - (last.values.min() ?? 0) <= 50, "commit indexes diverge: \(last)")

        // A normal exit leaves nothing behind.
        #expect(LabCheck.holderChildren().isEmpty, "namespace holders outlived the run")
        #expect(TestSupport.processes(matching: directory).isEmpty, "nodes outlived the run")
        #expect(LabCheck.hostNetwork() == host, "the host's links or routes changed")
    }

    @Test func aOneWayCutIsOneWayAndCtrlCLeavesNothing() async throws {
        let run = try await LabRun.start("oneway", fault: "shape: { one-way: { from: n1, to: n2 } }, mechanism: route")
        defer { try? FileManager.default.removeItem(atPath: run.out) }
        let n1 = try #require(run.namespaces["n1"])
        let n2 = try #require(run.namespaces["n2"])
        let n3 = try #require(run.namespaces["n3"])
        #expect(LabCheck.udpDelivered(from: n2, to: n1, address: "10.77.0.11"), "n2 -> n1 should flow")
        #expect(!LabCheck.udpDelivered(from: n1, to: n2, address: "10.77.0.12"), "n1 -> n2 should be cut")
        #expect(LabCheck.udpDelivered(from: n1, to: n3, address: "10.77.0.13"), "n1 -> n3 should flow")

        kill(run.process.processIdentifier, SIGINT)
        run.process.waitUntilExit()
        #expect(run.process.terminationStatus == 130)
        let events = try String(contentsOfFile: "\(run.directory)/events.jsonl", encoding: .utf8)
        #expect(events.contains(#""phase":"heal""#), "the partition was not healed on Ctrl-C: \(events)")
        await run.expectNothingLeft()
    }

    @Test func aSIGKILLedControllerMidPartitionLeavesNothing() async throws {
        let run = try await LabRun.start("sigkill", fault: "shape: halves, mechanism: route")
        defer { try? FileManager.default.removeItem(atPath: run.out) }
        kill(run.process.processIdentifier, SIGKILL)
        run.process.waitUntilExit()
        await run.expectNothingLeft()
    }
}

/// A `chaos run` subprocess caught in the middle of a partition, with what it created on the host.
struct LabRun {
    var out: String
    var directory: String
    var process: Process
    var host: String
    /// `/proc/PID/ns/net` of each node's process.
    var namespaces: [String: String]
    /// The namespace inodes of the nodes and everything in them (holders included).
    var inodes: Set<String>

    static func start(_ name: String, fault: String) async throws -> LabRun {
        let chaos = try #require(TestSupport.binary("chaos"), "chaos is not built; run 'swift build' first")
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        let out = TestSupport.temporaryDirectory(name)
        let host = LabCheck.hostNetwork()
        let plan = try LabCheck.writePlan(in: out, """
            name: \(name)
            duration: 60s
            cluster: { nodes: 3, network: namespaces }
            workload: { kind: register, keys: 2, clients: 2, rate: 100/s }
            nemesis:
              - { at: 2s, fault: partition, \(fault), for: 50s }
            """)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chaos)
        process.arguments = ["run", plan, "--out", out, "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        var directory = ""
        while ContinuousClock.now < deadline {
            if let found = try? LabCheck.runDirectory(out),
               let events = try? String(contentsOfFile: "\(found)/events.jsonl", encoding: .utf8),
               events.contains(#""phase":"inject""#) {
                directory = found
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if directory.isEmpty { process.terminate() }
        try #require(!directory.isEmpty, "the partition was never injected")
        var namespaces: [String: String] = [:]
        for pid in TestSupport.processes(matching: directory) {
            let arguments = String(decoding: FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data(),
                                   as: UTF8.self).split(separator: "\0").map(String.init)
            if let at = arguments.firstIndex(of: "--id"), at + 1 < arguments.count {
                namespaces[arguments[at + 1]] = "/proc/\(pid)/ns/net"
            }
        }
        #expect(namespaces.count == 3, "node namespaces: \(namespaces)")
        let inodes = Set(namespaces.values.compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: $0)
        })
        #expect(inodes.count == 3, "each node should have its own namespace: \(inodes)")
        #expect(LabCheck.processes(in: inodes).count >= 6, "nodes and their holders")
        return LabRun(out: out, directory: directory, process: process, host: host, namespaces: namespaces,
                      inodes: inodes)
    }

    /// No process in the lab's namespaces (nodes, holders), no node process, the host's links and routes as before.
    func expectNothingLeft() async {
        let deadline = ContinuousClock.now + .seconds(5)
        while ContinuousClock.now < deadline,
              !LabCheck.processes(in: inodes).isEmpty || !TestSupport.processes(matching: directory).isEmpty {
            try? await Task.sleep(for: .milliseconds(50))
        }
        #expect(LabCheck.processes(in: inodes).isEmpty, "processes left in the lab's namespaces")
        #expect(TestSupport.processes(matching: directory).isEmpty, "nodes outlived chaos")
        #expect(LabCheck.hostNetwork() == host, "the host's links or routes changed")
    }
}
