import ChaosPlan
import ChaosNemesis
import Testing
@testable import ChaosNet

#if canImport(Glibc)
import Glibc
#endif

/// `clients: affected`: a partition also cuts the controller's workload clients (they send from the lab's
/// clients address) from the nodes cut off from the majority, while the sampler's address stays clean.
@Suite(.serialized, .timeLimit(.minutes(1)),
       .enabled(if: NetProbe.isRoot, "needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN) to create network namespaces"))
struct ClientTrafficTests {
    let nodes = ["n1", "n2", "n3"]

    @Test(arguments: [false, true])
    func isolatingANodeCutsClientsOnlyWhenAffected(cutClients: Bool) throws {
        let lab = try Lab.create(nodes: nodes, subnet: "10.72.0.0/24")
        defer { lab.teardown() }
        let listeners = try NetProbe.listen(in: lab)
        defer { listeners.close() }
        let faults = NetworkFaults(lab: lab, mechanism: .route)
        var rng = SplitMix64(seed: 3)
        let (grudge, _) = try faults.partition(1, .isolate, among: nodes, isolating: ["n1"], cutClients: cutClients,
                                               using: &rng)
        #expect(grudge.drops.contains(DirectedLink(from: "n1", to: Lab.clients)) == cutClients)
        #expect(!grudge.drops.contains(DirectedLink(from: "n2", to: Lab.clients)), "n2 is with the majority")

        #expect(reaches(lab, "n1", asClient: true) == !cutClients, "client -> isolated n1")
        #expect(reaches(lab, "n1", asClient: false), "the sampler's address must always reach n1")
        #expect(reaches(lab, "n2", asClient: true), "client -> n2 (majority side)")

        try faults.heal(1)
        #expect(reaches(lab, "n1", asClient: true), "client -> n1 after the heal")
    }

    @Test func majorityRuleOfTheClients() {
        var rng = SplitMix64(seed: 1)
        let five = ["n1", "n2", "n3", "n4", "n5"]
        #expect(PartitionSpec.Shape.halves.grudge(nodes: five, using: &rng).cutFromMajority(five) == ["n1", "n2"])
        #expect(PartitionSpec.Shape.majoritiesRing.grudge(nodes: five, using: &rng).cutFromMajority(five).isEmpty)
        #expect(PartitionSpec.Shape.halves.grudge(nodes: ["a", "b"], using: &rng).cutFromMajority(["a", "b"])
                == ["a", "b"], "an even split leaves the clients no majority")
    }

    private func reaches(_ lab: Lab, _ node: String, asClient: Bool) -> Bool {
        guard let fd = try? lab.connect(to: node, port: NetProbe.tcpPort, timeout: .milliseconds(400),
                                        asClient: asClient) else { return false }
        close(fd)
        return true
    }
}
