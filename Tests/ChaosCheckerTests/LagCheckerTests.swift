import ChaosHistory
import Foundation
import Testing

@testable import ChaosChecker

/// Lag on synthetic clusters with known timing: stalls flagged in time and only when no fault explains them.
@Suite("lag checker")
struct LagCheckerTests {
    struct StallCase: Sendable, CustomTestStringConvertible {
        var stallAfter: Double
        var stuckAt: Double
        var testDescription: String { "stall_after \(stallAfter)s, stuck from \(stuckAt)s" }
    }

    @Test("a stall is flagged within stall_after plus one sample period", arguments: [
        StallCase(stallAfter: 1, stuckAt: 12.3), StallCase(stallAfter: 2.5, stuckAt: 12.34),
        StallCase(stallAfter: 5, stuckAt: 30.05), StallCase(stallAfter: 10, stuckAt: 3),
    ])
    func stallTiming(_ c: StallCase) async throws {
        var cluster = SyntheticCluster()
        let stuck = ns(c.stuckAt)
        cluster.follower = { node, time, commit in
            node == "n3" && time >= stuck ? .some(.some(stuck / SyntheticCluster.period * 10)) : .none
        }
        let checker = LagChecker(stallAfter: .nanoseconds(ns(c.stallAfter)))
        let analysis = LagAnalysis(samples: cluster.samples(), events: [], nodes: cluster.nodes)
        let stalls = StallDetector(stallAfter: ns(c.stallAfter), grace: 0)
            .stalls(of: "n3", points: analysis.points["n3"]!, windows: [])
        let stall = try #require(stalls.first)
        #expect(stalls.count == 1)
        // The stall begins at the first sample where n3 is behind with the stuck index: the next tick (n3 is
        // polled 2 ms into each tick).
        #expect(stall.start >= stuck && stall.start <= stuck + SyntheticCluster.period + ns(0.002))
        #expect(stall.detectedAt - stall.start >= ns(c.stallAfter))
        #expect(stall.detectedAt - stall.start <= ns(c.stallAfter) + SyntheticCluster.period)
        #expect(stall.untilEnd)
        let result = await checker.check(cluster.input())
        #expect(result.verdict == .invalid)
        let message = try #require(result.findings.first?.message)
        #expect(message.hasPrefix("n3 stalled \(String(format: "%.1f", Double(stall.start) / 1e9))s–60.0s"))
        #expect(message.contains("applied index stuck at \(stuck / SyntheticCluster.period * 10)"))
        #expect(message.contains("while the cluster committed up to 6000; no fault targeted n3"))
        #expect(result.metrics["stalls"] == 1)
    }

    @Test("a healthy cluster has no stall and zero lag")
    func healthy() async {
        let result = await LagChecker(maxEntries: 5).check(SyntheticCluster().input())
        #expect(result.verdict == .valid)
        #expect(result.findings.isEmpty)
        #expect(result.metrics["lagMaxEntries"] == 0)
    }

    @Test("a node paused by the nemesis is excused, and its catch-up is timed")
    func faultExcuses() async throws {
        var cluster = SyntheticCluster()
        // Paused 10s–20s (no answer), then applies 200 entries per sample until it has caught up.
        cluster.follower = { node, time, commit in
            guard node == "n3", time >= ns(10) else { return .none }
            if time < ns(20) { return .some(.none) }
            let caughtUp = 1000 + (time - ns(20)) / SyntheticCluster.period * 200
            return caughtUp >= commit ? .none : .some(.some(caughtUp))
        }
        let events = fault("pause", ["n3"], from: 10, to: 20)
        let result = await LagChecker(maxEntries: 50, catchUpWithin: .seconds(5)).check(cluster.input(events: events))
        #expect(result.verdict == .valid, "\(result.findings.map(\.message))")
        let catchUp = try #require(result.metrics["catchUpMaxSeconds"])
        // From 20s the node gains 190 entries per sample on a gap of 1000 + 10/sample: about 0.6s.
        #expect(catchUp > 0.4 && catchUp < 0.8)
        #expect(result.metrics["lagMaxEntries"]! >= 1000)

        let strict = await LagChecker(catchUpWithin: .milliseconds(200)).check(cluster.input(events: events))
        #expect(strict.verdict == .invalid)
        #expect(strict.findings.first?.message.contains("to catch up after the heal of pause at 20.0s") == true)
    }

    @Test("a node that never resumes after a heal stalls from the end of the grace period")
    func stallAfterHeal() async throws {
        var cluster = SyntheticCluster()
        cluster.follower = { node, time, _ in
            guard node == "n3", time >= ns(10) else { return .none }
            return time < ns(20) ? .some(.none) : .some(.some(1000))
        }
        let events = fault("kill", ["n3"], from: 10, to: 20)
        let result = await LagChecker(stallAfter: .seconds(3), grace: .seconds(2)).check(cluster.input(events: events))
        #expect(result.verdict == .invalid)
        let finding = try #require(result.findings.first { $0.message.contains("stalled") })
        #expect(finding.time.map { $0 >= 22 && $0 <= 22.2 } == true)
        #expect(finding.message.contains("the last fault aimed at n3 (kill) was healed at 20.0s"))
    }

    @Test("lag beyond max_entries outside any fault is reported as a window")
    func maxEntries() async throws {
        var cluster = SyntheticCluster()
        // n2 falls 400 entries behind between 30s and 35s but keeps moving (no stall).
        cluster.follower = { node, time, commit in
            node == "n2" && time >= ns(30) && time < ns(35) ? .some(.some(commit - 400)) : .none
        }
        let result = await LagChecker(maxEntries: 300).check(cluster.input())
        #expect(result.verdict == .invalid)
        #expect(result.findings.count == 1)
        let finding = try #require(result.findings.first)
        #expect(finding.message.hasPrefix("n2 was up to 400 entries behind (limit 300) 30.0s–34.9s"))
        #expect(result.metrics["n2.lagMaxEntries"] == 400)
        #expect(result.metrics["behindMaxSeconds"].map { $0 > 3.9 && $0 < 4.1 } == true)
    }

    @Test("no commit index in any sample gives unknown")
    func noSamples() async {
        let result = await LagChecker().check(CheckInput(history: History(), samples: [
            Sample(time: 0, node: "n1", answered: false, error: "connection refused"),
        ]))
        #expect(result.verdict == .unknown)
        #expect(result.summary.contains("no sample carried a commit index"))
    }
}
