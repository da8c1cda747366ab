import ChaosNet
import ChaosPlan
import Testing
@testable import ChaosNemesis

/// How a step's plan-level links and knobs become the lab's directed links and netem spec.
@Suite struct NetworkInjectionTests {
    static let nodes = ["n1", "n2", "n3"]

    struct Case: Sendable, CustomTestStringConvertible {
        var links: LinkShaping.Links
        var targets: [String]
        var expected: [String]
        var testDescription: String { "\(links) targets \(targets)" }
    }

    static let cases: [Case] = [
        Case(links: .target, targets: ["n1"], expected: ["n1->n2", "n1->n3", "n2->n1", "n3->n1"]),
        Case(links: .target, targets: ["n1", "n2"],
             expected: ["n1->n2", "n1->n3", "n2->n1", "n2->n3", "n3->n1", "n3->n2"]),
        Case(links: .between("n2", "n3"), targets: ["n1"], expected: ["n2->n3", "n3->n2"]),
        Case(links: .directed(from: ["n1"], to: ["n2", "n3"]), targets: [], expected: ["n1->n2", "n1->n3"]),
        Case(links: .directed(from: ["n1", "n2"], to: ["n2"]), targets: [], expected: ["n1->n2"]),
    ]

    @Test(arguments: cases) func links(_ c: Case) {
        let links = NetworkInjection.links(c.links, targets: c.targets, nodes: Self.nodes)
        #expect(links.map { "\($0.from)->\($0.to)" } == c.expected)
    }

    @Test func clientSenders() {
        #expect(NetworkInjection.senders(.target, targets: ["n2"]) == ["n2"])
        #expect(NetworkInjection.senders(.between("n1", "n3"), targets: []) == ["n1", "n3"])
        #expect(NetworkInjection.senders(.directed(from: ["n3"], to: ["n1"]), targets: []) == ["n3"])
    }

    @Test func fractionsBecomePercentages() {
        var shaping = LinkShaping(links: .target)
        shaping.delay = .milliseconds(100)
        shaping.loss = 0.05
        shaping.rate = 125_000
        let spec = NetworkInjection.spec(shaping)
        #expect(spec.delay == .milliseconds(100))
        #expect(spec.loss == 5)
        #expect(NetworkInjection.describe(spec) == "delay 100ms loss 5.0% rate \(Units.formatBandwidth(125_000))")
        #expect(NetworkInjection.describe(NetworkInjection.spec(LinkShaping())) == "clean")
    }

    @Test func nodesSortNumerically() {
        #expect(["n10", "n2", "n1"].sorted(by: NetworkInjection.nodeOrder) == ["n1", "n2", "n10"])
    }
}
