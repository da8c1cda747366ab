import ChaosControl
import ChaosHistory
import ChaosPlan
import ChaosSupport

/// The `membership` fault: removes each target from the cluster's configuration through the system's own
/// membership API (then stops it), and at heal brings it back — its old data or wiped, as a joining member —
/// until the plan's original membership is whole again. One change at a time, each retried through leader
/// changes and "change in progress" answers until `changeTimeout`.
struct MembershipFaults: Sendable {
    let cluster: Cluster
    let stopGrace: Duration
    /// How long one change may take to go through, retries included.
    var changeTimeout: Duration = .seconds(8)
    /// How long an added member may take to catch up and vote.
    var promotionTimeout: Duration = .seconds(10)
    var requestTimeout: Duration = .seconds(3)

    /// What a batch of changes did: the event detail, and each change as structured fields.
    struct Outcome {
        var detail: String
        var changes: [MembershipChangeRecord]
    }

    /// Removes `nodes` one after the other.
    /// - Returns: the event detail (each change with its configuration before and after and how long it took)
    ///   and the same as records.
    func remove(_ nodes: [String]) async throws(NemesisError) -> Outcome {
        let control = try self.control()
        var lines: [String] = []
        var changes: [MembershipChangeRecord] = []
        for node in nodes {
            let started = ContinuousClock.now
            let before = try await settledMembers(control, excluding: [])
            cluster.expectExit(node)
            let stoppedFirst = control.stopsBeforeRemoval
            if stoppedFirst { await cluster.stop(node, grace: stopGrace) }
            try await retrying("remove \(node)") { endpoint async throws(MembershipError) in
                do throws(MembershipError) {
                    try await control.removeMember(node, via: endpoint, timeout: requestTimeout)
                } catch {
                    // A request that timed out may have gone through: already gone counts as done.
                    if !error.retry,
                       !(try await control.members(via: endpoint, timeout: requestTimeout).ids.contains(node)) {
                        return
                    }
                    throw error
                }
            }
            let after = try await waitFor(control, "the removal of \(node) to commit", excluding: [node]) {
                !$0.ids.contains(node)
            }
            let committed = ContinuousClock.now
            changes.append(MembershipChangeRecord(change: .remove, node: node, before: before.voters,
                                                  after: after.voters, learnersAfter: after.learners,
                                                  tookMs: (committed - started).milliseconds))
            if stoppedFirst {
                lines.append("stopped and removed \(node) in \(Self.seconds(committed - started)): "
                    + "\(before.summary) → \(after.summary)")
            } else {
                await cluster.stop(node, grace: stopGrace)
                lines.append("removed \(node) in \(Self.seconds(committed - started)) (stopped "
                    + "\(Self.seconds(ContinuousClock.now - committed)) later): \(before.summary) → \(after.summary)")
            }
        }
        return Outcome(detail: lines.joined(separator: "; "), changes: changes)
    }

    /// What bringing the targets back did.
    struct Restored {
        var detail: String
        var changes: [MembershipChangeRecord]
        /// When the last change completed: the original membership whole again, or, when a member never got
        /// its vote back, the moment chaos's last request went through — what follows is the system's to do.
        var completed: ContinuousClock.Instant
    }

    /// Brings `nodes` back (wiped when `spec` says so) and waits until every one of them is a voter again.
    /// - Returns: the event detail, ending with the restored membership or what is missing from it.
    /// - Parameter expected: the voters once this fault is healed (the plan's, less other faults' targets).
    /// - Parameter outcome: how the detail names the membership reached (`membership restored`).
    func restore(_ nodes: [String], _ spec: MembershipSpec, expected: [String],
                 outcome: String = "membership restored") async throws(NemesisError) -> Restored {
        let control = try self.control()
        var lines: [String] = []
        var changes: [MembershipChangeRecord] = []
        var completed = ContinuousClock.now
        var missing: [String] = []
        for node in nodes {
            let started = ContinuousClock.now
            guard let address = cluster.nodes.first(where: { $0.id == node }) else { continue }
            let before = try await settledMembers(control, excluding: [])
            if cluster.isRunning(node) { await cluster.stop(node, grace: stopGrace) }
            let wipes = spec.wipes || control.rejoinNeedsEmptyData
            if wipes && before.ids.contains(node) {
                // Its removal failed earlier: a member must leave before its data goes, or the leader would
                // count on entries the wiped node no longer has.
                let removed = try await remove([node])
                lines.append(removed.detail)
                changes += removed.changes
            }
            if wipes {
                do { try cluster.wipeData(node) } catch { throw .injectFailed("\(error)") }
                cluster.markJoining(node, members: before.ids)
            }
            if !control.addsBeforeStart { try launch(node) }
            try await retrying("add \(node)") { endpoint async throws(MembershipError) in
                do throws(MembershipError) {
                    try await control.addMember(address, via: endpoint, timeout: requestTimeout)
                } catch {
                    // Refused because it is a member already: a request that timed out went through after all.
                    if !error.retry, try await control.members(via: endpoint, timeout: requestTimeout).ids.contains(node) {
                        return
                    }
                    throw error
                }
            }
            if control.addsBeforeStart { try launch(node) }
            let accepted = ContinuousClock.now
            completed = accepted
            let how = wipes ? "wiped" : "old data"
            do {
                let after = try await waitFor(control, "\(node) to catch up and vote", excluding: [],
                                              timeout: promotionTimeout) { $0.voters.contains(node) }
                completed = ContinuousClock.now
                changes.append(MembershipChangeRecord(change: .add, node: node, before: before.voters,
                                                      after: after.voters, learnersAfter: after.learners,
                                                      tookMs: (completed - started).milliseconds,
                                                      acceptedMs: (accepted - started).milliseconds,
                                                      data: wipes ? "wipe" : "keep"))
                lines.append("added \(node)\(spec.change == .grow ? "" : " back") (\(how)) in \(Self.seconds(completed - started)) "
                    + "(accepted after \(Self.seconds(accepted - started))): \(before.summary) → \(after.summary)")
            } catch {
                missing.append(node)
                let seen = await leaderMembers(control, excluding: [])
                changes.append(MembershipChangeRecord(change: .add, node: node, before: before.voters,
                                                      after: seen?.voters ?? [], learnersAfter: seen?.learners ?? [],
                                                      tookMs: (ContinuousClock.now - started).milliseconds,
                                                      acceptedMs: (accepted - started).milliseconds,
                                                      data: wipes ? "wipe" : "keep", completed: false))
                lines.append("added \(node)\(spec.change == .grow ? "" : " back") (\(how)), accepted after \(Self.seconds(accepted - started)), "
                    + "but \(error)")
            }
        }
        // The run may be ending: what is known so far still makes the heal event (the changes did happen).
        let final = try? await settledMembers(control, excluding: [])
        let original = expected.sorted()
        if let final, final.voters == original && missing.isEmpty {
            return Restored(detail: (lines + ["\(outcome): \(final.summary)"]).joined(separator: "; "),
                            changes: changes, completed: completed)
        }
        return Restored(detail: (lines + ["membership NOT \(outcome.split(separator: " ").last ?? ""): "
                            + "\(final?.summary ?? "unknown"), expected "
                            + original.joined(separator: ",")]).joined(separator: "; "), changes: changes,
                        completed: completed)
    }

    /// The leader's committed members now; nil when no leader answers.
    func voters() async -> [String]? {
        guard let control = try? self.control() else { return nil }
        return try? await settledMembers(control, excluding: []).ids
    }

    /// `membership restored: …` when the leader's committed voters are `expected`, else what they are.
    func check(expected: [String]) async -> String {
        guard let control = try? self.control(), let final = try? await settledMembers(control, excluding: []) else {
            return "membership unknown (no leader answered)"
        }
        let original = expected.sorted()
        return final.voters == original && final.learners.isEmpty ? "membership restored: \(final.summary)"
            : "membership NOT restored: \(final.summary), expected \(original.joined(separator: ","))"
    }

    // MARK: - Steps

    private func control() throws(NemesisError) -> any MembershipControl {
        guard let control = cluster.membershipControl else {
            throw .injectFailed("the \(cluster.system.name) adapter has no membership API")
        }
        return control
    }

    private func launch(_ node: String) throws(NemesisError) {
        do { try cluster.launch(node) } catch { throw .injectFailed("start \(node): \(error)") }
    }

    /// Runs `request` against the current leader until it succeeds, a non-retryable error, or the timeout.
    private func retrying(_ what: String,
                          _ request: (HTTPEndpoint) async throws(MembershipError) -> Void) async throws(NemesisError) {
        let deadline = ContinuousClock.now + changeTimeout
        var last = "no leader"
        while ContinuousClock.now < deadline {
            if Task.isCancelled { throw .injectFailed("the run ended before \(what) went through") }
            if let leader = await cluster.leader(), let endpoint = cluster.endpoint(of: leader) {
                defer { endpoint.close() }
                do {
                    try await request(endpoint)
                    return
                } catch {
                    guard error.retry else { throw .injectFailed("\(what): \(error)") }
                    last = error.message
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        throw .injectFailed("\(what) did not go through within \(Self.seconds(changeTimeout)): \(last)")
    }

    /// Polls the leader's configuration until it is committed and `done` holds.
    private func waitFor(_ control: any MembershipControl, _ what: String, excluding: Set<String>,
                         timeout: Duration? = nil,
                         _ done: (MemberList) -> Bool) async throws(NemesisError) -> MemberList {
        let timeout = timeout ?? changeTimeout
        let deadline = ContinuousClock.now + timeout
        var seen: MemberList?
        while ContinuousClock.now < deadline {
            if Task.isCancelled { throw .injectFailed("the run ended while waiting for \(what)") }
            if let list = await leaderMembers(control, excluding: excluding) {
                seen = list
                if list.committed && done(list) { return list }
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        throw .injectFailed("waited \(Self.seconds(timeout)) for \(what); membership is "
            + (seen?.summary ?? "unknown (no leader answered)"))
    }

    /// The leader's committed configuration (waiting for one).
    private func settledMembers(_ control: any MembershipControl, excluding: Set<String>)
        async throws(NemesisError) -> MemberList {
        try await waitFor(control, "a committed configuration", excluding: excluding) { _ in true }
    }

    /// The configuration the leader reports; a leader among `excluding` (a node on its way out) is skipped.
    private func leaderMembers(_ control: any MembershipControl, excluding: Set<String>) async -> MemberList? {
        guard let leader = await cluster.leader(), !excluding.contains(leader), let endpoint = cluster.endpoint(of: leader) else { return nil }
        defer { endpoint.close() }
        return try? await control.members(via: endpoint, timeout: requestTimeout)
    }

    static func seconds(_ d: Duration) -> String {
        "\(Double(d.milliseconds) / 1000)s"
    }
}
