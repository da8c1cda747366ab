import ChaosCore
import Foundation
import Testing

/// Each test-only bug of raft-node is caught by the checker built for its class, and the same plan without the
/// bug is valid: chaos provokes the bug on purpose and does not cry wolf.
@Suite(.serialized, .timeLimit(.minutes(10)))
struct SeedPlanTests {
    struct Seed: Sendable, CustomStringConvertible {
        var plan: String
        var bug: String
        var duration: Duration
        /// The checker that must call the buggy run invalid, and words its finding must contain (in its message
        /// or the lines it quotes).
        var checker: String
        var finding: String
        var needsLab = false
        /// The plan traces the nodes (`stop_at`), which needs root here.
        var needsRoot = false
        /// The finding must name the node of the plan's first fault (the one the bug was provoked on).
        var namesFaultedNode = false

        var description: String { plan }
    }

    static let seeds = [
        // The two races (issue 15): real windows between two threads that the plans' `jitter` faults provoke;
        // a minute at most keeps make test's time in bounds (the nightly runs the plans' full length).
        // `stop_at` holds a thread inside each window at every pass — the lost wakeup was caught within ~6 s in
        // every run so far, the shutdown crash in most stops (docs/scheduling-faults.md) — so both are strict;
        // they need root to trace the leader.
        Seed(plan: "braft-lost-wakeup", bug: "lost-wakeup", duration: .seconds(30), checker: "lag",
             finding: "stalled", needsRoot: true),
        Seed(plan: "cubefs-shutdown-race", bug: "unsafe-shutdown", duration: .seconds(30), checker: "crash",
             finding: "crash on shutdown", needsRoot: true),
        Seed(plan: "divergence-skip-prev-check", bug: "skip-prev-check", duration: .seconds(20),
             checker: "divergence", finding: "disagree at committed index", needsLab: true),
        Seed(plan: "tikv-paused-writer", bug: "resend-assert", duration: .seconds(12), checker: "crash",
             finding: "assertion failed: cached_last < trunc_to_idx", needsLab: true, namesFaultedNode: true),
        Seed(plan: "restate-stuck-appenders", bug: "wait-new-term", duration: .seconds(15), checker: "liveness",
             finding: "never completed", needsLab: true),
        Seed(plan: "restate-half-reconfig", bug: "half-reconfig", duration: .seconds(48), checker: "liveness",
             finding: "never completed", needsLab: true),
        // The shortest run the leak checker judges: 5 s warm-up plus 30 s of fit, with some slack.
        Seed(plan: "braft-leak-on-retry", bug: "leak-on-retry", duration: .seconds(40), checker: "leak",
             finding: "RSS grows", needsLab: true),
        // Mounts chaos's FUSE disk layer: root (or FUSE in a user namespace), like the lab.
        Seed(plan: "lost-write-ack-before-fsync", bug: "ack-before-fsync", duration: .seconds(30),
             checker: "linearizable", finding: "not linearizable", needsLab: true),
    ]

    /// Runs `seed`'s plan with its bug (or with it removed) and returns the exit code, results.json and the
    /// targets of the first fault injected.
    static func run(_ seed: Seed, withBug: Bool) async throws -> (ExitCode, [String: Any], [String]) {
        let out = TestSupport.temporaryDirectory("seed")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var text = try String(contentsOfFile: "\(TestSupport.packageRoot)/plans/seeds/\(seed.plan).yaml",
                              encoding: .utf8)
        #expect(text.contains(", bugs: [\(seed.bug)]"), "the seed plan no longer names its bug")
        if !withBug { text = text.replacingOccurrences(of: ", bugs: [\(seed.bug)]", with: "") }
        let plan = "\(out)/\(seed.plan).yaml"
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        let code = await Runner.run(RunOptions(planPath: plan, outputRoot: out, seed: 11, duration: seed.duration,
                                               quiet: true))
        let run = try #require(try? FileManager.default.destinationOfSymbolicLink(atPath: "\(out)/latest"))
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(out)/\(run)/results.json"))
        let events = (try? String(contentsOfFile: "\(out)/\(run)/events.jsonl", encoding: .utf8)) ?? ""
        let firstFault = events.split(separator: "\n").lazy
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["phase"] as? String == "inject" }
        return (code, try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]),
                firstFault?["targets"] as? [String] ?? [])
    }

    static func check(_ results: [String: Any], _ name: String) -> [String: Any]? {
        (results["checks"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    @Test(arguments: seeds)
    func theBugIsCaughtByItsChecker(_ seed: Seed) async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        try #require(!seed.needsLab || geteuid() == 0, "needs root for the lab network (network faults)")
        try #require(!seed.needsRoot || geteuid() == 0, "needs root to trace the nodes (stop_at breakpoints)")
        let (code, results, faulted) = try await Self.run(seed, withBug: true)
        #expect(code == .invalid, "\(seed.plan) with \(seed.bug): \(results["verdict"] ?? "?")")
        let check = try #require(Self.check(results, seed.checker), "no \(seed.checker) result")
        // Every seed plan keeps the linearizability checker on (issue 12), and it must not give up.
        let linearizable = try #require(Self.check(results, "linearizable"), "\(seed.plan) has no linearizable check")
        #expect(linearizable["verdict"] as? String != "unknown", "\(linearizable)")
        #expect(check["verdict"] as? String == "invalid", "\(check)")
        let findings = check["findings"] as? [[String: Any]] ?? []
        let matching = findings.filter { finding in
            ([finding["message"] as? String] + (finding["details"] as? [String] ?? [])).contains {
                $0?.contains(seed.finding) == true
            }
        }
        #expect(!matching.isEmpty, "\(findings.compactMap { $0["message"] })")
        if seed.namesFaultedNode {
            let node = try #require(faulted.first, "no fault was injected")
            #expect(matching.contains { $0["node"] as? String == node && ($0["message"] as? String ?? "")
                .hasPrefix(node) }, "the finding does not name \(node): \(matching)")
        }
    }

    @Test(arguments: seeds)
    func withoutTheBugTheSamePlanIsValid(_ seed: Seed) async throws {
        try #require(TestSupport.binary("raft-node") != nil, "raft-node is not built; run 'swift build' first")
        try #require(!seed.needsLab || geteuid() == 0, "needs root for the lab network (network faults)")
        try #require(!seed.needsRoot || geteuid() == 0, "needs root to trace the nodes (stop_at breakpoints)")
        let (code, results, _) = try await Self.run(seed, withBug: false)
        let verdicts = (results["checks"] as? [[String: Any]] ?? []).map {
            "\($0["name"] ?? "?"): \($0["verdict"] ?? "?") — \($0["summary"] ?? "")"
        }
        // Known, not understood yet: once in CI (a8560e9, debug build under load) a bug-free node of a traced plan
        // (`stop_at`) did not exit within the 5 s grace after a `stop` fault's SIGTERM, where it takes 0.3–0.6 s
        // otherwise — as if the SIGTERM were lost around the breakpoint tracer's heal. Only that finding, with every
        // other check valid, is taken as this known issue; anything else still fails the test.
        let checks = results["checks"] as? [[String: Any]] ?? []
        let crashFindings = (Self.check(results, "crash")?["findings"] as? [[String: Any]] ?? [])
            .compactMap { $0["message"] as? String }
        let onlyAGraceOverrun = seed.needsRoot && !crashFindings.isEmpty
            && crashFindings.allSatisfy { $0.contains("did not exit within its grace period after SIGTERM") }
            && checks.allSatisfy { $0["name"] as? String == "crash" || $0["verdict"] as? String == "valid" }
        if onlyAGraceOverrun {
            withKnownIssue("a traced node outlived its SIGTERM grace period (open)", isIntermittent: true) {
                #expect(code == .valid, "\(seed.plan) without \(seed.bug): \(verdicts)")
            }
        } else {
            #expect(code == .valid, "\(seed.plan) without \(seed.bug): \(verdicts)")
        }
        #expect(Self.check(results, "linearizable")?["verdict"] as? String == "valid", "\(verdicts)")
    }
}
