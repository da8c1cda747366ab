import ChaosCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `chaos run` with `disk: cached`: raft-node's data directory on chaos's FUSE layer, power failures that drop
/// what was not fsynced, a full disk, and no mount left behind whether the run ends normally, by Ctrl-C or by
/// SIGKILL of the controller (node data still readable on disk).
@Suite(.serialized, .timeLimit(.minutes(5)))
struct DiskLayerRunTests {
    /// Every chaos FUSE mount any process on the machine can see (`/proc/*/mountinfo`).
    static func chaosMounts() -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        var found = Set<String>()
        for pid in entries.compactMap({ Int32($0) }) {
            guard let text = try? String(contentsOfFile: "/proc/\(pid)/mountinfo", encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where line.contains("fuse.chaos") { found.insert(String(line)) }
        }
        return found.sorted()
    }

    static func plan(_ name: String, nemesis: String, in out: String) throws -> String {
        let path = "\(out)/\(name).yaml"
        try """
        name: \(name)
        duration: 60s
        cluster: { system: raft-node, nodes: 3, disk: cached }
        workload: { kind: register, keys: 4, clients: 4, rate: 200/s, timeout: 1s }
        nemesis:
        \(nemesis)
        checks: { stats: {}, crash: {}, linearizable: {} }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func requirements() throws {
        try #require(geteuid() == 0, "needs root to mount FUSE (chaos doctor shows whether a user namespace can)")
        try #require(FileManager.default.fileExists(atPath: "/dev/fuse"), "needs /dev/fuse (modprobe fuse)")
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
    }

    /// The run directory of the single run under `out`.
    static func runDirectory(_ out: String) throws -> String {
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest")
        return link.hasPrefix("/") ? link : "\(out)/\(link)"
    }

    @Test func aPowerFailureDropsWhatWasNotFsyncedAndTheRunEndsClean() async throws {
        try Self.requirements()
        let out = TestSupport.temporaryDirectory("disk")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = try Self.plan("disk-power", nemesis: """
          - { at: 0s, fault: disk-latency, target: all, delay: 10ms, jitter: 5ms }
          - { at: 3s, fault: power-failure, target: leader, for: 2s }
          - { at: 8s, fault: disk-error, target: follower, error: ENOSPC, ops: [write], for: 2s }
        """, in: out)
        let code = await Runner.run(RunOptions(planPath: plan, outputRoot: out, seed: 5, duration: .seconds(13),
                                               quiet: true))
        let run = try Self.runDirectory(out)
        let events = try String(contentsOfFile: "\(run)/events.jsonl", encoding: .utf8)
        #expect(code == .valid, "\(events)")
        #expect(events.contains("undurable bytes"), "the power failure reported no drop: \(events)")
        #expect(events.contains("ENOSPC from write"), "\(events)")
        #expect(!events.contains(#""phase":"error""#), "\(events)")
        #expect(Self.chaosMounts().isEmpty, "mounts left after a normal end: \(Self.chaosMounts())")
        let wal = try FileManager.default.contentsOfDirectory(atPath: "\(run)/nodes/n1/data/wal")
        #expect(wal.contains { $0.hasSuffix(".log") }, "n1's WAL is not on disk: \(wal)")
        // The full disk was noticed, writes waited for room, and resumed once the fault was healed.
        let logs = ["n1", "n2", "n3"].compactMap {
            try? String(contentsOfFile: "\(run)/nodes/\($0)/stderr.log", encoding: .utf8)
        }.joined()
        #expect(logs.contains("disk full (ENOSPC)") && logs.contains("writes resume"), "no ENOSPC handling logged")
    }

    /// Starts a long cached run, waits until a node sees its data directory through the layer, and returns the
    /// controller, the run directory and that node's pid.
    static func startAndAwaitMount(_ label: String) async throws -> (Process, String, String) {
        let out = TestSupport.temporaryDirectory(label)
        let plan = try Self.plan("disk-\(label)", nemesis: "  []", in: out)
        let process = try TestSupport.startChaosRun(plan: plan, out: out)
        for _ in 0..<300 {
            try await Task.sleep(for: .milliseconds(100))
            guard let run = try? Self.runDirectory(out) else { continue }
            let nodes = TestSupport.processes(matching: "\(run)/nodes/n1/data")
            // The node sees the layer on its data directory; the test (the host) does not.
            if let pid = nodes.first,
               let mounts = try? String(contentsOfFile: "/proc/\(pid)/mountinfo", encoding: .utf8),
               mounts.contains("fuse.chaos"),
               // The first WAL segment has reached the backing directory with something in it (not just its
               // folder): what `expectNothingLeft` looks for afterwards.
               let wal = try? FileManager.default.contentsOfDirectory(atPath: "\(run)/nodes/n1/data/wal"),
               wal.contains(where: { name in
                   name.hasSuffix(".log") && ((try? FileManager.default.attributesOfItem(
                       atPath: "\(run)/nodes/n1/data/wal/\(name)")[.size] as? Int) ?? 0) > 0
               }) {
                let own = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
                #expect(!own.contains("fuse.chaos"), "the layer's mount leaked into the host's namespace")
                return (process, out, run)
            }
        }
        process.terminate()
        Issue.record("no node saw its data directory on the disk layer within 30 s")
        throw CancellationError()
    }

    static func expectNothingLeft(_ run: String) async throws {
        for _ in 0..<50 where !chaosMounts().isEmpty || !TestSupport.processes(matching: run).isEmpty {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(chaosMounts().isEmpty, "mounts outlived the controller: \(chaosMounts())")
        #expect(TestSupport.processes(matching: run).isEmpty, "nodes outlived the controller")
        let wal = try FileManager.default.contentsOfDirectory(atPath: "\(run)/nodes/n1/data/wal")
        let segment = try #require(wal.first { $0.hasSuffix(".log") }, "no WAL segment on disk: \(wal)")
        let bytes = try #require(FileManager.default.contents(atPath: "\(run)/nodes/n1/data/wal/\(segment)"))
        #expect(!bytes.isEmpty, "the WAL segment is empty")
    }

    @Test func ctrlCUnmountsEverything() async throws {
        try Self.requirements()
        let (process, out, run) = try await Self.startAndAwaitMount("disk-int")
        defer { try? FileManager.default.removeItem(atPath: out) }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        try await Self.expectNothingLeft(run)
    }

    @Test func aSIGKILLedControllerLeavesNoMount() async throws {
        try Self.requirements()
        let (process, out, run) = try await Self.startAndAwaitMount("disk-kill")
        defer { try? FileManager.default.removeItem(atPath: out) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try await Self.expectNothingLeft(run)
    }
}
