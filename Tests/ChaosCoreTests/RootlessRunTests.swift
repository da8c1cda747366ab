import ChaosCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Without root, `chaos run` builds its lab inside a user namespace: run as `nobody` (setpriv drops every
/// capability) a partition + thread-pause plan succeeds with namespaces and ptrace, writes its run directory as
/// that user, and leaves no process, link or route behind.
@Suite(.serialized, .timeLimit(.minutes(2)),
       .enabled(if: getuid() == 0, "needs root to start chaos as an unprivileged user (setpriv --reuid)"),
       .enabled(if: Nobody.mayUnshare,
                "needs setpriv (util-linux) and a kernel that lets an unprivileged user create user namespaces"))
struct RootlessRunTests {
    static let nobody = Nobody.uid

    static let asNobody = Nobody.command

    @Test func anUnprivilegedUserRunsAPartitionPlanInAUserNamespace() throws {
        let (chaos, out) = try Self.prepare("rootless")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let host = LabCheck.hostNetwork()
        let plan = try Self.plan(in: out, duration: "9s")
        let result = LabCheck.run(Self.asNobody + ["env", "HOME=\(out)", chaos, "run", plan, "--out", out, "--quiet"])
        #expect(result.status == 0, "chaos as nobody: \(result.output)")

        let directory = try LabCheck.runDirectory(out)
        let owner = try FileManager.default.attributesOfItem(atPath: "\(directory)/results.json")[.ownerAccountID]
        #expect((owner as? NSNumber)?.stringValue == Self.nobody, "results.json should belong to nobody")
        let events = try LabCheck.jsonLines("\(directory)/events.jsonl")
        let injects = events.filter { $0["phase"] as? String == "inject" }
        let inject = try #require(injects.first { $0["fault"] as? String == "partition" }, "events: \(events)")
        #expect((inject["detail"] as? String)?.contains("-x->") == true, "no link was cut: \(inject)")
        #expect(events.contains { $0["phase"] as? String == "heal" }, "events: \(events)")
        let paused = injects.first { $0["fault"] as? String == "pause-thread" }
        #expect((paused?["detail"] as? String)?.contains("raft-writer") == true, "ptrace pause: \(events)")

        #expect(TestSupport.processes(matching: out).isEmpty, "chaos or its nodes outlived the run")
        #expect(LabCheck.hostNetwork() == host, "the host's links or routes changed")
    }

    /// Without root, doctor reports user namespaces as usable and probes the kernel again from inside one.
    @Test func doctorProbesInsideAUserNamespaceWithoutRoot() throws {
        let (chaos, out) = try Self.prepare("rootless-doctor")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = LabCheck.run(Self.asNobody + ["env", "HOME=\(out)", chaos, "doctor"])
        #expect(result.status == 0)
        #expect(result.output.contains("missing root"), "\(result.output)")
        #expect(result.output.contains("ok      userns"), "\(result.output)")
        let inside = try #require(result.output.components(separatedBy: "inside a user namespace").last,
                                  "no second table from inside a user namespace: \(result.output)")
        #expect(inside.contains("ok      netns") && inside.contains("ok      bridge"), "\(result.output)")
    }

    /// SIGINT to the invoking chaos reaches the one in the user namespace, which heals, stops and writes results.
    @Test func anInterruptIsForwardedIntoTheUserNamespace() async throws {
        let (chaos, out) = try Self.prepare("rootless-int")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = try Self.plan(in: out, duration: "60s")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.asNobody[0])
        process.arguments = Array(Self.asNobody.dropFirst()) + ["env", "HOME=\(out)", chaos, "run", plan, "--out", out,
                                                                "--quiet"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        var injected = false
        while ContinuousClock.now < deadline, !injected {
            try await Task.sleep(for: .milliseconds(100))
            let events = (try? LabCheck.runDirectory(out)).flatMap {
                try? String(contentsOfFile: "\($0)/events.jsonl", encoding: .utf8)
            }
            injected = events?.contains(#""phase":"inject""#) == true
        }
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(injected, "the partition was never injected")
        #expect(process.terminationStatus == 130)
        let results = try String(contentsOfFile: "\(try LabCheck.runDirectory(out))/results.json", encoding: .utf8)
        #expect(results.contains(#""interrupted" : true"#), "results: \(results)")
        #expect(TestSupport.processes(matching: out).isEmpty, "chaos or its nodes outlived the interrupt")
    }

    /// A run directory nobody may write, and copies of chaos and raft-node in it: the build folder may sit where
    /// nobody cannot reach (a clone under /root, mode 700). chaos finds raft-node next to itself.
    static func prepare(_ label: String) throws -> (chaos: String, out: String) {
        let chaos = try #require(TestSupport.binary("chaos"), "chaos is not built; run 'swift build' first")
        let raftNode = try #require(TestSupport.binary("raft-node"), "raft-node is not built; run 'swift build' first")
        let out = TestSupport.temporaryDirectory(label)
        chmod(out, 0o777)
        let bin = "\(out)/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        for binary in [chaos, raftNode] {
            let copy = "\(bin)/\((binary as NSString).lastPathComponent)"
            try FileManager.default.copyItem(atPath: binary, toPath: copy)
            chmod(copy, 0o755)
        }
        chmod(bin, 0o755)
        return ("\(bin)/chaos", out)
    }

    /// A 3-node plan isolating the leader (route mechanism) from 3 s to 6 s and freezing a follower's WAL writer
    /// (ptrace of chaos's own children, inside the user namespace) from 3 s to 5 s.
    static func plan(in out: String, duration: String) throws -> String {
        let plan = try LabCheck.writePlan(in: out, """
            name: rootless
            duration: \(duration)
            cluster: { nodes: 3, network: namespaces }
            workload: { kind: cas-register, keys: 4, clients: 4, rate: 100/s, timeout: 1s }
            nemesis:
              - { at: 3s, fault: partition, shape: isolate, target: leader, mechanism: route, for: 3s }
              - { at: 3s, fault: pause-thread, target: follower, thread: "^raft-writer$", for: 2s }
            checks: { stats: {}, crash: {}, linearizable: {} }
            """)
        chmod(plan, 0o644)
        return plan
    }
}

/// Running commands as `nobody` (uid 65534) with setpriv, which drops every capability.
enum Nobody {
    static let uid = "65534"
    static let command = ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"]

    /// Whether `nobody` can make a user + network namespace here (util-linux's unshare as the oracle).
    static var mayUnshare: Bool {
        FileManager.default.isExecutableFile(atPath: command[0])
            && LabCheck.run(command + ["unshare", "--user", "--map-root-user", "--net", "true"]).status == 0
    }
}
