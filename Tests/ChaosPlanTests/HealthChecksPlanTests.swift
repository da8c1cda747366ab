import Testing

@testable import ChaosPlan

/// The `lag`, `leak`, `liveness` and `divergence` settings: parsed values, located errors, resolved YAML.
@Suite struct HealthChecksPlanTests {
    static let file = "plans/bad.yaml"

    static let malformed: [MalformedPlan] = [
        MalformedPlan(
            "lag max_entries words",
            "name: x\nduration: 3s\nchecks: { lag: { max_entries: many } }\n",
            ["3:31: 'max_entries' must be a whole number, got 'many'"]),
        MalformedPlan(
            "lag stall_after without unit",
            "name: x\nduration: 3s\nchecks:\n  lag:\n    stall_after: 10\n",
            ["5:18: 'stall_after' needs a unit, got '10' (write '10s' for seconds)"]),
        MalformedPlan(
            "lag unknown key",
            "name: x\nduration: 3s\nchecks: { lag: { stal_after: 5s } }\n",
            ["3:18: unknown key 'stal_after' in 'lag' (did you mean 'stall_after'?)"]),
        MalformedPlan(
            "lag catch_up_within zero",
            "name: x\nduration: 3s\nchecks: { lag: { catch_up_within: 0s } }\n",
            ["3:35: 'catch_up_within' must be longer than 0s, got '0s'"]),
        MalformedPlan(
            "leak rss growth without period",
            "name: x\nduration: 3s\nchecks: { leak: { max_rss_growth: 20MB } }\n",
            ["3:35: 'max_rss_growth' must be a size per time such as 20MB/h or 512KiB/m, got '20MB'"]),
        MalformedPlan(
            "leak rss growth bad size",
            "name: x\nduration: 3s\nchecks: { leak: { max_rss_growth: 20XB/h } }\n",
            ["3:35: 'max_rss_growth' must be a size per time such as 20MB/h or 512KiB/m, got '20XB/h'"]),
        MalformedPlan(
            "leak fd growth bad",
            "name: x\nduration: 3s\nchecks: { leak: { max_fd_growth: lots } }\n",
            ["3:34: 'max_fd_growth' must be a count per time such as 100/h or 2/m, got 'lots'"]),
        MalformedPlan(
            "liveness negative",
            "name: x\nduration: 3s\nchecks: { liveness: { recover_within: -5s } }\n",
            ["3:39: 'recover_within' must not be negative, got '-5s'"]),
        MalformedPlan(
            "divergence takes no keys",
            "name: x\nduration: 3s\nchecks: { divergence: { strict: true } }\n",
            ["3:25: 'divergence' takes no settings, got 'strict'; write 'divergence: {}'"]),
        MalformedPlan(
            "misspelled checker",
            "name: x\nduration: 3s\nchecks: { lagg: {} }\n",
            ["3:11: unknown checker 'lagg' (did you mean 'lag'?)"]),
        MalformedPlan(
            "several problems at once",
            "name: x\nduration: 3s\nchecks:\n  lag: { max_entries: 0 }\n  leak: { warm_up: soon }\n"
                + "  liveness: { recover_within: 0s }\n",
            [
                "4:23: 'max_entries' must be at least 1, got '0'",
                "5:20: 'warm_up' must be a duration such as 250ms, 2s, 1m or 1h, got 'soon'",
                "6:31: 'recover_within' must be longer than 0s, got '0s'",
            ]),
    ]

    @Test(arguments: malformed)
    func reportsExactDiagnostics(_ plan: MalformedPlan) {
        #expect(throws: PlanError.self) { try PlanLoader.parse(plan.yaml, file: Self.file) }
        let (parsed, diagnostics) = PlanLoader.diagnose(plan.yaml, file: Self.file)
        #expect(parsed == nil)
        #expect(diagnostics.map(\.description) == plan.expected.map { "\(Self.file):\($0)" })
    }

    @Test func parsesEverySetting() throws {
        let plan = try PlanLoader.parse("""
            name: x
            duration: 3s
            checks:
              lag: { max_entries: 5000, stall_after: 12s, catch_up_within: 30s, grace: 1s }
              leak: { max_rss_growth: 5MiB/m, max_fd_growth: 100/h, max_thread_growth: 1/m, warm_up: 1m }
              liveness: { recover_within: 20s }
              divergence:
            """, file: "p.yaml")
        #expect(plan.checks.lag == .init(maxEntries: 5000, stallAfter: .seconds(12), catchUpWithin: .seconds(30),
                                         grace: .seconds(1)))
        #expect(plan.checks.leak == .init(maxRSSGrowthPerHour: 5 * 1_048_576 * 60, maxFDGrowthPerHour: 100,
                                          maxThreadGrowthPerHour: 60, warmUp: .seconds(60)))
        #expect(plan.checks.liveness == .init(recoverWithin: .seconds(20)))
        #expect(plan.checks.divergence != nil)
        #expect(plan.checks.stats == nil)
    }

    @Test func defaultsWhenEmpty() throws {
        let plan = try PlanLoader.parse("name: x\nduration: 3s\nchecks: { lag: {}, leak: , liveness: {} }\n",
                                        file: "p.yaml")
        #expect(plan.checks.lag == ChecksSpec.Lag())
        #expect(plan.checks.leak?.maxRSSGrowthPerHour == 20_000_000)
        #expect(plan.checks.liveness?.recoverWithin == .seconds(10))
        #expect(plan.checks.divergence == nil)
    }

    @Test func resolvedYAMLRoundTrips() throws {
        let plan = try PlanLoader.parse("""
            name: x
            duration: 3s
            checks:
              lag: { max_entries: 10, catch_up_within: 1500ms }
              leak: { max_rss_growth: 1.5MB/h, max_fd_growth: 2.5/m }
              liveness: {}
              divergence: {}
            """, file: "p.yaml")
        let again = try PlanLoader.parse(plan.resolvedYAML(seed: 7), file: "resolved.yaml")
        #expect(again.checks == plan.checks)
    }
}
