import Testing
@testable import RaftNode

/// Single-server membership changes in the simulator: add as learner then voter, remove a follower or the
/// leader, one change at a time, the new-leader no-op rule, and durability across restarts and snapshots.
@Suite struct RaftMembershipTests {
    @Test func learnerCatchesUpAndIsPromoted() throws {
        let c = SimCluster(size: 3, snapshotEvery: 20, compactionMargin: 2)
        let leader = try #require(c.electLeader())
        for i in 0..<60 { c.propose(leader, .put(key: "k\(i % 5)", value: "v\(i)")) }
        c.run(ticks: 5)
        c.startFresh("n4")
        guard case .success = c.change(leader, .addLearner(id: "n4", address: "")) else {
            Issue.record("add refused")
            return
        }
        // While a learner it counts for nothing: the leader commits with the original three.
        #expect(c.core(leader).membership.learners == ["n4"])
        #expect(c.run(until: { c.leaderMembership()?.voters == ["n1", "n2", "n3", "n4"] }))
        c.propose(c.leader()!, .put(key: "after", value: "x"))
        c.run(ticks: 10)
        let l = try #require(c.leader())
        #expect(c.nodes["n4"]!.sm.map == c.nodes[l]!.sm.map)
        #expect(c.core("n4").membership.voters == ["n1", "n2", "n3", "n4"])
        #expect(c.nodes["n4"]!.sm.get("after") == "x")
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func removedFollowerIsForgottenAndCannotDisrupt() throws {
        let c = SimCluster(size: 3, seed: 4)
        let leader = try #require(c.electLeader())
        let victim = try #require(c.ids.first { $0 != leader })
        // The victim never hears of its removal: it keeps believing it votes.
        c.partition([victim], c.ids.filter { $0 != victim })
        guard case .success = c.change(leader, .remove(id: victim)) else {
            Issue.record("remove refused")
            return
        }
        c.run(ticks: 20)
        let rest = c.ids.filter { $0 != victim }
        for id in rest { #expect(!c.core(id).membership.ids.contains(victim)) }
        // The two remaining voters commit alone.
        let before = c.core(leader).commitIndex
        c.propose(leader, .put(key: "two", value: "ok"))
        c.run(ticks: 5)
        #expect(c.core(leader).commitIndex > before)
        // Healed, the stale node campaigns with its old configuration and wins nobody's vote.
        let term = c.core(leader).term
        c.heal()
        c.run(ticks: 200)
        #expect(c.leader() == leader)
        #expect(c.core(leader).term == term)
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func removedLeaderStepsDownAfterCommittingItsRemoval() throws {
        let c = SimCluster(size: 3, seed: 5)
        let old = try #require(c.electLeader())
        guard case .success(let at) = c.change(old, .remove(id: old)) else {
            Issue.record("remove refused")
            return
        }
        #expect(c.run(until: { c.leader() != nil && c.leader() != old }))
        let new = try #require(c.leader())
        #expect(c.core(new).commitIndex >= at.index)
        #expect(c.core(new).membership.voters == c.ids.filter { $0 != old })
        c.run(ticks: 200)
        #expect(c.core(old).role != .leader, "a removed node must not lead again")
        #expect(c.leader() == new)
        c.propose(new, .put(key: "k", value: "v"))
        c.run(ticks: 5)
        #expect(c.nodes[c.ids.first { $0 != old && $0 != new }!]!.sm.get("k") == "v")
        #expect(c.violations.isEmpty, "\(c.violations)")
    }

    @Test func oneChangeAtATime() throws {
        let c = SimCluster(size: 3)
        let leader = try #require(c.electLeader())
        let follower = try #require(c.ids.first { $0 != leader })
        // Nobody answers, so the first change stays uncommitted.
        c.partition([leader], c.ids.filter { $0 != leader })
        guard case .success(let first) = c.change(leader, .remove(id: follower)) else {
            Issue.record("first change refused")
            return
        }
        let second = c.change(leader, .addLearner(id: "n9", address: ""))
        #expect(second.failureValue == .changeInProgress(index: first.index))
        #expect(c.change(leader, .remove(id: "n7")).failureValue != nil)
    }

    /// The single-server pitfall: a leader elected mid-change must not propose a change before committing an
    /// entry of its own term, or its change and the uncommitted one of the previous leader can have disjoint
    /// majorities.
    @Test func newLeaderProposesNoChangeBeforeItsNoOpCommits() {
        var core = RaftCore(config: RaftConfig(id: "n1", peers: ["n2", "n3", "n4"]))
        core.hardState = HardState(term: 3, vote: "n1")
        core.becomeLeader()
        #expect(core.proposeMembership(.remove(id: "n2")).failureValue == .leaderNotReady)
        #expect(core.proposeMembership(.addLearner(id: "n5", address: "")).failureValue == .leaderNotReady)
    }

    @Test func refusesChangesThatDoNotApply() throws {
        let c = SimCluster(size: 1)
        let leader = try #require(c.electLeader())
        #expect(c.change(leader, .remove(id: leader)).failureValue == .invalid("'n1' is the last voter"))
        #expect(c.change(leader, .addLearner(id: leader, address: "")).failureValue != nil)
        #expect(c.change(leader, .promote(id: "n2")).failureValue != nil)
    }

    @Test func configurationSurvivesRestartsAndSnapshots() throws {
        let c = SimCluster(size: 3, seed: 2, snapshotEvery: 10, compactionMargin: 1)
        let leader = try #require(c.electLeader())
        let gone = try #require(c.ids.first { $0 != leader })
        guard case .success = c.change(leader, .remove(id: gone)) else {
            Issue.record("remove refused")
            return
        }
        // Push the change below the snapshot so only the snapshot can carry it.
        for i in 0..<50 { c.propose(leader, .put(key: "k", value: "\(i)")) }
        c.run(ticks: 5)
        let kept = c.ids.filter { $0 != gone }
        for id in kept {
            #expect(c.core(id).snapshotIndex > c.core(id).membershipIndex)
            c.crash(id)
            c.restart(id)
            #expect(c.core(id).membership.voters == kept, "\(id) forgot the change after restart")
        }
        #expect(c.electLeader() != nil)
        #expect(c.violations.isEmpty, "\(c.violations)")
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
