import ChaosControl
import ChaosHistory
import ChaosPlan

/// `membership` with `change: grow`: the cluster's spare nodes (the plan's `members` below `nodes`) are added
/// as new members — started empty as joining nodes, learners until caught up, then voters — and at heal removed
/// again and stopped, which restores the plan's membership. Both halves take their turn with the other
/// membership changes (one change at a time).
extension Nemesis {
    /// Adds `nodes` (spares) and records the change; the inject event's latency is until the last one votes.
    func growMembers(_ id: Int, _ nodes: [String], since decided: ContinuousClock.Instant) async {
        defer { membershipRestoring[id] = nil }
        await takeMembershipTurn()
        defer {
            membershipBusy = false
            membershipPending.remove(id)
        }
        // From here on they count as members: a heal (or the end of the run) removes whatever got in.
        grownSpares.formUnion(nodes)
        let expected = membersNow.filter { !heldOut.contains($0) }
        do {
            let grown = try await membership.restore(nodes, MembershipSpec(change: .grow), expected: expected,
                                                     outcome: "membership grown")
            log(.inject, id, .membership, nodes, since: decided, latency: grown.completed - decided,
                detail: grown.detail, changes: grown.changes)
        } catch {
            log(.error, id, .membership, nodes, since: decided, detail: "\(error)")
        }
    }

    /// Removes the spares a grow added (stopping them) and checks that the membership is the plan's again.
    func shrinkMembers(_ id: Int, _ nodes: [String], since decided: ContinuousClock.Instant) async {
        membershipRestoring[id] = nodes
        defer { membershipRestoring[id] = nil }
        while membershipPending.contains(id) { try? await Task.sleep(for: .milliseconds(20)) }
        await takeMembershipTurn()
        defer { membershipBusy = false }
        // A removal can outlast its timeout on a loaded machine (a leader change mid-change): try again, as a
        // removal already through counts as done.
        var failures: [String] = []
        for _ in 1...3 {
            do {
                let removed = try await membership.remove(nodes)
                grownSpares.subtract(nodes)
                let check = await membership.check(expected: membersNow.filter { !heldOut.contains($0) })
                let retried = failures.isEmpty ? "" : " (after \(failures.count) failed attempt(s): "
                    + failures.joined(separator: "; ") + ")"
                log(.heal, id, .membership, nodes, since: decided, detail: removed.detail + "; " + check + retried,
                    changes: removed.changes)
                return
            } catch {
                failures.append("\(error)")
            }
        }
        // Those still in the configuration stay counted as members, so later changes expect them.
        let still = await membership.voters() ?? nodes
        grownSpares = grownSpares.subtracting(nodes).union(nodes.filter(still.contains))
        log(.heal, id, .membership, nodes, since: decided,
            detail: "gave up shrinking the membership: " + failures.joined(separator: "; "))
    }

    /// Targets of other membership faults that are out of the configuration now (removed, not yet put back).
    private var heldOut: Set<String> {
        Set(active.filter { entry in
            entry.value.fault == .membership && !membershipPending.contains(entry.key)
                && membershipRestoring[entry.key] == nil
        }.flatMap(\.value.nodes)).subtracting(grownSpares)
    }
}
