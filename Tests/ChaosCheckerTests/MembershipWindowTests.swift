import ChaosChecker
import ChaosHistory
import Testing

/// A `membership` fault excuses its targets until the original membership is whole again — the heal's latency —
/// not only until chaos started putting it back: a member being re-added is not a voter yet and owes no progress.
@Suite struct MembershipWindowTests {
    static let events = [
        NemesisEvent(time: 1_000_000_000, id: 0, phase: .inject, fault: "membership", targets: ["n2"],
                     latencyNanos: 200_000_000, detail: "removed n2 in 0.2s: n1,n2,n3 → n1,n3"),
        NemesisEvent(time: 5_000_000_000, id: 0, phase: .heal, fault: "membership", targets: ["n2"],
                     latencyNanos: 3_000_000_000, detail: "added n2 back (wiped) in 3.0s: n1,n3 → n1,n2,n3"),
        NemesisEvent(time: 6_000_000_000, id: 1, phase: .inject, fault: "kill", targets: ["n3"]),
        NemesisEvent(time: 7_000_000_000, id: 1, phase: .heal, fault: "kill", targets: ["n3"],
                     latencyNanos: 500_000_000),
    ]

    @Test func membershipWindowEndsWhenTheChangeCompleted() throws {
        let windows = FaultWindow.windows(from: Self.events)
        let membership = try #require(windows.first { $0.fault == "membership" })
        #expect(membership.end == 8_000_000_000)
        #expect(membership.excuses("n2", at: 7_500_000_000, grace: 0))
        #expect(!membership.excuses("n1", at: 7_500_000_000, grace: 0))
        // Other faults end when they are healed, whatever their apply latency.
        #expect(windows.first { $0.fault == "kill" }?.end == 7_000_000_000)
    }
}
