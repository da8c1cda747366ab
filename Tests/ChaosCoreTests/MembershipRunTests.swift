import ChaosCore
import ChaosPlan
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
            // "removed n2 in 0.21s …: n1,n2,n3 → n1,n3" (or "added n4 …" for a grow): the change, its time, the
            // configuration before and after.
            #expect((detail.contains("removed") || detail.contains("added")) && detail.contains(" → "), "\(detail)")
        }
        for heal in heals {
            #expect((heal["detail"] as? String ?? "").contains("membership restored"), "\(heal)")
            #expect((heal["latencyNanos"] as? Int ?? 0) > 0)
        }
        try Self.expectStructuredChanges(events, plan: plan)
    }

    /// Every inject and heal carries its changes as fields (voters before and after, how long), consistent with
    /// the change; a plan with spares grows to all its nodes and shrinks back to its members.
    static func expectStructuredChanges(_ events: [[String: Any]], plan: String) throws {
        let spec = try PlanLoader.load(path: plan)
        var grewTo: Set<Int> = []
        var shrankTo: Set<Int> = []
        for event in events where event["phase"] as? String != "error" {
            let changes = try #require(event["changes"] as? [[String: Any]], "no changes in \(event)")
            #expect(!changes.isEmpty, "\(event)")
            for change in changes {
                let before = change["before"] as? [String] ?? [], after = change["after"] as? [String] ?? []
                let node = change["node"] as? String ?? "?"
                #expect((change["tookMs"] as? Int ?? -1) >= 0, "\(change)")
                switch change["change"] as? String {
                case "remove":
                    #expect(!after.contains(node) && after.count == before.count - (before.contains(node) ? 1 : 0),
                            "\(change)")
                    if event["phase"] as? String == "heal" { shrankTo.insert(after.count) }
                case "add":
                    #expect(after.contains(node) && !before.contains(node), "\(change)")
                    #expect(change["acceptedMs"] is Int && change["data"] is String, "\(change)")
                    if event["phase"] as? String == "inject" { grewTo.insert(after.count) }
                default:
                    Issue.record("unknown change in \(change)")
                }
            }
        }
        if let members = spec.cluster.members, members < spec.cluster.nodes {
            #expect(grewTo.contains(spec.cluster.nodes), "grew to \(grewTo)")
            #expect(shrankTo.contains(members), "shrank to \(shrankTo)")
        }
    }
}
