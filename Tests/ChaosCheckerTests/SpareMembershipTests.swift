import ChaosHistory
import Testing

@testable import ChaosChecker

/// Spare nodes (`cluster.members` below `nodes`) grown into the cluster and removed again: lag and stall hold a
/// spare to progress only while it is a member; divergence compares a wiped and re-added member only over the
/// entries it shares with the others.
@Suite struct SpareMembershipTests {
    /// n4 added at 10 s (voting 2 s later), removed at 30 s; n5 grown the same way.
    static func grow(_ nodes: [String], at: Double, votingAfter: Double, removedAt: Double?, id: Int = 7)
        -> [NemesisEvent] {
        var events = [NemesisEvent(
            time: ns(at), id: id, phase: .inject, fault: "membership", targets: nodes, latencyNanos: ns(votingAfter),
            changes: nodes.map { MembershipChangeRecord(change: .add, node: $0, before: ["n1", "n2", "n3"],
                                                        after: ["n1", "n2", "n3", $0], tookMs: 1000) })]
        if let removedAt {
            events.append(NemesisEvent(
                time: ns(removedAt), id: id, phase: .heal, fault: "membership", targets: nodes,
                latencyNanos: ns(1),
                changes: nodes.map { MembershipChangeRecord(change: .remove, node: $0, before: [], after: [],
                                                            tookMs: 500) }))
        }
        return events
    }

    @Test func aSpareIsExcusedOnlyWhileItIsNotAMember() {
        let windows = FaultWindow.lagWindows(from: Self.grow(["n4"], at: 10, votingAfter: 2, removedAt: 30))
        func excused(_ t: Double) -> Bool { windows.contains { $0.excuses("n4", at: ns(t), grace: 0) } }
        #expect(excused(1) && excused(11.9))
        #expect(!excused(12.5) && !excused(29.9))
        #expect(excused(30.1) && excused(59))
        // The plain windows (liveness) keep the grow as one fault from inject to heal's end.
        #expect(FaultWindow.windows(from: Self.grow(["n4"], at: 10, votingAfter: 2, removedAt: 30)).count == 1)
    }

    @Test func growingTwiceLeavesTheSecondMembershipUnexcused() {
        let events = Self.grow(["n4"], at: 5, votingAfter: 1, removedAt: 10, id: 1)
            + Self.grow(["n4"], at: 20, votingAfter: 1, removedAt: 30, id: 2)
        let windows = FaultWindow.lagWindows(from: events)
        func excused(_ t: Double) -> Bool { windows.contains { $0.excuses("n4", at: ns(t), grace: 0) } }
        #expect(excused(2) && !excused(8) && excused(15) && !excused(25) && excused(40))
    }

    @Test func aSpareDownOutsideItsMembershipIsNoStallButAStallWhileAMemberIs() async {
        var cluster = SyntheticCluster()
        cluster.nodes = ["n1", "n2", "n3", "n4"]
        // n4 answers only while running (10 s–30 s), applying everything.
        cluster.follower = { node, time, _ in
            node == "n4" && (time < ns(10) || time >= ns(30)) ? .some(.none) : .none
        }
        let events = Self.grow(["n4"], at: 10, votingAfter: 2, removedAt: 30)
        let clean = await LagChecker(stallAfter: .seconds(2)).check(cluster.input(events: events))
        #expect(clean.verdict == .valid, "\(clean.findings.map(\.message))")

        // The same spare stuck at index 150 from 15 s while a member: a stall.
        cluster.follower = { node, time, _ in
            guard node == "n4" else { return .none }
            if time < ns(10) || time >= ns(30) { return .some(.none) }
            return time >= ns(15) ? .some(.some(1500)) : .none
        }
        let stuck = await LagChecker(stallAfter: .seconds(2)).check(cluster.input(events: events))
        #expect(stuck.verdict == .invalid)
        #expect(stuck.findings.contains { $0.message.hasPrefix("n4 stalled") })
    }

    @Test func aWipedAndReAddedMemberIsComparedOnlyOverWhatItShares() async {
        // n2 was wiped and re-added: it holds a snapshot up to 600 and the entries after it.
        let logs = [
            DivergenceCheckerTests.log("n1", commit: 1000, entries: 1...1000),
            DivergenceCheckerTests.log("n2", commit: 995, entries: 601...1000),
            DivergenceCheckerTests.log("n3", commit: 1000, entries: 1...1000),
        ]
        let valid = await DivergenceChecker().check(CheckInput(history: History(), logs: logs))
        #expect(valid.verdict == .valid, "\(valid.findings.map(\.message))")
        #expect(valid.metrics["comparedEntries"] == Double(1000 + 395 + 395))

        // A committed entry it does share but holds differently is caught.
        var bad = logs
        bad[1] = DivergenceCheckerTests.log("n2", commit: 995, entries: 601...1000) { $0 == 700 ? "other" : nil }
        let invalid = await DivergenceChecker().check(CheckInput(history: History(), logs: bad))
        #expect(invalid.verdict == .invalid)
        #expect(invalid.findings.allSatisfy { $0.message.contains("index 700") })
    }
}
