extension RaftCore {
    /// Handles one message from a peer.
    public mutating func step(_ m: RaftMessage) {
        guard m.to == id, m.from != id else { return }
        // When the leader last heard a learner itself (its progress flags stay set for a whole check-quorum
        // period, too long to tell whether it is still reachable before promoting it).
        if role == .leader, m.term == term, membership.learners.contains(m.from) { learnerLastHeard[m.from] = now }
        if m.term > term {
            switch m.body {
            case .requestVote(_, _, true):
                break  // a pre-vote changes nobody's term
            case .voteResponse(true, true) where role == .preCandidate && m.term == term + 1:
                break
            case .appendEntries, .heartbeat, .installSnapshot:
                becomeFollower(term: m.term, leader: m.from)
            default:
                becomeFollower(term: m.term, leader: nil)
            }
        } else if m.term < term {
            answerStale(m)
            return
        }

        switch m.body {
        case let .requestVote(lastIndex, lastTerm, preVote):
            handleVoteRequest(m, lastIndex: lastIndex, lastTerm: lastTerm, preVote: preVote)
        case let .voteResponse(granted, preVote):
            handleVoteResponse(m, granted: granted, preVote: preVote)
        case let .appendEntries(prevIndex, prevTerm, entries, commit):
            followLeader(m.from)
            handleAppend(from: m.from, prevIndex: prevIndex, prevTerm: prevTerm, entries: entries, commit: commit)
        case let .heartbeat(leaderCommit, readRound):
            followLeader(m.from)
            commit(to: min(leaderCommit, log.lastIndex))
            send(RaftMessage(from: id, to: m.from, term: term, body: .heartbeatResponse(readRound: readRound)))
        case let .installSnapshot(snapshot):
            followLeader(m.from)
            handleSnapshot(from: m.from, snapshot)
        case let .appendResponse(success, index, hint):
            guard role == .leader else { return }
            handleAppendResponse(from: m.from, success: success, index: index, hint: hint)
        case let .heartbeatResponse(round):
            guard role == .leader else { return }
            handleHeartbeatResponse(from: m.from, round: round)
        }
    }

    /// Tells a sender from an older term that time has moved on, so a deposed leader or a stale
    /// pre-candidate steps down; other stale messages are dropped.
    mutating func answerStale(_ m: RaftMessage) {
        switch m.body {
        case .appendEntries, .heartbeat, .installSnapshot:
            send(RaftMessage(from: id, to: m.from, term: term, body: .appendResponse(success: false, index: 0, hint: 0)))
        case .requestVote(_, _, let pre):
            send(RaftMessage(from: id, to: m.from, term: term, body: .voteResponse(granted: false, preVote: pre)))
        default:
            break
        }
    }

    /// A message from the leader of the current term: follow it and stay quiet.
    mutating func followLeader(_ from: String) {
        if role != .follower || leader != from {
            becomeFollower(term: term, leader: from)
        }
        electionElapsed = 0
    }

    /// §5.4.1: a vote only goes to a candidate whose log is at least as up to date as ours.
    func isUpToDate(lastIndex: UInt64, lastTerm: UInt64) -> Bool {
        lastTerm > log.lastTerm || (lastTerm == log.lastTerm && lastIndex >= log.lastIndex)
    }

    mutating func handleVoteRequest(_ m: RaftMessage, lastIndex: UInt64, lastTerm: UInt64, preVote: Bool) {
        // A node outside our configuration (removed, or not yet known to be a voter) gets no vote: a removed
        // server that never learnt of its removal must not disrupt the cluster (dissertation §4.2.3).
        let upToDate = isUpToDate(lastIndex: lastIndex, lastTerm: lastTerm) && membership.isVoter(m.from)
        if preVote {
            // Someone who still hears from a live leader does not help depose it.
            let hearsLeader = leader != nil && electionElapsed < config.electionTicks
            let grant = m.term > term && upToDate && !hearsLeader
            send(RaftMessage(from: id, to: m.from, term: grant ? m.term : term,
                             body: .voteResponse(granted: grant, preVote: true)))
            return
        }
        let canVote = hardState.vote == nil || hardState.vote == m.from
        let grant = canVote && upToDate && role != .leader
        if grant {
            hardState.vote = m.from
            resetElectionTimer()
        }
        send(RaftMessage(from: id, to: m.from, term: term, body: .voteResponse(granted: grant, preVote: false)))
    }

    mutating func handleVoteResponse(_ m: RaftMessage, granted: Bool, preVote: Bool) {
        guard (preVote && role == .preCandidate) || (!preVote && role == .candidate) else { return }
        guard membership.isVoter(m.from) else { return }
        votes[m.from] = granted
        let yes = votes.values.filter { $0 }.count
        let no = votes.count - yes
        if yes >= quorum {
            if preVote { campaign(preVote: false) } else { becomeLeader() }
        } else if no >= quorum {
            becomeFollower(term: term, leader: nil)
        }
    }

    /// Raises the commit index (never lowers it, never past what the log holds).
    mutating func commit(to index: UInt64) {
        if index > commitIndex { commitIndex = min(index, log.lastIndex) }
    }
}
