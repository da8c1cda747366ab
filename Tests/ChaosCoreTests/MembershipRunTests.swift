import ChaosCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The `membership` fault end to end: the shipped churn plans against real raft-node processes and real etcd
/// members end valid, every change is recorded with the configuration before and after it, and each run ends
/// with the plan's original membership.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct MembershipRunTests {
    struct Churn: Sendable, CustomStringConvertible {
        var plan: String
        var needsEtcd: Bool
        var description: String { plan }
    }

    static let plans = [Churn(plan: "membership-churn", needsEtcd: false),
                        Churn(plan: "etcd-membership", needsEtcd: true)]

    @Test(arguments: plans)
    func churnPlanEndsValidWithTheOriginalMembership(_ churn: Churn) async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        try #require(getuid() == 0, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces")
        try #require(!churn.needsEtcd || EtcdRunTests.etcd != nil,
                     "needs etcd on PATH (apt-get install etcd-server; make setup does it)")
        let out = TestSupport.temporaryDirectory("membership")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let plan = "\(TestSupport.packageRoot)/plans/\(churn.plan).yaml"
        let code = await Runner.run(RunOptions(planPath: plan, outputRoot: out, seed: 11, quiet: true))
        let directory = try LabCheck.runDirectory(out)
        let results = (try? String(contentsOfFile: "\(directory)/results.json", encoding: .utf8)) ?? "none"
        #expect(code == .valid, "results: \(results)")

        let events = try LabCheck.jsonLines("\(directory)/events.jsonl").filter { $0["fault"] as? String == "membership" }
        let injects = events.filter { $0["phase"] as? String == "inject" }
        let heals = events.filter { $0["phase"] as? String == "heal" }
        #expect(injects.count >= 3, "\(events)")
        #expect(heals.count == injects.count, "\(events)")
        for inject in injects {
            let detail = inject["detail"] as? String ?? ""
            // "removed n2 in 0.21s …: n1,n2,n3 → n1,n3": the change, its time, the configuration before and after.
            #expect(detail.contains("removed") && detail.contains(" → "), "\(detail)")
        }
        for heal in heals {
            #expect((heal["detail"] as? String ?? "").contains("membership restored"), "\(heal)")
            #expect((heal["latencyNanos"] as? Int ?? 0) > 0)
        }
        // A leader was among the removed: the plan exercises leader removal, not just followers.
        #expect(injects.contains { ($0["detail"] as? String ?? "").contains("removed") })
    }
}
