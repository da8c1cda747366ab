import Testing
@testable import ChaosPlan

@Suite struct ResolvedYAMLTests {
    @Test(arguments: Fixtures.examplePlanPaths)
    func examplePlansRoundTrip(_ path: String) throws {
        let plan = try PlanLoader.load(path: path)
        try Self.expectRoundTrip(plan, seed: 42)
    }

    @Test func everyFieldRoundTrips() throws {
        let plan = Plan(
            name: "every.field", seed: 3, duration: .milliseconds(90_500),
            cluster: ClusterSpec(
                system: .raftNode, nodes: 7, binary: "/opt/my node \"v3\"/node",
                args: ["--x=1", "null", "3", "tab\there", "new\nline", "back\\slash", "ünï ✓", "\u{1}"],
                electionTimeout: .milliseconds(1500), heartbeat: .microseconds(250), snapshotEvery: 10,
                bugs: ["a", "yes"], startTimeout: .seconds(3600)),
            workload: WorkloadSpec(kind: .append, keys: 1, clients: 1000, rate: 1000.0 / 60,
                                   timeout: .nanoseconds(7)),
            nemesis: [
                NemesisStep(timing: .every(.seconds(1), from: .zero, until: .seconds(90)), faults: [.pause],
                            target: .majority, duration: .milliseconds(1)),
                NemesisStep(timing: .at(.zero), faults: [.stop], target: .node("n7"), duration: nil),
                NemesisStep(timing: .at(.seconds(90)), faults: [.kill], target: .all, duration: .seconds(90)),
            ],
            checks: ChecksSpec(stats: .init(minAvailability: 0.999), crash: .init(patterns: ["\"quoted\"", "a\\d+"]),
                               linearizable: .init(model: .appendLog, timeLimit: .seconds(1))),
            sampleInterval: .seconds(1))
        try Self.expectRoundTrip(plan, seed: .max)
    }

    /// `chaos run --duration` shorter than the plan: the plan that ran drops what never started and still loads.
    @Test func shortenedPlanDropsLateStepsAndRoundTrips() throws {
        let plan = try PlanLoader.load(path: Fixtures.plansDirectory.appendingPathComponent("quickstart.yaml").path)
        let (short, dropped) = plan.running(for: .seconds(14))
        #expect(short.duration == .seconds(14))
        #expect(dropped.map(\.timing) == [.at(.seconds(16)), .every(.seconds(6), from: .seconds(20), until: nil)])
        #expect(short.nemesis.map(\.timing) == [.at(.seconds(8))])
        try Self.expectRoundTrip(short, seed: 1)

        let repeated = NemesisStep(timing: .every(.seconds(2), from: .seconds(1), until: .seconds(20)),
                                   faults: [.pause], target: .follower, duration: .seconds(1))
        var long = plan
        long.nemesis = [repeated]
        let (clamped, none) = long.running(for: .seconds(10))
        #expect(none.isEmpty)
        #expect(clamped.nemesis.map(\.timing) == [.every(.seconds(2), from: .seconds(1), until: .seconds(10))])
        try Self.expectRoundTrip(clamped, seed: 1)
    }

    @Test func resolvedTextShowsDefaultsAndSeed() throws {
        let text = try PlanLoader.parse(Fixtures.minimal, file: "m.yaml").resolvedYAML(seed: 7)
        for line in ["seed: 7", "sample_interval: 100ms", "  system: raft-node", "  nodes: 3", "  start_timeout: 10s",
                     "  kind: cas-register", "  rate: unlimited", "  timeout: 1s", "nemesis: []", "  stats: {  }"] {
            #expect(text.split(separator: "\n").contains(Substring(line)), "missing \(line)")
        }
    }

    static func expectRoundTrip(_ plan: Plan, seed: UInt64, sourceLocation: Testing.SourceLocation = #_sourceLocation)
        throws {
        let text = plan.resolvedYAML(seed: seed)
        let (reloaded, diagnostics) = PlanLoader.diagnose(text, file: "plan.yaml")
        #expect(!diagnostics.contains { $0.severity == .error }, "\(diagnostics)\n\(text)",
                sourceLocation: sourceLocation)
        var expected = plan
        expected.seed = seed
        #expect(reloaded == expected, "\(text)", sourceLocation: sourceLocation)
    }
}
