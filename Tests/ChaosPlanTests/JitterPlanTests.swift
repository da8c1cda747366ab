import Testing
@testable import ChaosPlan

/// The `jitter` fault's `sched:` keys: what decodes, every located error, and the resolved plan reading back equal.
@Suite struct JitterPlanTests {
    static let file = "plans/jitter.yaml"

    static func plan(_ nemesis: String) -> String {
        "name: x\nduration: 30s\ncluster: { nodes: 3 }\nnemesis:\n  - \(nemesis)\n"
    }

    static let malformed: [MalformedPlan] = [
        MalformedPlan("jitter without sched", plan("{ at: 1s, fault: jitter, target: leader }"),
                      ["5:5: missing required key 'sched'"]),
        MalformedPlan("sched that does nothing", plan("{ at: 1s, fault: jitter, target: leader, sched: { threads: x } }"),
                      ["5:46: 'sched' does nothing: give 'freeze' (e.g. 500/s), 'cpu', 'lower' or 'stop_at'"]),
        MalformedPlan("sched on a kill", plan("{ at: 1s, fault: kill, target: leader, sched: { cpu: 0 } }"),
                      ["5:44: 'sched' applies only to 'jitter' faults"]),
        MalformedPlan("priority without lower",
                      plan("{ at: 1s, fault: jitter, target: leader, sched: { cpu: 0, priority: idle } }"),
                      ["5:63: 'priority' needs 'lower', the threads to lower (e.g. lower: \"raft-writer\")"]),
        MalformedPlan("competitor without cpu",
                      plan("{ at: 1s, fault: jitter, target: leader, sched: { freeze: 10/s, competitor: true } }"),
                      ["5:69: 'competitor' needs 'cpu', the CPU it competes on (e.g. cpu: 0)"]),
        MalformedPlan("bad priority",
                      plan("{ at: 1s, fault: jitter, target: leader, sched: { lower: w, priority: 40 } }"),
                      ["5:75: 'priority' must be 'idle' (SCHED_IDLE) or a nice value from 1 to 19, got '40'"]),
        MalformedPlan("bad freeze rate", plan("{ at: 1s, fault: jitter, target: leader, sched: { freeze: fast } }"),
                      ["5:63: 'freeze' must be a rate such as 500/s, got 'fast'"]),
        MalformedPlan("bad thread regex", plan("{ at: 1s, fault: jitter, target: leader, sched: { lower: \"(\" } }"),
                      ["5:62: 'lower' must be a regular expression on thread names, got '('"]),
        MalformedPlan("pauses the wrong way round",
                      plan("{ at: 1s, fault: jitter, target: all, sched: { freeze: 9/s, min_pause: 5ms, "
                           + "max_pause: 1ms } }"),
                      ["5:92: 'max_pause' (1ms) must not be shorter than 'min_pause' (5ms)"]),
        MalformedPlan("freeze and stop_at in one step",
                      plan("{ at: 1s, fault: jitter, target: leader, sched: { freeze: 10/s, stop_at: \"f\" } }"),
                      ["5:55: 'freeze' and 'stop_at' cannot go in one step: both trace the node's threads and a thread "
                       + "has one tracer; use two steps on different nodes or pick one"]),
        MalformedPlan("bad stop_at regex", plan("{ at: 1s, fault: jitter, target: leader, sched: { stop_at: \"(\" } }"),
                      ["5:64: 'stop_at' must be a regular expression on function names, got '('"]),
        MalformedPlan("stop_chance out of range",
                      plan("{ at: 1s, fault: jitter, target: leader, sched: { stop_at: f, stop_chance: 2 } }"),
                      ["5:80: 'stop_chance' must be a number above 0 and at most 1, got '2'"]),
        MalformedPlan("stop_one without stop_at",
                      plan("{ at: 1s, fault: jitter, target: leader, sched: { cpu: 0, stop_one: true } }"),
                      ["5:63: 'stop_one' needs 'stop_at', the functions to stop in"]),
        MalformedPlan("unknown sched key", plan("{ at: 1s, fault: jitter, target: leader, sched: { cpus: 0 } }"),
                      ["5:55: unknown key 'cpus' in 'sched' (did you mean 'cpu'?)"]),
    ]

    @Test(arguments: malformed)
    func reportsExactDiagnostics(_ plan: MalformedPlan) {
        let (parsed, diagnostics) = PlanLoader.diagnose(plan.yaml, file: Self.file)
        #expect(parsed == nil)
        #expect(diagnostics.map(\.description) == plan.expected.map { "\(Self.file):\($0)" })
    }

    @Test func everyKeyDecodes() throws {
        let text = Self.plan("{ at: 1s, fault: jitter, target: leader, for: 5s, sched: { threads: \"^raft-repl\", "
                             + "freeze: 2000/s, min_pause: 50us, max_pause: 3ms, cpu: 1, lower: \"raft-writer\", "
                             + "priority: 19, competitor: true } }")
        let step = try #require(try PlanLoader.parse(text, file: Self.file).nemesis.first)
        #expect(step.faults == [.jitter])
        #expect(step.jitter == SchedulingJitter(threads: "^raft-repl", freezeRate: 2000, minPause: .microseconds(50),
                                                maxPause: .milliseconds(3), cpu: 1, lower: "raft-writer",
                                                priority: .nice(19), competitor: true))
    }

    @Test func theBreakpointKeysDecode() throws {
        let text = Self.plan("{ at: 1s, fault: jitter, target: leader, sched: { threads: \"raft-repl\", "
                             + "stop_at: '^RaftNode\\.LogWaitTable\\.register\\(', stop_chance: 0.25, stop_one: true, "
                             + "max_pause: 10ms } }")
        let jitter = try #require(try PlanLoader.parse(text, file: Self.file).nemesis.first?.jitter)
        #expect(jitter == SchedulingJitter(threads: "raft-repl", maxPause: .milliseconds(10),
                                           stopAt: #"^RaftNode\.LogWaitTable\.register\("#, stopChance: 0.25, stopOne: true))
        #expect(jitter.traces && !jitter.freezes)
        let again = try PlanLoader.parse(try PlanLoader.parse(text, file: Self.file).resolvedYAML(seed: 9),
                                         file: "runs/x/plan.yaml")
        #expect(again.nemesis.first?.jitter == jitter)
    }

    @Test func defaultsAndScheduleCarryTheJitter() throws {
        let text = Self.plan("{ every: 10s, faults: [jitter, kill], target: leader, for: 5s, sched: { freeze: 5/s } }")
        let plan = try PlanLoader.parse(text, file: Self.file)
        let jitter = try #require(plan.nemesis.first?.jitter)
        #expect(jitter.threads == ".*" && jitter.minPause == .microseconds(20) && jitter.maxPause == .milliseconds(2))
        #expect(jitter.cpu == nil && jitter.lower == nil && !jitter.competitor)
        for occurrence in Schedule.expand(plan, seed: 3) {
            #expect((occurrence.jitter != nil) == (occurrence.fault == .jitter))
        }
    }

    @Test func resolvedYAMLRoundTrips() throws {
        let text = Self.plan("{ at: 1s, fault: jitter, target: all, sched: { threads: \"raft-(repl|apply)\", "
                             + "freeze: 1500/s, max_pause: 1ms, cpu: 0, lower: \"raft-writer\", competitor: true } }")
        let plan = try PlanLoader.parse(text, file: Self.file)
        let again = try PlanLoader.parse(plan.resolvedYAML(seed: 9), file: "runs/x/plan.yaml")
        #expect(again.nemesis == plan.nemesis)
    }

    @Test func theSeedPlansDecode() throws {
        for name in ["braft-lost-wakeup", "cubefs-shutdown-race"] {
            let plan = try PlanLoader.load(path: Fixtures.packageRoot.appendingPathComponent("plans/seeds/\(name).yaml").path)
            #expect(plan.nemesis.contains { $0.faults == [.jitter] && $0.jitter != nil }, "\(name)")
        }
    }
}
