import ChaosHistory
import Testing

@testable import ChaosReport

/// The report's table of membership changes reads the events' structured `changes`: one row per change with
/// the voters before and after and how long it took; an event without them shows its detail text.
@Suite struct MembershipTableTests {
    @Test func oneRowPerStructuredChange() {
        let events = [
            NemesisEvent(time: 17_000_000_000, id: 2, phase: .inject, fault: "membership", targets: ["n4", "n5"],
                         latencyNanos: 4_000_000_000, detail: "text not shown", changes: [
                MembershipChangeRecord(change: .add, node: "n4", before: ["n1", "n2", "n3"],
                                       after: ["n1", "n2", "n3", "n4"], tookMs: 2100, acceptedMs: 300, data: "wipe"),
                MembershipChangeRecord(change: .add, node: "n5", before: ["n1", "n2", "n3", "n4"],
                                       after: ["n1", "n2", "n3", "n4"], learnersAfter: ["n5"], tookMs: 10_000,
                                       acceptedMs: 200, data: "wipe", completed: false),
            ]),
            NemesisEvent(time: 31_000_000_000, id: 2, phase: .error, fault: "membership", targets: ["n4"],
                         detail: "remove n4: refused"),
        ]
        let html = MembershipChanges.table(events)
        #expect(html.components(separatedBy: "<tr>").count == 1 + 1 + 3)  // header, two changes, the error
        #expect(html.contains("<td>add n4 (wiped)</td>"))
        #expect(html.contains("<td>n1,n2,n3 → n1,n2,n3,n4</td>"))
        #expect(html.contains("n1,n2,n3,n4 → n1,n2,n3,n4 (+n5 learning) — not completed"))
        #expect(!html.contains("text not shown"))
        #expect(html.contains("remove n4: refused"))
    }

    @Test func noMembershipNoTable() {
        #expect(MembershipChanges.table([NemesisEvent(time: 0, id: 0, phase: .inject, fault: "kill",
                                                      targets: ["n1"])]).isEmpty)
    }
}
