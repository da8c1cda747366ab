extension RaftCore {
    /// Sends `peer` what it is missing: one probe, a pipeline of appends, or the latest snapshot.
    mutating func sendAppends(to peer: String, force: Bool = false) {
        guard var pr = progress[peer] else { return }
        let limit = replicationLimit(peer)
        defer { progress[peer] = pr }
        while true {
            switch pr.state {
            case .snapshot:
                return
            case .probe:
                if pr.paused && !force { return }
            case .replicate:
                if pr.inflight.count >= config.maxInflight || pr.next > limit { return }
            }
            let prevIndex = pr.next - 1
            guard let prevTerm = log.term(at: prevIndex) else {
                // The follower needs entries we compacted away.
                guard let snap = latestSnapshot else { return }
                send(RaftMessage(from: id, to: peer, term: term, body: .installSnapshot(snap)))
                pr.state = .snapshot(index: snap.index, sentAt: now)
                return
            }
            let entries = log.slice(from: pr.next, to: limit, maxBytes: config.maxMessageBytes)
            if config.bugs.contains(.leakOnRetry), let first = entries.first, first.index <= pr.highestSent {
                retainOnRetry(entries)
            }
            if let last = entries.last { pr.highestSent = max(pr.highestSent, last.index) }
            send(RaftMessage(from: id, to: peer, term: term,
                             body: .appendEntries(prevIndex: prevIndex, prevTerm: prevTerm, entries: entries,
                                                  commit: commitIndex)))
            switch pr.state {
            case .probe:
                pr.paused = true
                pr.probeSentAt = now
                return
            case .replicate:
                if let last = entries.last {
                    pr.next = last.index + 1
                    pr.inflight.append(last.index)
                }
            case .snapshot:
                return
            }
        }
    }

    mutating func handleAppendResponse(from peer: String, success: Bool, index: UInt64, hint: UInt64) {
        guard var pr = progress[peer] else { return }
        pr.recentActive = true
        if success {
            if index > pr.match {
                pr.match = index
                pr.next = max(pr.next, index + 1)
                pr.acknowledge(through: index)
                switch pr.state {
                case .probe: pr.becomeReplicate()
                case .snapshot(let snapIndex, _) where index >= snapIndex: pr.becomeReplicate()
                default: break
                }
                progress[peer] = pr
                maybeCommit()
            } else {
                if case .probe = pr.state { pr.paused = false }
                progress[peer] = pr
            }
        } else {
            switch pr.state {
            case .replicate where index > pr.match, .probe where index == pr.next - 1:
                pr.next = max(pr.match + 1, min(hint, index))
                pr.becomeProbe()
                pr.next = max(pr.match + 1, min(hint, index))
            default:
                break  // stale rejection
            }
            progress[peer] = pr
        }
        sendAppends(to: peer)
    }

    mutating func handleHeartbeatResponse(from peer: String, round: UInt64) {
        guard var pr = progress[peer] else { return }
        pr.recentActive = true
        pr.readRound = max(pr.readRound, round)
        switch pr.state {
        case .probe:
            // The probe may have been lost: send it again, but not on every heartbeat. Heartbeat answers do not
            // wait for the follower's disk, so they overtake the answer to a probe that is merely being written;
            // re-sending a full message each time would bury a slow follower under duplicates.
            if now - pr.probeSentAt >= 2 * config.heartbeatTicks { pr.paused = false }
        case .replicate:
            // Behind and no progress for about an election timeout of heartbeats: an append was lost. Probe
            // again rather than sending heartbeats forever to a follower that never catches up. (Fewer would
            // mistake a follower whose disk is slower than two heartbeats for a lost append and re-send its
            // whole in-flight window.)
            if pr.match < replicationLimit(peer) && pr.match == pr.matchAtLastHeartbeat {
                pr.stalledHeartbeats += 1
                if pr.stalledHeartbeats >= max(2, config.electionTicks / config.heartbeatTicks) { pr.becomeProbe() }
            } else {
                pr.stalledHeartbeats = 0
            }
        case .snapshot(_, let sentAt):
            if now - sentAt >= config.electionTicks { pr.becomeProbe() }
        }
        pr.matchAtLastHeartbeat = pr.match
        progress[peer] = pr
        if pr.match < replicationLimit(peer) { sendAppends(to: peer) }
        confirmReads()
    }

    func heartbeatCommit(for peer: String) -> UInt64 {
        min(progress[peer]?.match ?? 0, commitIndex)
    }

    mutating func broadcastHeartbeat() {
        for p in peers {
            send(RaftMessage(from: id, to: p, term: term,
                             body: .heartbeat(commit: heartbeatCommit(for: p), readRound: readRound)))
        }
    }

    /// §5.4.2: commit the highest index a majority holds, but only if it is from the current term.
    mutating func maybeCommit() {
        // A leader that is removing itself leads without counting itself (dissertation §4.2.2).
        var matches = isVoter ? [persistedIndex] : []
        for p in voterPeers { matches.append(progress[p]?.match ?? 0) }
        matches.sort(by: >)
        guard matches.count >= quorum else { return }
        let candidate = matches[quorum - 1]
        if candidate > commitIndex, log.term(at: candidate) == term {
            commitIndex = candidate
        }
    }

    // MARK: - ReadIndex

    /// True once the leader committed an entry of its own term, so its commit index is the cluster's.
    var hasCommittedInTerm: Bool { log.term(at: commitIndex) == term }

    /// Starts one heartbeat round for every read that arrived since the last one.
    mutating func startReadRound() {
        guard !unassignedReads.isEmpty, hasCommittedInTerm else { return }
        if voterPeers.isEmpty && isVoter {
            for r in unassignedReads { out.reads.append(ReadState(id: r, index: commitIndex)) }
            unassignedReads.removeAll()
            return
        }
        readRound += 1
        for r in unassignedReads { roundReads.append((readRound, r, commitIndex)) }
        unassignedReads.removeAll()
        heartbeatElapsed = 0
        broadcastHeartbeat()
    }

    /// Releases the reads whose round a majority (the leader included) acknowledged.
    mutating func confirmReads() {
        guard !roundReads.isEmpty else { return }
        var rounds = isVoter ? [UInt64.max] : []
        for p in voterPeers { rounds.append(progress[p]?.readRound ?? 0) }
        rounds.sort(by: >)
        guard rounds.count >= quorum else { return }
        let confirmed = rounds[quorum - 1]
        var n = 0
        while n < roundReads.count, roundReads[n].round <= confirmed {
            out.reads.append(ReadState(id: roundReads[n].id, index: roundReads[n].index))
            n += 1
        }
        if n > 0 { roundReads.removeFirst(n) }
    }

    mutating func failAllReads() {
        out.failedReads += unassignedReads + roundReads.map(\.id)
        unassignedReads.removeAll()
        roundReads.removeAll()
    }
}
