import Testing
@testable import ChaosPlan

/// The disk keys of a plan: `cluster: { disk }`, `power-failure`, `disk-error`, `disk-latency`, and the refusal
/// of disk faults on a plain disk.
@Suite struct DiskPlanTests {
    static let file = "plans/disk.yaml"

    static func plan(_ nemesis: String, cluster: String = "{ nodes: 3, disk: cached }") -> String {
        "name: x\nduration: 30s\ncluster: \(cluster)\nnemesis:\n  - \(nemesis)\n"
    }

    static func step(_ nemesis: String) throws -> NemesisStep {
        try #require(try PlanLoader.parse(plan(nemesis), file: file).nemesis.first)
    }

    @Test func decodesEachDiskFault() throws {
        let power = try Self.step("{ at: 1s, fault: power-failure, target: minority, torn: true, for: 2s }")
        #expect(power.faults == [.powerFailure] && power.disk?.torn == true)
        let error = try Self.step("{ at: 1s, fault: disk-error, target: n1, error: ENOSPC, ops: [write], path: '^/wal/' }")
        #expect(error.disk == DiskFault(error: .enospc, operations: [.write], path: "^/wal/"))
        let latency = try Self.step("{ at: 1s, fault: disk-latency, target: all, delay: 50ms, jitter: 20ms }")
        #expect(latency.disk == DiskFault(operations: [.fsync], delay: .milliseconds(50), jitter: .milliseconds(20)))
        #expect(try PlanLoader.parse(Self.plan("{ at: 1s, fault: kill, target: n1 }"), file: Self.file).cluster.disk
            == .cached)
    }

    static let malformed: [MalformedPlan] = [
        MalformedPlan("disk fault on a plain disk", plan("{ at: 1s, fault: power-failure, target: n1 }",
                                                         cluster: "{ nodes: 3 }"),
                      ["4:1: 'power-failure' (plans/disk.yaml:5:5) needs the node data on chaos's disk layer: add "
                       + "'disk: cached' to 'cluster'"]),
        MalformedPlan("unknown disk mode", plan("{ at: 1s, fault: kill, target: n1 }", cluster: "{ disk: lazy }"),
                      ["3:18: unknown disk 'lazy' (expected one of: plain, cached)"]),
        MalformedPlan("torn on a kill", plan("{ at: 1s, fault: kill, target: n1, torn: true }"),
                      ["5:40: 'torn' applies only to 'power-failure' faults; this step has kill"]),
        MalformedPlan("bad error", plan("{ at: 1s, fault: disk-error, target: n1, error: EPERM }"),
                      ["5:53: unknown disk error 'EPERM' (expected one of: EIO, ENOSPC)"]),
        MalformedPlan("latency without delay", plan("{ at: 1s, fault: disk-latency, target: n1 }"),
                      ["5:5: missing required key 'delay'"]),
        MalformedPlan("bad path pattern", plan("{ at: 1s, fault: disk-error, target: n1, path: '(' }"),
                      ["5:52: 'path' must be a POSIX extended regular expression on paths in the data directory "
                       + "(like '^/wal/'), got '('"]),
        MalformedPlan("unknown op", plan("{ at: 1s, fault: disk-error, target: n1, ops: [fsnc] }"),
                      ["5:51: unknown disk operation 'fsnc' (did you mean 'fsync'?)"]),
    ]

    @Test(arguments: malformed)
    func reportsLocatedErrors(_ plan: MalformedPlan) {
        let (parsed, diagnostics) = PlanLoader.diagnose(plan.yaml, file: Self.file)
        #expect(parsed == nil)
        #expect(diagnostics.map(\.description) == plan.expected.map { "\(Self.file):\($0)" })
    }

    @Test func theResolvedPlanKeepsTheDiskSettings() throws {
        let text = Self.plan("{ every: 5s, faults: [power-failure, disk-error, disk-latency], target: random, "
                             + "torn: true, error: ENOSPC, ops: [write, fsync], path: '^/wal', delay: 5ms, for: 1s }")
        let plan = try PlanLoader.parse(text, file: Self.file)
        let again = try PlanLoader.parse(plan.resolvedYAML(seed: 3), file: "resolved")
        #expect(again.nemesis == plan.nemesis && again.cluster.disk == .cached)
    }
}
