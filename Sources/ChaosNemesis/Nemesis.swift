import ChaosControl
import ChaosHistory
import ChaosNet
import ChaosPlan
import ChaosSupport

/// Runs the plan's fault schedule against the cluster (Jepsen's `nemesis`): injects each fault at its time on
/// targets resolved from live status, heals it when its time is up, and heals everything still active at the
/// end or when the run is interrupted. Every step goes to `events.jsonl`.
public actor Nemesis {
    private let cluster: Cluster
    private let schedule: [ScheduledFault]
    /// The run's zero time, for event timestamps.
    private let start: ContinuousClock.Instant
    /// When the workload began; the plan's `at` and `from` count from here.
    private let scheduleStart: ContinuousClock.Instant
    private let events: JSONLWriter<NemesisEvent>
    private let faults: ProcessFaults
    /// The lab's faults under `network: namespaces`; nil on loopback (plans with network faults are refused).
    private let network: NetworkFaults?
    private let rng: SeededGenerator
    var active: [Int: (fault: Fault, nodes: [String])] = [:]
    /// The threads each active `pause-thread` fault froze.
    private var frozenThreads: [Int: [ThreadPauses.Frozen]] = [:]
    /// The sessions of each active `jitter` fault, one per node.
    private var jitterSessions: [Int: [JitterSession]] = [:]
    /// How each active `membership` fault brings its targets back.
    private var membershipChanges: [Int: MembershipSpec] = [:]
    let membership: MembershipFaults
    /// A membership fault is changing the configuration: the next one waits its turn (one change at a time).
    var membershipBusy = false
    /// Membership faults whose removal is still under way (their heal waits for it).
    var membershipPending: Set<Int> = []
    /// Targets of membership faults being put back: still busy, so no other fault takes them meanwhile.
    var membershipRestoring: [Int: [String]] = [:]
    /// Spare nodes (`cluster.members` below `nodes`) a `change: grow` fault has added and not yet removed.
    var grownSpares: Set<String> = []

    /// The nodes that are members now: the plan's members and the spares grown in.
    var membersNow: [String] { cluster.ids.filter { !cluster.spares.contains($0) || grownSpares.contains($0) } }

    public init(cluster: Cluster, schedule: [ScheduledFault], seed: UInt64, start: ContinuousClock.Instant,
                scheduleStart: ContinuousClock.Instant, events: JSONLWriter<NemesisEvent>,
                network: NetworkFaults? = nil, stopGrace: Duration = .seconds(5)) {
        self.network = network
        self.cluster = cluster
        self.schedule = schedule
        self.start = start
        self.scheduleStart = scheduleStart
        self.events = events
        self.faults = ProcessFaults(cluster: cluster, stopGrace: stopGrace)
        self.membership = MembershipFaults(cluster: cluster, stopGrace: stopGrace)
        self.rng = SeededGenerator(seed: seed ^ 0x6E65_6D65_7369_7300)
    }

    /// Faults in force now, as `kill n2` strings, for progress lines.
    public var activeDescriptions: [String] {
        active.sorted { $0.key < $1.key }.map { "\($0.value.fault.rawValue) \($0.value.nodes.joined(separator: ","))" }
    }

    /// Runs the schedule until `end`, then heals what is still active. Cancelling the task heals too.
    public func run(until end: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { heals in
            for step in schedule {
                let when = scheduleStart + step.at
                guard when < end else { break }
                do { try await Task.sleep(until: when, clock: .continuous) } catch { break }
                guard await inject(step) else { continue }
                if let duration = step.duration {
                    heals.addTask {
                        try? await Task.sleep(until: min(when + duration, end), clock: .continuous)
                        await self.heal(step.id)
                    }
                }
            }
            if !Task.isCancelled { try? await Task.sleep(until: end, clock: .continuous) }
            heals.cancelAll()
        }
        await healAll()
    }

    /// Heals every active fault (the end of the run, Ctrl-C).
    public func healAll() async {
        for id in active.keys.sorted() {
            await heal(id)
        }
        // Whatever is left in the lab (a heal that failed above) goes too: the run must end clean.
        if let network, !network.combined.drops.isEmpty {
            _ = try? network.healAll()
        }
    }

    /// Injects one scheduled fault; false when nothing was injected (no eligible target).
    private func inject(_ step: ScheduledFault) async -> Bool {
        let decided = ContinuousClock.now
        // Network faults combine (the lab enforces their union), and so do disk errors and latency (a node can be
        // slow and lose power) and `jitter` (a node it perturbs may be stopped, and perturbed again), so only
        // process faults (and membership changes) make a node busy; targets being put back stay busy too.
        let busy = step.fault.occupiesNode
            ? Set(active.values.filter { $0.fault.occupiesNode }.flatMap(\.nodes) + membershipRestoring.values.joined())
            : []
        // The resolver awaits live status, so it gets its own stream derived from the schedule position: the
        // choice stays reproducible for a seed however the actor interleaves.
        var choices = rng.derived(UInt64(step.id))
        // Faults pick among the members now; a grow picks among the spares not in.
        let grows = step.fault == .membership && step.membership?.change == .grow
        let pool = grows ? cluster.ids.filter { cluster.spares.contains($0) && !grownSpares.contains($0) } : membersNow
        switch await TargetResolver(cluster: cluster).resolve(step.target, busy: busy, pool: pool, using: &choices) {
        case .failure(let error):
            log(.error, step.id, step.fault, [], since: decided, detail: error.description)
            return false
        case .success(let nodes) where step.fault.isNetwork:
            guard let network else {
                log(.error, step.id, step.fault, nodes, since: decided, detail: "no lab network (network: loopback)")
                return false
            }
            do {
                let outcome = try NetworkInjection(network: network, nodes: cluster.ids)
                    .inject(step, targets: nodes, using: &choices)
                active[step.id] = (step.fault, outcome.nodes)
                // The event's latency is the network's own: decision (targets known) to the netlink ack.
                log(.inject, step.id, step.fault, outcome.nodes, since: decided, latency: outcome.latency,
                    detail: outcome.detail)
                return true
            } catch {
                log(.error, step.id, step.fault, nodes, since: decided, detail: "\(error)")
                return false
            }
        case .success(let nodes) where step.fault == .pauseThread:
            guard let pause = step.thread else {
                log(.error, step.id, step.fault, nodes, since: decided, detail: "pause-thread step without 'thread'")
                return false
            }
            do {
                let (frozen, latency) = try await ThreadPauses.freeze(pause, on: nodes, in: cluster)
                active[step.id] = (step.fault, nodes)
                frozenThreads[step.id] = frozen
                log(.inject, step.id, step.fault, nodes, since: decided, latency: latency,
                    detail: ThreadPauses.describe(frozen))
                return true
            } catch {
                log(.error, step.id, step.fault, nodes, since: decided, detail: "\(error)")
                return false
            }
        case .success(let nodes) where step.fault.isDisk:
            // Drawn before the await, so the torn share depends only on the seed and the schedule position.
            let tornFraction = Double(choices.next() % 1_000_000) / 1_000_000
            do {
                let detail = try await DiskFaults(cluster: cluster).inject(step, on: nodes, tornFraction: tornFraction)
                active[step.id] = (step.fault, nodes)
                log(.inject, step.id, step.fault, nodes, since: decided, detail: detail)
                return true
            } catch {
                log(.error, step.id, step.fault, nodes, since: decided, detail: "\(error)")
                return false
            }
        case .success(let nodes) where step.fault == .jitter:
            guard let jitter = step.jitter else {
                log(.error, step.id, step.fault, nodes, since: decided, detail: "jitter step without 'jitter'")
                return false
            }
            do {
                let sessions = try await JitterSessions.start(jitter, on: nodes, in: cluster,
                                                              seed: choices.next())
                active[step.id] = (step.fault, nodes)
                jitterSessions[step.id] = sessions
                log(.inject, step.id, step.fault, nodes, since: decided,
                    detail: sessions.map(\.description).joined(separator: " | "))
                return true
            } catch {
                log(.error, step.id, step.fault, nodes, since: decided, detail: "\(error)")
                return false
            }
        case .success(let nodes) where grows:
            active[step.id] = (step.fault, nodes)
            membershipChanges[step.id] = step.membership ?? MembershipSpec()
            membershipPending.insert(step.id)
            membershipRestoring[step.id] = nodes
            Task { await self.growMembers(step.id, nodes, since: decided) }
            return true
        case .success(let nodes) where step.fault == .membership:
            // Marked active before the change: a removal that fails halfway still has its targets put back.
            active[step.id] = (step.fault, nodes)
            membershipChanges[step.id] = step.membership ?? MembershipSpec()
            membershipPending.insert(step.id)
            // A change can take seconds (retries, waiting for its turn): the schedule does not wait for it.
            Task { await self.removeMembers(step.id, nodes, since: decided) }
            return true
        case .success(let nodes):
            active[step.id] = (step.fault, nodes)
            do {
                try await faults.inject(step.fault, on: nodes)
                log(.inject, step.id, step.fault, nodes, since: decided, detail: "target \(step.target)")
            } catch {
                log(.error, step.id, step.fault, nodes, since: decided, detail: "\(error)")
            }
            return true
        }
    }

    private func heal(_ id: Int) async {
        guard let (fault, nodes) = active.removeValue(forKey: id) else { return }
        let decided = ContinuousClock.now
        do {
            var latency: Duration?
            var detail: String?
            if fault == .jitter {
                detail = await JitterSessions.stop(jitterSessions.removeValue(forKey: id) ?? [])
            } else if fault.isNetwork {
                guard let network else { return }
                latency = try network.heal(id)
            } else if fault.isDisk {
                try DiskFaults(cluster: cluster).heal(fault, on: nodes)
            } else if fault == .pauseThread {
                await ThreadPauses.release(frozenThreads.removeValue(forKey: id) ?? [])
            } else if fault == .membership {
                let spec = membershipChanges.removeValue(forKey: id) ?? MembershipSpec()
                if spec.change == .grow {
                    await shrinkMembers(id, nodes, since: decided)
                    return
                }
                membershipRestoring[id] = nodes
                defer { membershipRestoring[id] = nil }
                while membershipPending.contains(id) { try? await Task.sleep(for: .milliseconds(20)) }
                await takeMembershipTurn()
                defer { membershipBusy = false }
                // Whole again means every node but those other membership faults have taken out.
                // (A grow's targets are members while it lasts, not held out.)
                let held = Set(active.filter { $0.value.fault == .membership && !membershipPending.contains($0.key)
                    && membershipChanges[$0.key]?.change != .grow }.flatMap(\.value.nodes))
                do {
                    let restored = try await membership.restore(nodes, spec,
                                                                expected: membersNow.filter { !held.contains($0) })
                    log(.heal, id, fault, nodes, since: decided, latency: restored.completed - decided,
                        detail: restored.detail, changes: restored.changes)
                } catch {
                    // The fault is over either way: chaos has done what it could, and what the cluster does now
                    // is for the checkers to judge (an unhealed window would make liveness unable to).
                    log(.heal, id, fault, nodes, since: decided, detail: "gave up restoring the membership: \(error)")
                }
                return
            } else {
                try await faults.heal(fault, on: nodes)
            }
            log(.heal, id, fault, nodes, since: decided, latency: latency, detail: detail)
        } catch {
            log(.error, id, fault, nodes, since: decided, detail: "\(error)")
        }
    }

    /// Takes `nodes` out of the configuration, in its turn, and records the change.
    private func removeMembers(_ id: Int, _ nodes: [String], since decided: ContinuousClock.Instant) async {
        await takeMembershipTurn()
        defer {
            membershipBusy = false
            membershipPending.remove(id)
        }
        do {
            let removed = try await membership.remove(nodes)
            log(.inject, id, .membership, nodes, since: decided, detail: removed.detail, changes: removed.changes)
        } catch {
            log(.error, id, .membership, nodes, since: decided, detail: "\(error)")
        }
    }

    /// Waits until no other membership fault is changing the configuration, then takes the turn.
    func takeMembershipTurn() async {
        while membershipBusy { try? await Task.sleep(for: .milliseconds(20)) }
        membershipBusy = true
    }

    func log(_ phase: NemesisEvent.Phase, _ id: Int, _ fault: Fault, _ nodes: [String],
                     since decided: ContinuousClock.Instant, latency: Duration? = nil, detail: String? = nil,
                     changes: [MembershipChangeRecord]? = nil) {
        events.append(NemesisEvent(
            time: (decided - start).nanoseconds, id: id, phase: phase, fault: fault.rawValue, targets: nodes,
            latencyNanos: (latency ?? ContinuousClock.now - decided).nanoseconds, detail: detail, changes: changes))
    }
}

extension Fault {
    /// Whether the fault takes its targets out of reach of other process faults while it lasts.
    var occupiesNode: Bool {
        !isNetwork && self != .diskError && self != .diskLatency && self != .jitter
    }
}
