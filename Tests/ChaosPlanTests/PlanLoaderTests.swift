import Foundation
import Testing
@testable import ChaosPlan

@Suite struct PlanLoaderTests {
    @Test func loadsQuickstart() throws {
        let plan = try PlanLoader.load(path: Fixtures.quickstartPath)
        #expect(plan.name == "quickstart")
        #expect(plan.seed == nil)
        #expect(plan.duration == .seconds(30))
        #expect(plan.cluster == ClusterSpec(system: .raftNode, nodes: 3))
        #expect(plan.workload == WorkloadSpec(kind: .casRegister, keys: 8, clients: 8, rate: 1500,
                                              timeout: .seconds(1)))
        #expect(plan.nemesis == [
            NemesisStep(timing: .at(.seconds(8)), faults: [.kill], target: .leader, duration: .seconds(4)),
            NemesisStep(timing: .at(.seconds(16)), faults: [.pause], target: .follower, duration: .seconds(3)),
            NemesisStep(timing: .every(.seconds(6), from: .seconds(20), until: nil), faults: [.kill, .stop, .pause],
                        target: .random, duration: .seconds(2)),
        ])
        #expect(plan.checks == ChecksSpec(stats: .init(), crash: .init(), linearizable: .init(), lag: .init(),
                                          liveness: .init(), divergence: .init()))
        #expect(plan.sampleInterval == .milliseconds(100))
    }

    @Test func recordsWhereEachStepIs() throws {
        let plan = try PlanLoader.load(path: Fixtures.quickstartPath)
        let lines = Fixtures.quickstartText.split(separator: "\n", omittingEmptySubsequences: false)
        for step in plan.nemesis {
            let location = try #require(step.location)
            #expect(location.file == Fixtures.quickstartPath)
            let line = lines[location.line - 1]
            // Flow-style steps are located at their opening brace.
            #expect(line.dropFirst(location.column - 1).hasPrefix("{"))
        }
    }

    @Test(arguments: Fixtures.examplePlanPaths)
    func examplePlansLoadWithoutDiagnostics(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let (plan, diagnostics) = PlanLoader.diagnose(text, file: path)
        #expect(plan != nil)
        #expect(diagnostics.isEmpty, "\(diagnostics)")
    }

    @Test func fillsDefaults() throws {
        let plan = try PlanLoader.parse(Fixtures.minimal, file: "minimal.yaml")
        #expect(plan == Plan(name: "minimal", duration: .seconds(10), cluster: ClusterSpec(),
                             workload: WorkloadSpec()))
        #expect(plan.cluster.startTimeout == .seconds(10))
        #expect(plan.checks.stats != nil && plan.checks.crash != nil && plan.checks.linearizable == nil)
    }

    @Test func readsEveryKey() throws {
        let yaml = """
            name: full.plan_1
            seed: 18446744073709551615
            duration: 2m
            sample_interval: 250ms
            cluster:
              system: custom
              nodes: 5
              binary: /usr/local/bin/node
              args: [--fast, 3, "with space"]
              election_timeout: 300ms
              heartbeat: 50ms
              snapshot_every: 1000
              bugs: [skip-persist]
              start_timeout: 20s
              adapter:
                command: ["{binary}", --id, "{id}"]
                client: { read: { path: "/kv/{key|url}", value: value }, write: { path: "/kv/{key}", body: "{value}" } }
                status: { path: /status, commit: commit, applied: applied, leader: leader }
            workload: { kind: register, keys: 2, clients: 4, rate: 1000/m, timeout: 500ms, bind: node }
            nemesis:
              - { every: 10s, from: 5s, until: 1m, faults: [stop, pause], target: minority }
              - { at: 1m30s_is_not_a_duration_so_not_here, fault: kill, target: n5 }
            checks:
              stats: { min_availability: 99.5% }
              crash: { patterns: ["^boom$"] }
              linearizable: { model: register, time_limit: 90s }
            """
        let fixed = yaml.replacingOccurrences(of: "1m30s_is_not_a_duration_so_not_here", with: "90s")
        let plan = try PlanLoader.parse(fixed, file: "full.yaml")
        let cluster = ClusterSpec(system: .custom, nodes: 5, binary: "/usr/local/bin/node",
                                  args: ["--fast", "3", "with space"], electionTimeout: .milliseconds(300),
                                  heartbeat: .milliseconds(50), snapshotEvery: 1000, bugs: ["skip-persist"],
                                  startTimeout: .seconds(20), adapter: plan.cluster.adapter)
        #expect(plan.cluster.adapter?.client.read?.request.path.description == "/kv/{key|url}")
        #expect(plan.cluster.adapter?.status.leader?.path == FieldPath("leader"))
        let expected = Plan(
            name: "full.plan_1", seed: .max, duration: .seconds(120), cluster: cluster,
            workload: WorkloadSpec(kind: .register, keys: 2, clients: 4, rate: 1000.0 / 60,
                                   timeout: .milliseconds(500), bind: .node),
            nemesis: [
                NemesisStep(timing: .every(.seconds(10), from: .seconds(5), until: .seconds(60)),
                            faults: [.stop, .pause], target: .minority, duration: nil),
                NemesisStep(timing: .at(.seconds(90)), faults: [.kill], target: .node("n5"), duration: nil),
            ],
            checks: ChecksSpec(stats: .init(minAvailability: 0.995), crash: .init(patterns: ["^boom$"]),
                               linearizable: .init(model: .register, timeLimit: .seconds(90))),
            sampleInterval: .milliseconds(250))
        #expect(plan == expected)
        // The unfixed text has one bad value and only that is reported.
        let error = #expect(throws: PlanError.self) { try PlanLoader.parse(yaml, file: "full.yaml") }
        #expect(error?.errors.count == 1)
        // raft-node's settings are no use to a custom system: one warning each.
        #expect(error?.diagnostics.count == 5)
        #expect(error?.errors.first?.location == SourceLocation(file: "full.yaml", line: 22, column: 11))
    }

    @Test func emptyChecksRunNothingAndBareCheckersTakeDefaults() throws {
        let none = try PlanLoader.parse(Fixtures.minimal + "\nchecks: {}\n", file: "p.yaml")
        #expect(none.checks == ChecksSpec(stats: nil, crash: nil, linearizable: nil))
        let bare = try PlanLoader.parse(Fixtures.minimal + "\nchecks:\n  crash:\n  linearizable:\n", file: "p.yaml")
        #expect(bare.checks == ChecksSpec(stats: nil, crash: .init(), linearizable: .init()))
    }

    @Test func unlimitedRateAndEmptyNemesis() throws {
        let plan = try PlanLoader.parse(Fixtures.minimal + "\nworkload: { rate: unlimited }\nnemesis:\n",
                                        file: "p.yaml")
        #expect(plan.workload.rate == nil)
        #expect(plan.nemesis.isEmpty)
    }

    @Test func faultOutlastingTheRunIsAWarningNotAnError() throws {
        let yaml = "name: x\nduration: 30s\nnemesis:\n  - { at: 25s, fault: pause, target: leader, for: 10s }\n"
        let plan = try PlanLoader.parse(yaml, file: "p.yaml")
        #expect(plan.nemesis.count == 1)
        let (_, diagnostics) = PlanLoader.diagnose(yaml, file: "p.yaml")
        #expect(diagnostics.map(\.description) == [
            "p.yaml:4:51: warning: the fault outlasts the run (at 25s for 10s, duration 30s); it is healed when the"
                + " run ends",
        ])
    }

    @Test func missingFileIsReportedWithItsPath() {
        let path = "/nonexistent/chaos/plan.yaml"
        let error = #expect(throws: PlanError.self) { try PlanLoader.load(path: path) }
        #expect(error?.description == "\(path): cannot read the plan: no such file; check the path")
    }

    @Test func errorsAreSortedByPosition() {
        let yaml = "workload: { clients: 0 }\nduration: 0s\nname: BAD\n"
        let error = #expect(throws: PlanError.self) { try PlanLoader.parse(yaml, file: "p.yaml") }
        let lines = error?.diagnostics.map(\.location.line) ?? []
        #expect(lines == [1, 2, 3])
    }
}

@Suite struct PlanFileTests {
    @Test func loadHandsBackWarnings() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-plan-\(getpid()).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let yaml = "name: x\nduration: 30s\nnemesis:\n  - { at: 25s, fault: pause, target: leader, for: 10s }\n"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        var warnings: [Diagnostic] = []
        let plan = try PlanLoader.load(path: path, warnings: &warnings)
        #expect(plan.name == "x")
        #expect(warnings.map(\.location) == [SourceLocation(file: path, line: 4, column: 51)])
        #expect(warnings.allSatisfy { $0.severity == .warning })
    }

    @Test func directoryIsNotAPlan() {
        let path = FileManager.default.temporaryDirectory.path
        let error = #expect(throws: PlanError.self) { try PlanLoader.load(path: path) }
        #expect(error?.description == "\(path): cannot read the plan: it is a directory; check the path")
    }
}
