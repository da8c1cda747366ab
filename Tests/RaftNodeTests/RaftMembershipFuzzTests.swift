import Testing
@testable import RaftNode

/// Membership changes under random partitions, loss, reordering, crashes and leader changes: one leader per
/// term, no two nodes applying different entries at one index, and once the faults end the cluster converges
/// on one configuration that every member holds.
@Suite struct RaftMembershipFuzzTests {
    @Test(arguments: Array(UInt64(1)...UInt64(24)))
    func safetyWhileMembershipChanges(seed: UInt64) throws {
        let c = SimCluster(size: 5, seed: seed, snapshotEvery: 25, compactionMargin: 3)
        c.netRandom = SplitMix64(seed: seed &* 7919)
        var r = SplitMix64(seed: seed)
        var value = 0
        var changes = 0
        var spare = 6
        for _ in 0..<1200 {
            c.dropRate = r.next() % 4 == 0 ? 0.2 : 0.02
            c.reorderRate = 0.1
            switch r.next() % 24 {
            case 0:
                let a = c.ids.filter { _ in r.next() % 2 == 0 }
                c.partition(a, c.ids.filter { !a.contains($0) })
            case 1, 2:
                c.heal()
            case 3:
                let live = c.ids.filter { c.nodes[$0]!.up }
                if live.count > 3 { c.crash(live[Int(r.next() % UInt64(live.count))]) }
            case 4:
                if let down = c.ids.first(where: { !c.nodes[$0]!.up }) { c.restart(down, seed: r.next()) }
            case 5, 6:
                // Remove a member (sometimes the leader itself), keeping at least three voters.
                if let l = c.leader(), c.core(l).membership.voters.count > 3 {
                    let members = c.core(l).membership.ids
                    let victim = members[Int(r.next() % UInt64(members.count))]
                    if case .success = c.change(l, .remove(id: victim)) { changes += 1 }
                }
            case 7, 8:
                // Add a member: a brand-new node, or a removed one back, wiped or with its old disk.
                if let l = c.leader(), c.core(l).membership.ids.count < 6 {
                    let members = Set(c.core(l).membership.ids)
                    let outside = c.ids.filter { !members.contains($0) }
                    let id: String
                    if let back = outside.first, r.next() % 3 != 0 {
                        id = back
                        if r.next() % 2 == 0 { c.startFresh(id, seed: r.next()) }
                    } else {
                        id = "n\(spare)"
                        spare += 1
                        c.startFresh(id, seed: r.next())
                    }
                    if case .success = c.change(l, .addLearner(id: id, address: "")) { changes += 1 }
                }
            case 9...14:
                if let l = c.leader() {
                    value += 1
                    c.propose(l, .put(key: "k\(value % 5)", value: "\(value)"))
                }
            default:
                c.run(ticks: 1)
            }
        }
        #expect(c.violations.isEmpty, "\(c.violations.prefix(3))")
        #expect(changes >= 3, "too few changes for a meaningful run")

        // Heal, restart everyone, and let the cluster settle.
        c.heal()
        c.dropRate = 0
        c.reorderRate = 0
        for id in c.ids where !c.nodes[id]!.up { c.restart(id) }
        let settled = c.run(until: {
            guard let l = c.leader() else { return false }
            let core = c.core(l)
            return core.membership.learners.isEmpty && !core.membershipChangePending && core.hasCommittedInTerm
        }, maxTicks: 1500)
        #expect(settled, "no leader with a settled configuration")
        let leader = try #require(c.leader())
        c.propose(leader, .put(key: "final", value: "x"))
        c.run(ticks: 100)
        let final = c.core(leader).membership
        #expect(final.voters.count >= 3)
        for id in final.ids {
            #expect(c.core(id).membership == final, "\(id) holds another configuration")
            #expect(c.nodes[id]!.sm.get("final") == "x", "\(id) did not apply the final write")
            #expect(c.nodes[id]!.sm.map == c.nodes[leader]!.sm.map, "\(id) state differs")
        }
        #expect(c.violations.isEmpty, "\(c.violations.prefix(3))")
    }
}
