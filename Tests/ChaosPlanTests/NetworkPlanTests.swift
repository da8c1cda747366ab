import Testing
@testable import ChaosPlan

/// The network keys of a plan: `cluster: { network, subnet }`, partition shapes and mechanisms, netem links
/// and knobs, bandwidths, and the refusal of network faults on loopback.
@Suite struct NetworkPlanTests {
    static let file = "plans/net.yaml"

    static func plan(_ nemesis: String, cluster: String = "{ nodes: 5 }") -> String {
        "name: x\nduration: 30s\ncluster: \(cluster)\nnemesis:\n  - \(nemesis)\n"
    }

    static func step(_ nemesis: String) throws -> NemesisStep {
        try #require(try PlanLoader.parse(plan(nemesis), file: file).nemesis.first)
    }

    static let malformed: [MalformedPlan] = [
        MalformedPlan("misspelt partition", plan("{ at: 1s, fault: partiton, shape: halves }"),
                      ["5:22: unknown fault 'partiton' (did you mean 'partition'?)"]),
        MalformedPlan("unknown shape", plan("{ at: 1s, fault: partition, shape: halvs }"),
                      ["5:40: unknown shape 'halvs' (did you mean 'halves'?)"]),
        MalformedPlan("one-way without nodes", plan("{ at: 1s, fault: partition, shape: one-way }"),
                      ["5:40: shape 'one-way' needs its nodes: write 'shape: { one-way: { from: n1, to: n2 } }' or "
                       + "'shape: { groups: [[n1, n2], [n3]] }'"]),
        MalformedPlan("one-way unknown node",
                      plan("{ at: 1s, fault: partition, shape: { one-way: { from: n1, to: n9 } } }"),
                      ["5:67: unknown node 'n9' in 'to' (the cluster has nodes n1 to n5)"]),
        MalformedPlan("one-way same node",
                      plan("{ at: 1s, fault: partition, shape: { one-way: { from: n2, to: n2 } } }"),
                      ["5:51: a one-way partition needs two different nodes, got 'n2' twice"]),
        MalformedPlan("groups overlap", plan("{ at: 1s, fault: partition, shape: { groups: [[n1, n2], [n2]] } }"),
                      ["5:61: node 'n2' is in more than one group"]),
        MalformedPlan("isolate without target", plan("{ at: 1s, fault: partition, shape: isolate }"),
                      ["5:40: shape 'isolate' needs 'target' (the node or nodes to cut off, e.g. 'target: leader')"]),
        MalformedPlan("bad mechanism", plan("{ at: 1s, fault: partition, shape: halves, mechanism: iptables }"),
                      ["5:59: unknown mechanism 'iptables' (expected one of: auto, netem, route)"]),
        MalformedPlan("misspelt mechanism", plan("{ at: 1s, fault: partition, shape: halves, mechanism: rout }"),
                      ["5:59: unknown mechanism 'rout' (did you mean 'route'?)"]),
        MalformedPlan("partition without shape", plan("{ at: 1s, fault: partition, target: leader }"),
                      ["5:5: a partition step needs 'shape' (one of: isolate, halves, random-halves, "
                       + "majorities-ring, bridge, one-way, groups)"]),
        MalformedPlan("shape on a kill", plan("{ at: 1s, fault: kill, target: leader, shape: halves }"),
                      ["5:44: 'shape' applies only to partition faults; this step has kill"]),
        MalformedPlan("delay on a partition", plan("{ at: 1s, fault: partition, shape: halves, delay: 5ms }"),
                      ["5:48: 'delay' applies only to netem and rate faults; this step has partition"]),
        MalformedPlan("delay without unit", plan("{ at: 1s, fault: netem, between: [n1, n2], delay: 50 }"),
                      ["5:55: 'delay' needs a unit, got '50' (write '50s' for seconds)"]),
        MalformedPlan("loss over 100%", plan("{ at: 1s, fault: netem, between: [n1, n2], loss: 120% }"),
                      ["5:54: 'loss' must be at most 100%, got '120%'"]),
        MalformedPlan("loss as a number", plan("{ at: 1s, fault: netem, between: [n1, n2], loss: 0.5 }"),
                      ["5:54: 'loss' must be a percentage such as 90%, got '0.5'"]),
        MalformedPlan("bad rate unit", plan("{ at: 1s, fault: rate, target: leader, rate: 1mbps }"),
                      ["5:50: 'rate' must be a bandwidth such as 1mbit, 500kbit or 128KB/s, got '1mbps'"]),
        MalformedPlan("rate without rate", plan("{ at: 1s, fault: rate, target: leader }"),
                      ["5:5: a rate fault needs 'rate' (a bandwidth such as 1mbit or 128KB/s)"]),
        MalformedPlan("netem without knobs", plan("{ at: 1s, fault: netem, between: [n1, n2] }"),
                      ["5:5: a netem fault needs at least one of delay, loss, duplicate, reorder, corrupt or rate"]),
        MalformedPlan("jitter without delay", plan("{ at: 1s, fault: netem, between: [n1, n2], jitter: 5ms }"),
                      ["5:48: 'jitter' needs 'delay' in the same step (jitter varies the delay)"]),
        MalformedPlan("between three nodes", plan("{ at: 1s, fault: netem, between: [n1, n2, n3], loss: 5% }"),
                      ["5:38: 'between' must name exactly two different nodes, such as [n1, n2]"]),
        MalformedPlan("from without to", plan("{ at: 1s, fault: netem, from: [n1], loss: 5% }"),
                      ["5:29: 'from' names the sending nodes of the shaped links; add 'to' (the receiving nodes)"]),
        MalformedPlan("target with links",
                      plan("{ at: 1s, fault: netem, between: [n1, n2], loss: 5%, target: leader }"),
                      ["5:58: 'target' does not apply when 'between' or 'from'/'to' name the links; remove it"]),
        MalformedPlan("unknown network", plan("{ at: 1s, fault: kill, target: n1 }", cluster: "{ network: netns }"),
                      ["3:21: unknown network 'netns' (expected one of: auto, namespaces, loopback)"]),
        MalformedPlan("bad subnet", plan("{ at: 1s, fault: kill, target: n1 }", cluster: "{ subnet: 10.77.0.0/31 }"),
                      ["3:20: 'subnet' must be an IPv4 network with a prefix length of 8 to 29, like 10.77.0.0/24"
                       + ", got '10.77.0.0/31'"]),
        MalformedPlan("unknown clients", plan("{ at: 1s, fault: partition, shape: halves, clients: dirty }"),
                      ["5:57: unknown clients setting 'dirty' (expected one of: clean, affected)"]),
    ]

    @Test(arguments: malformed)
    func reportsLocatedErrors(_ plan: MalformedPlan) {
        let (parsed, diagnostics) = PlanLoader.diagnose(plan.yaml, file: Self.file)
        #expect(parsed == nil)
        #expect(diagnostics.map(\.description) == plan.expected.map { "\(Self.file):\($0)" })
    }

    @Test func shapesDecode() throws {
        #expect(try Self.step("{ at: 1s, fault: partition, shape: isolate, target: leader }").partition
                == PartitionSpec(shape: .isolate))
        #expect(try Self.step("{ at: 1s, fault: partition, shape: random-halves, mechanism: route }").partition
                == PartitionSpec(shape: .randomHalves, mechanism: .route))
        #expect(try Self.step("{ at: 1s, fault: partition, shape: { one-way: { from: n1, to: n3 } } }").partition
                == PartitionSpec(shape: .oneWay(from: "n1", to: "n3")))
        let groups = try Self.step("{ at: 1s, fault: partition, shape: { groups: [[n1, n2], [n3]] } }")
        #expect(groups.partition == PartitionSpec(shape: .groups([["n1", "n2"], ["n3"]])))
        #expect(groups.target == .all)
    }

    @Test func netemDecodes() throws {
        let step = try Self.step("{ at: 1s, fault: netem, from: [n1, n2], to: n3, delay: 50ms, jitter: 10ms, "
                                 + "correlation: 25%, distribution: normal, loss: 5%, loss_correlation: 10%, "
                                 + "duplicate: 1%, reorder: 20%, gap: 5, corrupt: 0.1%, rate: 128KB/s }")
        let shaping = try #require(step.shaping)
        #expect(shaping.links == .directed(from: ["n1", "n2"], to: ["n3"]))
        #expect(shaping.delay == .milliseconds(50) && shaping.jitter == .milliseconds(10))
        #expect(shaping.correlation == 0.25 && shaping.distribution == .normal)
        #expect(shaping.loss == 0.05 && shaping.lossCorrelation == 0.1 && shaping.duplicate == 0.01)
        #expect(shaping.reorder == 0.2 && shaping.gap == 5 && shaping.corrupt == 0.001)
        #expect(shaping.rate == 128_000)
        #expect(shaping.needsNetem)
        // `from` naming nodes is not an `every` step's start time.
        #expect(step.timing == .at(.seconds(1)))
    }

    @Test func rateAloneNeedsNoNetem() throws {
        let step = try Self.step("{ at: 1s, fault: rate, target: leader, rate: 1mbit }")
        #expect(step.shaping?.rate == 125_000)
        #expect(step.shaping?.needsNetem == false)
        #expect(step.target == .leader)
    }

    @Test(arguments: [("1mbit", 125_000), ("500kbit", 62_500), ("2gbit", 250_000_000), ("800bit/s", 100),
                      ("128KB/s", 128_000), ("1MiB/s", 1_048_576), ("1.5mbit", 187_500)] as [(String, UInt64)])
    func bandwidthsParse(_ text: String, _ bytes: UInt64) {
        #expect(Units.parseBandwidth(text) == bytes)
        #expect(Units.parseBandwidth(Units.formatBandwidth(bytes)) == bytes)
    }

    @Test(arguments: ["1mbps", "fast", "10", "KB/s", "-1mbit"])
    func badBandwidthsAreRejected(_ text: String) {
        #expect(Units.parseBandwidth(text) == nil)
    }

    @Test func clusterNetworkAndSubnetDecode() throws {
        let plan = try PlanLoader.parse(Self.plan("{ at: 1s, fault: kill, target: n1 }",
                                                  cluster: "{ network: loopback, subnet: 10.9.0.0/16 }"),
                                        file: Self.file)
        #expect(plan.cluster.network == .loopback && plan.cluster.subnet == "10.9.0.0/16")
        #expect(try PlanLoader.parse(Self.plan("{ at: 1s, fault: kill, target: n1 }"), file: Self.file)
            .cluster.network == .auto)
    }

    @Test func loopbackRefusesNetworkFaults() throws {
        let plan = try PlanLoader.parse(Self.plan("{ at: 1s, fault: partition, shape: halves }",
                                                  cluster: "{ nodes: 3, network: loopback }"), file: Self.file)
        let refusal = try #require(plan.loopbackRefusal)
        #expect(refusal.hasPrefix("plans/net.yaml:5:5: fault 'partition' needs network: namespaces"))
        let processOnly = try PlanLoader.parse(Self.plan("{ at: 1s, fault: kill, target: n1 }",
                                                         cluster: "{ network: loopback }"), file: Self.file)
        #expect(processOnly.loopbackRefusal == nil)
    }

    @Test func netemNeedIsKnownStatically() throws {
        let explicit = try PlanLoader.parse(Self.plan("{ at: 1s, fault: partition, shape: halves, mechanism: netem }"),
                                            file: Self.file)
        #expect(explicit.firstNetemStep != nil)
        let auto = try PlanLoader.parse(Self.plan("{ at: 1s, fault: partition, shape: halves }"), file: Self.file)
        #expect(auto.firstNetemStep == nil)
        let delay = try PlanLoader.parse(Self.plan("{ at: 1s, fault: netem, between: [n1, n2], delay: 5ms }"),
                                         file: Self.file)
        #expect(delay.firstNetemStep != nil)
        let rate = try PlanLoader.parse(Self.plan("{ at: 1s, fault: rate, between: [n1, n2], rate: 1mbit }"),
                                        file: Self.file)
        #expect(rate.firstNetemStep == nil)
    }

    @Test func networkStepsRoundTripThroughResolvedYAML() throws {
        let text = Self.plan("{ at: 1s, fault: partition, shape: { groups: [[n1, n2], [n3]] }, mechanism: route }")
            + "  - { at: 2s, fault: netem, from: [n1], to: all, delay: 5ms, loss: 1%, for: 3s }\n"
            + "  - { every: 5s, from: 10s, faults: [rate, partition], target: leader, rate: 1mbit, shape: isolate }\n"
        let plan = try PlanLoader.parse(text, file: Self.file)
        let again = try PlanLoader.parse(plan.resolvedYAML(seed: 1), file: "resolved")
        var expected = plan
        expected.seed = 1
        #expect(again == expected)
        #expect(Schedule.expand(plan, seed: 1).first { $0.fault == .rate }?.shaping?.rate == 125_000)
    }
}

/// The `pause-thread` keys of a nemesis step.
@Suite struct PauseThreadPlanTests {
    static let base = "name: t\nduration: 10s\ncluster: { nodes: 3 }\nworkload: { kind: register }\nnemesis:\n"

    static let cases: [(String, String?)] = [
        ("  - { at: 1s, fault: pause-thread, target: n1, thread: raft-writer, for: 2s }\n", nil),
        ("  - { at: 1s, fault: pause-thread, target: n1, for: 2s }\n", "'thread'"),
        ("  - { at: 1s, fault: kill, target: n1, thread: raft-writer }\n", "applies only to 'pause-thread'"),
        ("  - { at: 1s, fault: pause-thread, target: n1, thread: w, mode: ptrase }\n", "did you mean 'ptrace'?"),
        ("  - { at: 1s, fault: pause-thread, target: n1, thread: w, mode: signal }\n", "needs 'signal' and"),
        ("  - { at: 1s, fault: pause-thread, target: n1, thread: w, mode: signal, signal: SIGUSR1,"
            + " resume_signal: SIGBOGUS }\n", "must be a signal such as SIGUSR1"),
        ("  - { at: 1s, fault: pause-thread, target: n1, thread: \"(\" }\n", "must be a regular expression"),
    ]

    @Test(arguments: cases)
    func decodes(_ c: (String, String?)) {
        let (plan, diagnostics) = PlanLoader.diagnose(Self.base + c.0, file: "p.yaml")
        let errors = diagnostics.filter { $0.severity == .error }.map(\.description)
        if let expected = c.1 {
            #expect(errors.contains { $0.contains(expected) && $0.hasPrefix("p.yaml:6:") }, "\(errors)")
        } else {
            #expect(errors.isEmpty, "\(errors)")
            #expect(plan?.nemesis.first?.thread == ThreadPause(pattern: "raft-writer"))
            let round = try? PlanLoader.parse(plan!.resolvedYAML(seed: 1), file: "r.yaml")
            #expect(round == plan.map { var p = $0; p.seed = 1; return p })
        }
    }
}
