import ChaosCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Without root, `chaos run` builds its lab inside a user namespace: run as `nobody` (setpriv drops every
/// capability) a partition plan succeeds with namespaces, writes its run directory as that user, and leaves no
/// process, link or route behind.
@Suite(.serialized, .timeLimit(.minutes(2)),
       .enabled(if: getuid() == 0, "needs root to start chaos as an unprivileged user (setpriv --reuid)"))
struct RootlessRunTests {
    static let nobody = "65534"

    @Test func anUnprivilegedUserRunsAPartitionPlanInAUserNamespace() throws {
        let chaos = try #require(TestSupport.binary("chaos"), "chaos is not built; run 'swift build' first")
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        let asNobody = ["/usr/bin/setpriv", "--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups"]
        try #require(FileManager.default.isExecutableFile(atPath: asNobody[0]), "setpriv (util-linux) is missing")
        let precondition = LabCheck.run(asNobody + ["unshare", "--user", "--map-root-user", "--net", "true"])
        try #require(precondition.status == 0,
                     "this kernel refuses user namespaces to unprivileged users: \(precondition.output)")

        let out = TestSupport.temporaryDirectory("rootless")
        defer { try? FileManager.default.removeItem(atPath: out) }
        chmod(out, 0o777)
        let host = LabCheck.hostNetwork()
        let plan = try LabCheck.writePlan(in: out, """
            name: rootless
            duration: 9s
            cluster: { nodes: 3, network: namespaces }
            workload: { kind: cas-register, keys: 4, clients: 4, rate: 100/s, timeout: 1s }
            nemesis:
              - { at: 3s, fault: partition, shape: isolate, target: leader, mechanism: route, for: 3s }
            checks: { stats: {}, crash: {}, linearizable: {} }
            """)
        chmod(plan, 0o644)
        let result = LabCheck.run(asNobody + ["env", "HOME=\(out)", chaos, "run", plan, "--out", out, "--quiet"])
        #expect(result.status == 0, "chaos as nobody: \(result.output)")

        let directory = try LabCheck.runDirectory(out)
        let owner = try FileManager.default.attributesOfItem(atPath: "\(directory)/results.json")[.ownerAccountID]
        #expect((owner as? NSNumber)?.stringValue == Self.nobody, "results.json should belong to nobody")
        let events = try LabCheck.jsonLines("\(directory)/events.jsonl")
        let inject = try #require(events.first { $0["phase"] as? String == "inject" }, "events: \(events)")
        #expect((inject["detail"] as? String)?.contains("-x->") == true, "no link was cut: \(inject)")
        #expect(events.contains { $0["phase"] as? String == "heal" }, "events: \(events)")

        #expect(TestSupport.processes(matching: out).isEmpty, "chaos or its nodes outlived the run")
        #expect(LabCheck.hostNetwork() == host, "the host's links or routes changed")
    }
}
