import ChaosChecker
import ChaosPlan
import Testing

@testable import ChaosCore
@testable import ChaosReport

/// Chart axes read as round numbers; the plan's health checks become the right checkers.
@Suite("axes and checker wiring")
struct AxisAndCheckersTests {
    @Test("time ticks fall on round steps", arguments: [
        (60.0, [0.0, 10, 20, 30, 40, 50, 60]),
        (3600.0, [0.0, 600, 1200, 1800, 2400, 3000, 3600]),
        (15.0, [0.0, 2, 4, 6, 8, 10, 12, 14]),
    ])
    func timeTicks(seconds: Double, ticks: [Double]) {
        #expect(Axis.timeTicks(upTo: seconds) == ticks)
    }

    @Test("value ticks are 1, 2 or 5 × 10ⁿ apart and the top covers the maximum", arguments: [
        (9650.0, 10_000.0), (40.0, 40.0), (0.37, 0.4), (1.0, 1.0),
    ])
    func valueTicks(max: Double, top: Double) {
        #expect(abs(Axis.top(for: max) - top) < 1e-9)
        let ticks = Axis.ticks(upTo: Axis.top(for: max))
        #expect(ticks.count >= 3 && ticks.count <= 6)
    }

    @Test("time and number labels", arguments: [
        (45.0, "45s"), (90.0, "1m30s"), (600.0, "10m"), (3600.0, "1h"), (5400.0, "1h30m"), (2.5, "2.5s"),
    ])
    func timeLabels(seconds: Double, text: String) {
        #expect(Axis.time(seconds) == text)
    }

    @Test("a plan's lag, leak, liveness and divergence settings make those checkers, in order")
    func healthCheckers() throws {
        let plan = try PlanLoader.parse("""
            name: x
            duration: 3s
            checks:
              divergence: {}
              lag: { stall_after: 7s }
              liveness: { recover_within: 4s }
              leak: { max_rss_growth: 1MB/h }
            """, file: "p.yaml")
        let checkers = HealthCheckers.make(from: plan.checks)
        #expect(checkers.map(\.name) == [.lag, .leak, .liveness, .divergence])
        #expect((checkers[0] as? LagChecker)?.stallAfter == .seconds(7))
        #expect((checkers[1] as? LeakChecker)?.maxRSSGrowthPerHour == 1_000_000)
        #expect((checkers[2] as? LivenessChecker)?.recoverWithin == .seconds(4))
        #expect(HealthCheckers.make(from: ChecksSpec()).isEmpty)
    }
}
