import ChaosPlan
import ChaosNemesis
import Testing
@testable import ChaosNet

/// Overlapping network faults on a real lab: the union is enforced, and healing one keeps the others.
@Suite(.serialized, .timeLimit(.minutes(1)),
       .enabled(if: NetProbe.isRoot, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces"))
struct NetworkFaultsTests {
    let nodes = ["n1", "n2", "n3", "n4", "n5"]

    @Test func overlappingPartitionsHealIndependently() throws {
        let lab = try Lab.create(nodes: nodes, subnet: "10.75.0.0/24")
        defer { lab.teardown() }
        let faults = NetworkFaults(lab: lab, mechanism: .route)
        var rng = SplitMix64(seed: 7)
        let (isolated, _) = try faults.partition(1, .isolate, among: nodes, isolating: ["n1"], using: &rng)
        let (oneWay, latency) = try faults.partition(2, .oneWay(from: "n4", to: "n5"), among: nodes, using: &rng)
        #expect(latency < .seconds(1))
        #expect(Set(lab.partitions.keys) == isolated.drops.union(oneWay.drops))
        #expect(lab.partitions.count == 9)

        try faults.heal(1)
        #expect(Set(lab.partitions.keys) == [DirectedLink(from: "n4", to: "n5")])
        let routes = NetProbe.inside(lab.namespacePath(of: "n1"), ["ip", "route"])
        #expect(!routes.contains("unreachable"), "n1 still cut after its heal: \(routes)")

        _ = try faults.shape(3, links: [DirectedLink(from: "n2", to: "n3")], NetemSpec(rate: 125_000))
        _ = try faults.shape(4, links: [DirectedLink(from: "n2", to: "n3")], NetemSpec(rate: 250_000))
        try faults.heal(4)
        let classes = NetProbe.inside(lab.namespacePath(of: "n2"), ["tc", "class", "show", "dev", "eth0"])
        #expect(classes.contains("rate 1Mbit"), "the older shaping should be back: \(classes)")

        try faults.healAll()
        #expect(lab.partitions.isEmpty)
        #expect(faults.combined == .none)
    }
}

/// Heals are idempotent: a route someone already removed does not make the heal fail.
@Suite(.serialized, .timeLimit(.minutes(1)),
       .enabled(if: NetProbe.isRoot, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces"))
struct IdempotentHealTests {
    @Test func healSurvivesARouteRemovedBehindItsBack() throws {
        let lab = try Lab.create(nodes: ["n1", "n2"], subnet: "10.73.0.0/24")
        defer { lab.teardown() }
        try lab.apply(PartitionSpec.Shape.isolate.grudge(nodes: lab.nodes, isolating: ["n1"]), mechanism: .route)
        NetProbe.inside(lab.namespacePath(of: "n1"), ["ip", "route", "del", "unreachable", "10.73.0.12/32"])
        try lab.heal()
        #expect(lab.partitions.isEmpty)
        try lab.heal()
    }
}
