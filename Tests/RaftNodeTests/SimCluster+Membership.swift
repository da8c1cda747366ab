@testable import RaftNode

/// Membership changes in the simulator: starting joiners, proposing changes, waiting for them.
extension SimCluster {
    /// Starts `id` as a fresh node that knows no configuration (a joiner, or a member wiped and re-added).
    func startFresh(_ id: String, seed: UInt64 = 11) {
        joiners.insert(id)
        if !ids.contains(id) { ids.append(id) }
        inFlight.removeAll { $0.to == id }
        nodes[id] = Node(core: makeCore(id, seed: seed))
    }

    /// Proposes `change` on `leader` and processes it.
    @discardableResult
    func change(_ leader: String, _ change: MembershipChange)
        -> Result<(index: UInt64, term: UInt64), MembershipRefusal> {
        let r = nodes[leader]!.core.proposeMembership(change)
        process(leader)
        return r
    }

    /// Runs until `predicate` holds or `maxTicks` pass.
    @discardableResult
    func run(until predicate: () -> Bool, maxTicks: Int = 500) -> Bool {
        for _ in 0..<maxTicks {
            if predicate() { return true }
            run(ticks: 1)
        }
        return predicate()
    }

    /// The configuration the current leader holds, as voter and learner ids.
    func leaderMembership() -> (voters: [String], learners: [String])? {
        guard let l = leader() else { return nil }
        let m = core(l).membership
        return (m.voters, m.learners)
    }
}
