import Testing
import ChaosPlan
@testable import ChaosNet

/// Partition shapes as pure logic: which directed links each shape drops for 3, 5 and 7 nodes.
struct PartitionShapeTests {
    static func nodes(_ count: Int) -> [String] { (1...count).map { "n\($0)" } }

    struct Case: Sendable, CustomTestStringConvertible {
        var shape: PartitionSpec.Shape
        /// For `isolate`: the step's targets.
        var isolated: [String] = []
        var count: Int
        /// How many directed links are dropped.
        var drops: Int
        /// Pairs that must stay connected both ways.
        var connected: [(String, String)] = []
        /// Pairs that must be cut both ways.
        var cut: [(String, String)] = []
        var testDescription: String { "\(shape)\(isolated.isEmpty ? "" : " \(isolated)") over \(count) nodes" }
    }

    static let cases: [Case] = [
        Case(shape: .isolate, isolated: ["n1"], count: 3, drops: 4, connected: [("n2", "n3")],
             cut: [("n1", "n2"), ("n1", "n3")]),
        Case(shape: .isolate, isolated: ["n1"], count: 5, drops: 8, connected: [("n2", "n5")], cut: [("n1", "n5")]),
        Case(shape: .isolate, isolated: ["n3"], count: 7, drops: 12, connected: [("n1", "n7")], cut: [("n3", "n4")]),
        Case(shape: .isolate, isolated: ["n1", "n2"], count: 3, drops: 6, cut: [("n1", "n2"), ("n2", "n3")]),
        Case(shape: .isolate, isolated: ["n1", "n2"], count: 5, drops: 14, connected: [("n3", "n5")],
             cut: [("n1", "n2")]),
        Case(shape: .isolate, isolated: ["n9"], count: 3, drops: 0, connected: [("n1", "n2")]),
        Case(shape: .halves, count: 3, drops: 4, connected: [("n2", "n3")], cut: [("n1", "n2")]),
        Case(shape: .halves, count: 5, drops: 12, connected: [("n1", "n2"), ("n3", "n5")], cut: [("n2", "n3")]),
        Case(shape: .halves, count: 7, drops: 24, connected: [("n1", "n3"), ("n4", "n7")], cut: [("n3", "n4")]),
        Case(shape: .bridge, count: 3, drops: 2, connected: [("n1", "n2"), ("n2", "n3")], cut: [("n1", "n3")]),
        Case(shape: .bridge, count: 5, drops: 8, connected: [("n1", "n3"), ("n3", "n5"), ("n1", "n2")],
             cut: [("n1", "n4"), ("n2", "n5")]),
        Case(shape: .bridge, count: 7, drops: 18, connected: [("n1", "n4"), ("n4", "n7")], cut: [("n3", "n5")]),
        Case(shape: .majoritiesRing, count: 3, drops: 3),
        Case(shape: .majoritiesRing, count: 5, drops: 10, connected: [("n1", "n2"), ("n5", "n1")],
             cut: [("n1", "n3")]),
        Case(shape: .majoritiesRing, count: 7, drops: 21),
        Case(shape: .oneWay(from: "n1", to: "n2"), count: 3, drops: 1, connected: [("n1", "n3")]),
        Case(shape: .oneWay(from: "n2", to: "n2"), count: 5, drops: 0),
        Case(shape: .groups([["n1", "n2"], ["n3"]]), count: 3, drops: 4, connected: [("n1", "n2")],
             cut: [("n1", "n3"), ("n2", "n3")]),
        Case(shape: .groups([["n1", "n2"], ["n3"]]), count: 5, drops: 16, connected: [("n4", "n5")],
             cut: [("n3", "n4"), ("n1", "n5")]),
        Case(shape: .groups([["n1", "n7"], ["n2", "n3", "n4"]]), count: 7, drops: 32, connected: [("n1", "n7")],
             cut: [("n7", "n2"), ("n4", "n5")]),
    ]

    @Test(arguments: cases)
    func shapeDropsTheExpectedLinks(_ c: Case) {
        let grudge = c.shape.grudge(nodes: Self.nodes(c.count), isolating: c.isolated)
        #expect(grudge.drops.count == c.drops, "\(grudge)")
        for (a, b) in c.connected {
            #expect(grudge.connected(a, b), "\(a) and \(b) should talk: \(grudge)")
        }
        for (a, b) in c.cut {
            #expect(!grudge.delivers(from: a, to: b) && !grudge.delivers(from: b, to: a), "\(a)|\(b): \(grudge)")
        }
        #expect(grudge.drops.allSatisfy { $0.from != $0.to })
        #expect(grudge.nodes.isSubset(of: Set(Self.nodes(c.count))))
    }

    @Test(arguments: [3, 5, 7])
    func majoritiesRingGivesEveryNodeADifferentMajority(_ count: Int) {
        let nodes = Self.nodes(count)
        let grudge = PartitionSpec.Shape.majoritiesRing.grudge(nodes: nodes)
        var heard: Set<Set<String>> = []
        for node in nodes {
            let hears = Set(nodes).subtracting(grudge.blocked(to: node))
            #expect(hears.count == count / 2 + 1, "\(node) hears \(hears.sorted())")
            #expect(hears.contains(node))
            heard.insert(hears)
        }
        #expect(heard.count == count, "two nodes hear the same majority")
    }

    @Test func majoritiesRingOfThreeIsARingOfOneWayCuts() {
        let grudge = PartitionSpec.Shape.majoritiesRing.grudge(nodes: Self.nodes(3))
        #expect(grudge.drops == [DirectedLink(from: "n3", to: "n2"), DirectedLink(from: "n1", to: "n3"),
                                 DirectedLink(from: "n2", to: "n1")])
    }

    @Test func oneWayDropsOnlyOneDirection() {
        let grudge = PartitionSpec.Shape.oneWay(from: "n1", to: "n2").grudge(nodes: Self.nodes(3))
        #expect(!grudge.delivers(from: "n1", to: "n2"))
        #expect(grudge.delivers(from: "n2", to: "n1"))
        #expect(!grudge.connected("n1", "n2"))
    }

    @Test(arguments: [3, 5, 7])
    func randomHalvesIsSeededAndSplitsInTwo(_ count: Int) {
        let nodes = Self.nodes(count)
        var first = SplitMix64(seed: 42)
        var again = SplitMix64(seed: 42)
        let a = PartitionSpec.Shape.randomHalves.grudge(nodes: nodes, using: &first)
        let b = PartitionSpec.Shape.randomHalves.grudge(nodes: nodes, using: &again)
        #expect(a == b, "the same seed must give the same partition")
        #expect(a.drops.count == 2 * (count / 2) * (count - count / 2))
        var outcomes: Set<Grudge> = []
        for seed in 0..<20 {
            var rng = SplitMix64(seed: UInt64(seed))
            outcomes.insert(PartitionSpec.Shape.randomHalves.grudge(nodes: nodes, using: &rng))
        }
        #expect(outcomes.count > 1, "20 seeds gave one partition")
    }

    @Test func grudgeBetweenGroupsIsSymmetric() {
        let grudge = Grudge.between([["a"], ["b", "c"]])
        #expect(grudge.drops.count == 4)
        for link in grudge.drops {
            #expect(grudge.drops.contains(DirectedLink(from: link.to, to: link.from)))
        }
        #expect(Grudge.none.description == "no partition")
        #expect(grudge.description == "a->b a->c b->a c->a")
    }

    @Test(arguments: [("10.77.0.0/24", "10.77.0.1", "10.77.0.11", 244),
                      ("192.168.4.7/28", "192.168.4.1", "192.168.4.11", 4)])
    func subnetsNumberHostsFromEleven(_ text: String, _ gateway: String, _ first: String, _ capacity: Int) throws {
        let subnet = try Subnet(text)
        #expect(subnet.gateway == gateway)
        #expect(subnet.address(0) == first)
        #expect(subnet.capacity == capacity)
    }

    @Test(arguments: ["10.77.0.0", "10.77.0.0/33", "10.300.0.0/24", "x/24", "10.77.0.0/30"])
    func malformedSubnetsAreRefused(_ text: String) {
        #expect(throws: NetError.self) { try Subnet(text) }
    }
}

/// A small seeded generator, so shapes that draw randomness are reproducible in tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
