import ChaosCore
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The shipped membership churn plan (3 → 5 → 3, a leader removal, a replace) on real raft-node processes,
/// once through the built-in adapter and once through `adapters/raft-node.yaml`'s `membership` section: both
/// valid, with the same verdict from every checker, and the custom run's events carry the same structured
/// changes.
@Suite(.serialized, .timeLimit(.minutes(6)))
struct MembershipAdapterRunTests {
    static let adapter = "\(TestSupport.packageRoot)/adapters/raft-node.yaml"

    /// The churn plan's text with its cluster driven through the custom adapter (raft-node's settings as args).
    static func customChurn() throws -> String {
        let text = try String(contentsOfFile: "\(TestSupport.packageRoot)/plans/membership-churn.yaml",
                              encoding: .utf8)
        let cluster = "cluster: { system: custom, binary: raft-node, adapter: \"\(adapter)\", nodes: 5, members: 3, "
            + "args: [--snapshot-every, \"2000\", --election-timeout, 1000ms, --heartbeat, 100ms] }"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("cluster:") ? cluster : String(line)
        }
        try #require(lines.contains(cluster), "the plan has no one-line 'cluster:' to replace")
        return lines.joined(separator: "\n").replacingOccurrences(of: "name: membership-churn",
                                                                  with: "name: membership-churn-custom")
    }

    /// Runs the plan at `path` with seed 11; the exit code, each checker's verdict and the membership events.
    static func run(_ path: String, out: String) async throws -> (ExitCode, [String: String], [[String: Any]]) {
        let code = await Runner.run(RunOptions(planPath: path, outputRoot: out, seed: 11, quiet: true))
        let directory = try LabCheck.runDirectory(out)
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/results.json"))
        let results = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        // The verdict, and for a check that is not valid its summary and first findings (to see why).
        let verdicts = Dictionary(uniqueKeysWithValues: (results["checks"] as? [[String: Any]] ?? []).map { check in
            let verdict = check["verdict"] as? String ?? "?"
            let findings = (check["findings"] as? [[String: Any]] ?? []).prefix(3).compactMap { $0["message"] as? String }
            return (check["name"] as? String ?? "?",
                    verdict == "valid" ? verdict : "\(verdict): \(check["summary"] ?? "") \(findings)")
        })
        let events = try LabCheck.jsonLines("\(directory)/events.jsonl").filter { $0["fault"] as? String == "membership" }
        return (code, verdicts, events)
    }

    @Test func theChurnPlanGivesTheBuiltInVerdictsThroughTheAdapter() async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        try #require(getuid() == 0, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces")
        let builtInOut = TestSupport.temporaryDirectory("membership-builtin")
        let customOut = TestSupport.temporaryDirectory("membership-custom")
        defer {
            try? FileManager.default.removeItem(atPath: builtInOut)
            try? FileManager.default.removeItem(atPath: customOut)
        }
        let (builtInCode, builtIn, _) = try await Self.run(
            "\(TestSupport.packageRoot)/plans/membership-churn.yaml", out: builtInOut)
        let customPlan = "\(customOut)/membership-churn-custom.yaml"
        try Self.customChurn().write(toFile: customPlan, atomically: true, encoding: .utf8)
        let (customCode, custom, events) = try await Self.run(customPlan, out: customOut)
        #expect(builtInCode == .valid, "\(builtIn)")
        #expect(customCode == builtInCode, "\(custom)")
        #expect(custom == builtIn)
        #expect(custom.count == 6)
        let injects = events.filter { $0["phase"] as? String == "inject" }
        #expect(injects.count >= 4, "\(events)")
        #expect(events.filter { $0["phase"] as? String == "heal" }.count == injects.count, "\(events)")
        try MembershipRunTests.expectStructuredChanges(events, plan: customPlan)
    }
}
