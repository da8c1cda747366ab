import Testing
@testable import RaftNode

/// Random partitions, message loss, reordering, crashes and restarts against the Raft safety properties:
/// one leader per term, and no two nodes applying different entries at one index. After healing, every
/// node must converge on the same state.
@Suite struct RaftFuzzTests {
    @Test(arguments: Array(UInt64(1)...UInt64(32)))
    func safetyUnderRandomFaults(seed: UInt64) throws {
        let c = SimCluster(size: 5, seed: seed, snapshotEvery: 15, compactionMargin: 3)
        c.netRandom = SplitMix64(seed: seed &* 7919)
        var r = SplitMix64(seed: seed)
        var value = 0
        for _ in 0..<1000 {
            c.dropRate = r.next() % 4 == 0 ? 0.2 : 0.02
            c.reorderRate = 0.1
            switch r.next() % 20 {
            case 0:
                let a = c.ids.filter { _ in r.next() % 2 == 0 }
                c.partition(a, c.ids.filter { !a.contains($0) })
            case 1:
                c.heal()
            case 2:
                let live = c.ids.filter { c.nodes[$0]!.up }
                if live.count > 3 { c.crash(live[Int(r.next() % UInt64(live.count))]) }
            case 3:
                if let down = c.ids.first(where: { !c.nodes[$0]!.up }) { c.restart(down, seed: r.next()) }
            case 4...9:
                if let l = c.leader() {
                    value += 1
                    c.propose(l, .put(key: "k\(value % 5)", value: "\(value)"))
                }
            default:
                c.run(ticks: 1)
            }
        }
        #expect(c.violations.isEmpty, "\(c.violations.prefix(3))")

        // Heal everything and let the cluster settle without faults.
        c.heal()
        c.dropRate = 0
        c.reorderRate = 0
        for id in c.ids where !c.nodes[id]!.up { c.restart(id) }
        let leader = try #require(c.electLeader(maxTicks: 500))
        c.propose(leader, .put(key: "final", value: "x"))
        c.run(ticks: 100)
        let target = c.core(leader).commitIndex
        // Guard against a vacuous pass: leadership changed and snapshots were taken.
        #expect(c.leaders.count >= 2)
        #expect(c.core(leader).snapshotIndex > 0)
        for id in c.ids {
            #expect(c.core(id).commitIndex == target, "\(id) commit \(c.core(id).commitIndex) vs \(target)")
            #expect(c.nodes[id]!.sm.map == c.nodes[leader]!.sm.map, "\(id) state differs")
        }
        #expect(c.violations.isEmpty, "\(c.violations.prefix(3))")
    }
}
