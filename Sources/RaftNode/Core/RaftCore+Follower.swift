extension RaftCore {
    /// §5.3: accept entries only after a matching (prevIndex, prevTerm); drop a conflicting suffix.
    mutating func handleAppend(from leader: String, prevIndex: UInt64, prevTerm: UInt64, entries: [LogEntry],
                               commit leaderCommit: UInt64) {
        if prevIndex < commitIndex {
            // Everything up to our commit index matches the leader's log already (Leader Completeness).
            let fresh = entries.filter { $0.index > commitIndex }
            if let first = fresh.first, let t = log.term(at: first.index - 1) {
                handleAppend(from: leader, prevIndex: first.index - 1, prevTerm: t, entries: fresh,
                             commit: leaderCommit)
            } else {
                reply(leader, .appendResponse(success: true, index: commitIndex, hint: 0))
            }
            return
        }
        let skipCheck = config.bugs.contains(.skipPrevCheck) && prevIndex <= log.lastIndex
        guard skipCheck || log.matches(index: prevIndex, term: prevTerm) else {
            let hint = prevIndex > log.lastIndex
                ? log.lastIndex + 1
                : log.firstIndexOfTerm(at: prevIndex, floor: commitIndex + 1)
            reply(leader, .appendResponse(success: false, index: prevIndex, hint: hint))
            return
        }
        // With `skip-prev-check` entries are matched by index alone: one the follower already holds is kept,
        // whatever its term.
        let termBlind = config.bugs.contains(.skipPrevCheck)
        for (offset, e) in entries.enumerated()
        where log.term(at: e.index) != e.term && !(termBlind && log.term(at: e.index) != nil) {
            precondition(e.index > commitIndex, "raft: leader \(leader) rewrites committed index \(e.index)")
            if config.bugs.contains(.resendAssert), log.term(at: e.index) != nil, e.index > persistedIndex {
                // The stale invariant: the cache of unpersisted entries is never cut into.
                RaftCore.fail("assertion failed: cached_last < trunc_to_idx (cached_last=\(log.lastIndex), "
                    + "trunc_to_idx=\(e.index), persisted=\(persistedIndex))")
            }
            log.truncate(from: e.index)
            unstableFrom = min(unstableFrom, e.index)
            if persistedIndex >= e.index { persistedIndex = e.index - 1 }
            for rest in entries[offset...] { log.append(rest) }
            noteAppended(entries[offset...], truncatedFrom: e.index)
            break
        }
        let lastNew = prevIndex + UInt64(entries.count)
        commit(to: min(leaderCommit, lastNew))
        reply(leader, .appendResponse(success: true, index: lastNew, hint: 0))
    }

    /// Installs a leader's snapshot unless the log already covers it.
    mutating func handleSnapshot(from leader: String, _ s: Snapshot) {
        if s.index <= commitIndex {
            reply(leader, .appendResponse(success: true, index: commitIndex, hint: 0))
            return
        }
        if log.matches(index: s.index, term: s.term) {
            commit(to: s.index)
            reply(leader, .appendResponse(success: true, index: s.index, hint: 0))
            return
        }
        log.reset(toSnapshot: s.index, term: s.term)
        baseMembership = KVStateMachine.membership(inSnapshot: s.data) ?? baseMembership
        refreshMembership()
        commitIndex = s.index
        handedIndex = s.index
        unstableFrom = s.index + 1
        persistedIndex = 0
        pendingSnapshot = s
        latestSnapshot = s
        reply(leader, .appendResponse(success: true, index: s.index, hint: 0))
    }

    mutating func reply(_ to: String, _ body: RaftMessage.Body) {
        send(RaftMessage(from: id, to: to, term: term, body: body))
    }
}
