import Testing
@testable import RaftNode

/// In-process clusters of `RaftCore`s: elections, replication, repair, Figure 8, restarts, snapshots.
@Suite struct RaftCoreTests {
    @Test(arguments: [1, 3, 5], [UInt64(1), 2, 3])
    func electsExactlyOneLeader(size: Int, seed: UInt64) {
        let c = SimCluster(size: size, seed: seed)
        let leader = c.electLeader()
        #expect(leader != nil)
        c.run(ticks: 30)
        let leaders = c.ids.filter { c.core($0).role == .leader }
        #expect(leaders.count == 1)
        let term = c.core(leaders[0]).term
        for id in c.ids {
            #expect(c.core(id).term == term)
            #expect(c.core(id).leader == leaders[0])
        }
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func replicatesAndAppliesOnEveryNode() throws {
        let c = SimCluster(size: 3)
        let leader = try #require(c.electLeader())
        for i in 0..<100 { c.propose(leader, .put(key: "k\(i % 7)", value: "v\(i)")) }
        c.run(ticks: 5)
        let last = c.core(leader).lastIndex
        for id in c.ids {
            #expect(c.core(id).commitIndex == last)
            #expect(c.nodes[id]!.sm.appliedIndex == last)
            #expect(c.nodes[id]!.sm.map == c.nodes[leader]!.sm.map)
        }
        #expect(c.nodes[leader]!.sm.get("k6") == "v97")
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func newLeaderAfterLeaderCrashKeepsCommittedEntries() throws {
        let c = SimCluster(size: 5, seed: 9)
        let first = try #require(c.electLeader())
        for i in 0..<20 { c.propose(first, .put(key: "a", value: "\(i)")) }
        c.run(ticks: 3)
        let committed = c.core(first).commitIndex
        c.crash(first)
        c.run(ticks: 40)
        let second = try #require(c.leader())
        #expect(second != first)
        #expect(c.core(second).commitIndex >= committed)
        #expect(c.nodes[second]!.sm.get("a") == "19")
    }

    /// Isolates leader `old`, lets it append `lost` entries only it holds (never committed, to be overwritten),
    /// has the others elect a new leader that commits `x = kept`, and heals.
    /// - Returns: the new leader.
    static func replaceIsolatedLeader(_ c: SimCluster, _ old: String, lost: Int) throws -> String {
        let others = c.ids.filter { $0 != old }
        c.partition([old], others)
        for i in 0..<lost { c.propose(old, .put(key: "x", value: "lost\(i)")) }
        c.run(ticks: 60)
        let new = try #require(others.first { c.core($0).role == .leader })
        c.propose(new, .put(key: "x", value: "kept"))
        c.run(ticks: 3)
        c.heal()
        return new
    }

    /// Every node holds the log of `leader` and has applied `x = kept`; nothing unsafe happened.
    static func expectConverged(_ c: SimCluster, on leader: String) {
        let log = c.core(leader).entries(from: 1, to: c.core(leader).lastIndex)
        for id in c.ids {
            #expect(c.core(id).entries(from: 1, to: c.core(id).lastIndex) == log)
            #expect(c.nodes[id]!.sm.get("x") == "kept")
        }
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func repairsConflictingLogOfDeposedLeader() throws {
        let c = SimCluster(size: 3, seed: 4)
        let old = try #require(c.electLeader())
        c.propose(old, .put(key: "x", value: "committed"))
        c.run(ticks: 3)
        let new = try Self.replaceIsolatedLeader(c, old, lost: 10)
        c.run(ticks: 40)
        Self.expectConverged(c, on: new)
    }

    /// TiKV#17868's situation, which `resend-assert` turns into an abort: a leader with a frozen writer is
    /// isolated, appends entries it never persists, and rejoins still frozen. It must still answer heartbeats
    /// (so the new leader probes it), truncate its unpersisted tail under the new leader's entries, and persist
    /// those once its writer runs again.
    @Test func aRejoiningLeaderWithAFrozenWriterGivesUpItsUnpersistedTail() throws {
        let c = SimCluster(size: 3, seed: 4)
        let old = try #require(c.electLeader())
        c.propose(old, .put(key: "x", value: "committed"))
        c.run(ticks: 3)
        c.frozenWriters.insert(old)
        let persisted = c.core(old).persistedIndex
        let new = try Self.replaceIsolatedLeader(c, old, lost: 5)
        let tail = persisted + 5
        c.run(ticks: 20)
        // Still frozen: nothing new is durable, yet the tail was cut and the new leader's entries taken.
        #expect(c.core(old).persistedIndex == persisted)
        #expect(c.core(old).leader == new)
        let replaced = c.core(old).entries(from: persisted + 1, to: tail)
        #expect(!replaced.isEmpty && replaced.allSatisfy { $0.term == c.core(new).term }, "\(replaced)")
        c.releaseWriter(old)
        c.run(ticks: 20)
        Self.expectConverged(c, on: new)
    }

    /// Raft paper Figure 8: a leader must not count replicas of an older term's entry as committing it.
    @Test func figure8OlderTermEntryIsNotCommittedByCounting() throws {
        let c = SimCluster(size: 5, seed: 3)
        // Term 1: n1 leads and commits its no-op everywhere.
        c.nodes["n1"]!.core.campaign(preVote: false)
        c.process("n1")
        c.deliverAll()
        #expect(c.core("n1").role == .leader)
        c.run(ticks: 1)
        // n1 replicates X (index 2, term 1) to n2 only, then crashes.
        c.partition(["n1"], ["n3", "n4", "n5"])
        let x = try #require(c.propose("n1", .put(key: "f8", value: "X")))
        c.deliverAll()
        #expect(c.core("n2").lastIndex == x.index)
        c.crash("n1")
        c.heal()
        // n5 wins term 2 with n3 and n4, appends its no-op at index 2 locally, and crashes before sending it.
        c.partition(["n2"], ["n5"])
        c.filter = { m in m.from == "n5" && m.kind == "AppendEntries" ? nil : m }
        c.nodes["n5"]!.core.campaign(preVote: false)
        c.process("n5")
        c.deliverAll()
        #expect(c.core("n5").role == .leader)
        #expect(c.core("n5").lastIndex == x.index)
        c.crash("n5")
        c.heal()
        // n1 returns, wins term 3 with n2 and n3, and gets X onto n3 — but not its own term-3 no-op.
        c.restart("n1")
        c.partition(["n1", "n2", "n3"], ["n4"])
        c.filter = { m in
            guard m.from == "n1", m.to == "n3", case let .appendEntries(pi, pt, entries, commit) = m.body else {
                return m
            }
            var out = m
            out.body = .appendEntries(prevIndex: pi, prevTerm: pt, entries: entries.filter { $0.index <= x.index },
                                      commit: commit)
            return out
        }
        // Its first try lands in term 2, where n3 already voted for n5; the second (term 3) wins.
        for _ in 0..<3 where c.core("n1").role != .leader {
            c.nodes["n1"]!.core.campaign(preVote: false)
            c.process("n1")
            c.deliverAll()
        }
        #expect(c.core("n1").role == .leader)
        #expect(c.core("n1").term == 3)
        #expect(c.core("n3").entries(from: x.index, to: x.index).first?.term == x.term)
        // X is on n1, n2, n3 — a majority — yet from an older term: it must not be committed.
        #expect(c.core("n1").commitIndex < x.index)
        #expect(c.appliedEver[x.index] == nil)
        // n1 crashes; n5 can still win (its last term 2 beats X's term 1) and overwrite X: safe only because
        // X was never committed.
        c.crash("n1")
        c.heal()
        c.filter = nil
        c.restart("n5")
        for _ in 0..<3 where c.core("n5").role != .leader {
            c.nodes["n5"]!.core.campaign(preVote: false)
            c.process("n5")
            c.deliverAll()
        }
        #expect(c.core("n5").role == .leader)
        c.run(ticks: 10)
        for id in ["n2", "n3", "n4", "n5"] {
            #expect(c.core(id).entries(from: x.index, to: x.index).first?.term != x.term)
        }
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func restartedNodeRecoversFromDiskAndCatchesUp() throws {
        let c = SimCluster(size: 3, seed: 5)
        let leader = try #require(c.electLeader())
        let follower = try #require(c.ids.first { $0 != leader })
        for i in 0..<30 { c.propose(leader, .put(key: "r", value: "\(i)")) }
        c.run(ticks: 3)
        let before = c.core(follower)
        c.crash(follower)
        c.restart(follower)
        // What was durable survives the restart: term, vote and log.
        #expect(c.core(follower).hardState == before.hardState)
        #expect(c.core(follower).lastIndex == before.lastIndex)
        for i in 30..<60 { c.propose(leader, .put(key: "r", value: "\(i)")) }
        c.run(ticks: 10)
        #expect(c.core(follower).commitIndex == c.core(leader).commitIndex)
        #expect(c.nodes[follower]!.sm.get("r") == "59")
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func laggingFollowerGetsSnapshot() throws {
        let c = SimCluster(size: 3, seed: 6, snapshotEvery: 20, compactionMargin: 0)
        let leader = try #require(c.electLeader())
        let lagging = try #require(c.ids.first { $0 != leader })
        c.crash(lagging)
        for i in 0..<100 { c.propose(leader, .put(key: "k\(i % 10)", value: "\(i)")) }
        c.propose(leader, .append([1, 2, 3]))
        c.run(ticks: 3)
        #expect(c.core(leader).snapshotIndex > 20)
        c.restart(lagging)
        var sawSnapshot = false
        c.filter = { m in
            if m.kind == "InstallSnapshot" { sawSnapshot = true }
            return m
        }
        c.run(ticks: 20)
        #expect(sawSnapshot)
        #expect(c.core(lagging).commitIndex == c.core(leader).commitIndex)
        #expect(c.nodes[lagging]!.sm.map == c.nodes[leader]!.sm.map)
        #expect(c.nodes[lagging]!.sm.appended.map(\.data) == [[1, 2, 3]])
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func readIndexNeedsAQuorumAndFailsOffLeader() throws {
        let c = SimCluster(size: 3, seed: 8)
        let leader = try #require(c.electLeader())
        c.run(ticks: 2)
        let follower = try #require(c.ids.first { $0 != leader })
        c.nodes[follower]!.core.readIndex(id: 1)
        c.process(follower)
        #expect(c.failedReads[follower] == [1])
        c.partition([leader], c.ids.filter { $0 != leader })
        c.nodes[leader]!.core.readIndex(id: 2)
        c.process(leader)
        c.deliverAll()
        // No follower confirmed leadership: the read must wait.
        #expect(c.reads[leader, default: []].isEmpty)
        c.heal()
        c.run(ticks: 3)
        #expect(c.reads[leader, default: []].map(\.id) == [2])
        #expect(c.reads[leader]?.first?.index == c.core(leader).commitIndex)
    }
}
