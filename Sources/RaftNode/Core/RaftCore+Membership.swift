/// Single-server membership changes (Raft dissertation §4.1–4.2).
///
/// A configuration entry takes effect on every node as soon as it is appended, committed or not, and is undone
/// if it is cut off. Safety of single-server changes needs three rules, all enforced here:
/// 1. one change at a time: a leader proposes a change only once the previous configuration entry committed;
/// 2. a new leader first commits an entry of its own term (its no-op) before proposing any change — without
///    it, a leader elected mid-change can commit a change that overlaps an uncommitted one of the old leader
///    and two disjoint majorities can exist (the bug in the original single-server algorithm, raft-dev 2015);
/// 3. votes come only from, and go only to, voters of the node's configuration.
/// A new node joins as a learner (replicated to, never counted) and the leader promotes it once it has caught
/// up, so adding a node never stalls commits while it copies the log. A leader that removes itself keeps
/// leading, without counting itself, until the removal commits, then steps down.
extension RaftCore {
    /// How far behind the leader's last index a learner may be and still count as caught up.
    static let catchUpSlack: UInt64 = 128

    /// Appends a configuration entry for `change` to the leader's log.
    /// - Returns: the index and term of the entry, or why the change is refused.
    public mutating func proposeMembership(_ change: MembershipChange)
        -> Result<(index: UInt64, term: UInt64), MembershipRefusal> {
        guard role == .leader else { return .failure(.notLeader) }
        guard hasCommittedInTerm else { return .failure(.leaderNotReady) }
        guard membershipIndex <= commitIndex else { return .failure(.changeInProgress(index: membershipIndex)) }
        if config.bugs.contains(.halfReconfig), !membership.learners.isEmpty {
            // `half-reconfig`: the configuration is sealed until its second half lands; nothing else may change it.
            guard case .promote = change else { return .failure(.changeInProgress(index: membershipIndex)) }
        }
        guard let next = membership.applying(change) else {
            let why = switch change {
            case .addLearner(let id, _): "'\(id)' is already a member"
            case .promote(let id): "'\(id)' is not a learner"
            case .remove(let id): membership.member(id) == nil ? "'\(id)' is not a member" : "'\(id)' is the last voter"
            }
            return .failure(.invalid(why))
        }
        let entry = LogEntry(index: log.lastIndex + 1, term: term, data: next.entryData())
        log.append(entry)
        membership = next
        membershipIndex = entry.index
        if case .addLearner(let id, _) = change { ownPendingPromotion = id }
        syncProgress()
        needBroadcast = true
        return .success((entry.index, entry.term))
    }

    /// True while a configuration entry is appended but not committed.
    public var membershipChangePending: Bool { membershipIndex > commitIndex }

    /// Leader housekeeping after each batch: promote caught-up learners, and step down once the leader's own
    /// removal has committed.
    mutating func settleMembership() {
        guard role == .leader else { return }
        if !isVoter {
            if commitIndex >= membershipIndex {
                // Our removal is committed: hand over by going quiet; the remaining voters elect a leader.
                becomeFollower(term: term, leader: nil)
            }
            return
        }
        guard hasCommittedInTerm, !membershipChangePending else { return }
        for learner in membership.learners {
            // Caught up by the leader's last news of it, and that news is fresh: a learner cut off while the log
            // stands still would otherwise look caught up for ever.
            let heard = learnerLastHeard[learner].map { now - $0 <= 3 * config.heartbeatTicks } ?? false
            guard heard, let pr = progress[learner], case .replicate = pr.state,
                  pr.match + RaftCore.catchUpSlack >= log.lastIndex else {
                learnerCaughtUpSince[learner] = nil
                continue
            }
            // Caught up for a whole election timeout, not just for a moment (the dissertation's rounds, §4.2.1):
            // a voter that falls straight behind again would stall commits in a small cluster.
            let since = learnerCaughtUpSince[learner] ?? now
            learnerCaughtUpSince[learner] = since
            guard now - since >= config.electionTicks else { continue }
            // `half-reconfig`: only the leader that added a learner remembers to finish the change; a leader
            // elected in between never does, so the configuration stays half-changed.
            if config.bugs.contains(.halfReconfig), ownPendingPromotion != learner { continue }
            if case .success = proposeMembership(.promote(id: learner)) {
                ownPendingPromotion = nil
                learnerCaughtUpSince[learner] = nil
                return
            }
        }
    }

    /// Keeps the leader's replication state in step with the configuration.
    mutating func syncProgress() {
        guard role == .leader else { return }
        let members = Set(peers)
        for p in members where progress[p] == nil { progress[p] = Progress(next: log.lastIndex + 1) }
        for p in progress.keys where !members.contains(p) { progress[p] = nil }
        maybeCommit()
    }

    /// Recomputes the configuration from the base and the configuration entries in the log: after recovery,
    /// a truncation or a snapshot install.
    mutating func refreshMembership() {
        var found: (Membership, UInt64)?
        var i = log.lastIndex
        while i > log.snapshotIndex {
            if let m = Membership.decode(entryData: log.entry(at: i).data) {
                found = (m, i)
                break
            }
            i -= 1
        }
        let before = membership
        (membership, membershipIndex) = found ?? (baseMembership, 0)
        if membership != before { syncProgress() }
    }

    /// A follower appended `entries` after cutting its log at `truncatedFrom`: a configuration takes effect when
    /// it is appended, and is undone when it is cut off.
    mutating func noteAppended(_ entries: ArraySlice<LogEntry>, truncatedFrom: UInt64) {
        if membershipIndex >= truncatedFrom {
            refreshMembership()
            return
        }
        guard let last = entries.last(where: { $0.data.first == Membership.entryTag }),
              let m = Membership.decode(entryData: last.data) else { return }
        membership = m
        membershipIndex = last.index
    }

    /// The log is about to forget entries through `index`: the base configuration becomes the one in force there.
    mutating func noteCompaction(through index: UInt64) {
        if membershipIndex > 0 && membershipIndex <= index {
            baseMembership = membership
            return
        }
        var i = min(index, log.lastIndex)
        while i > log.snapshotIndex {
            if let m = Membership.decode(entryData: log.entry(at: i).data) {
                baseMembership = m
                return
            }
            i -= 1
        }
    }
}
