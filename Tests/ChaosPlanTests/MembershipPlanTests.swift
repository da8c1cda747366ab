import ChaosPlan
import Testing

/// The `membership` fault's keys: defaults, every value, and the mistakes a plan can make with them.
@Suite struct MembershipPlanTests {
    static func decode(_ step: String) -> (Plan?, [String]) {
        let text = "name: x\nduration: 30s\ncluster: { nodes: 3 }\nnemesis:\n  - \(step)\n"
        let (plan, diagnostics) = PlanLoader.diagnose(text, file: "plans/m.yaml")
        return (plan, diagnostics.map(\.description))
    }

    @Test(arguments: [
        ("{ at: 2s, fault: membership, target: n2, for: 3s }", MembershipSpec(change: .remove, data: .keep)),
        ("{ at: 2s, fault: membership, target: leader, data: wipe, for: 3s }", MembershipSpec(change: .remove, data: .wipe)),
        ("{ at: 2s, fault: membership, target: follower, change: replace }", MembershipSpec(change: .replace)),
        ("{ every: 5s, faults: [membership, kill], target: random, data: wipe, for: 2s }",
         MembershipSpec(change: .remove, data: .wipe)),
    ])
    func decodesTheChange(_ step: String, _ expected: MembershipSpec) throws {
        let (plan, errors) = Self.decode(step)
        #expect(errors.isEmpty, "\(errors)")
        let decoded = try #require(plan?.nemesis.first)
        #expect(decoded.membership == expected)
        #expect(decoded.faults.contains(.membership))
    }

    @Test func replaceAlwaysWipes() {
        #expect(MembershipSpec(change: .replace, data: .keep).data == .wipe)
    }

    @Test(arguments: [
        ("{ at: 2s, fault: kill, target: n2, data: wipe }", "plans/m.yaml:5:40: 'data' applies only to 'membership' faults"),
        ("{ at: 2s, fault: membership, target: n2, change: swap }",
         "plans/m.yaml:5:54: unknown change 'swap' (expected one of: remove, replace, grow)"),
        ("{ at: 2s, fault: membership, target: n2, change: replace, data: keep }",
         "plans/m.yaml:5:69: 'change: replace' always brings back an empty node; remove 'data: keep' or use 'change: remove'"),
    ])
    func reportsMistakesWithTheirPlace(_ step: String, _ message: String) {
        let (_, errors) = Self.decode(step)
        #expect(errors.contains(message), "\(errors)")
    }

    @Test func scheduleCarriesTheChangeToEachOccurrence() throws {
        let (plan, _) = Self.decode("{ every: 5s, faults: [membership], target: follower, data: wipe, for: 2s }")
        let schedule = Schedule.expand(try #require(plan), seed: 3)
        #expect(schedule.count == 6)
        #expect(schedule.allSatisfy { $0.membership == MembershipSpec(change: .remove, data: .wipe) })
    }
}
