import ChaosChecker
import ChaosControl
import ChaosHistory
import ChaosNemesis
import ChaosNet
import ChaosPlan
import ChaosReport
import ChaosSampler
import ChaosWorkload
import Foundation

/// One run in progress: owns the cluster, the recorders and the tasks of the workload, nemesis and sampler.
struct RunSession {
    let run: PreparedRun
    let startedAt = Date()
    let zero = ContinuousClock.now
    let interrupts = Interrupts()

    init(_ run: PreparedRun) {
        self.run = run
    }

    private var plan: Plan { run.plan }
    private var store: RunStore { run.store }

    private func say(_ text: String) {
        if !run.options.quiet { Console.status(text) }
    }

    func execute() async -> ExitCode {
        defer { interrupts.cancel() }
        say("chaos: running \(plan.name) for \(Units.format(plan.duration)) with seed \(run.seed)")
        say("chaos: run directory \(store.directory)")
        do {
            try plan.resolvedYAML(seed: run.seed).write(toFile: store.plan, atomically: true, encoding: .utf8)
            return try await exercise()
        } catch let error as RunError {
            Console.status("chaos: \(error.description)")
            return error.exitCode
        } catch {
            Console.status("chaos: internal error: \(error)")
            return .internalError
        }
    }

    /// What the start stage sets up and the later stages use and take down.
    private struct Parts {
        let supervisor: Supervisor
        let lab: LabNetwork?
        let disk: DiskLayer?
        let cluster: Cluster
        let recorder: HistoryRecorder
        let events: JSONLWriter<NemesisEvent>
        let samples: JSONLWriter<Sample>
        let exits: JSONLWriter<NodeExit>
        let sampler: Sampler
        let sampling: Task<Void, Never>
        let follower: LogFollower?
        let following: Task<Void, Never>?
    }

    /// The stages of one run, in order. `Runner.prepare` (plan → machine: seed, binary, addresses, directory)
    /// comes before; then start → main phase → settle → teardown → judge → publish. Every stage streams what it
    /// sees into the run directory, so a run stopped in any stage leaves what it had.
    private func exercise() async throws -> ExitCode {
        let parts = try start()
        // Unmounted and torn down after the nodes are stopped (teardown); gone with us if we are killed first.
        defer {
            parts.disk?.detachAll()
            parts.lab?.lab.teardown()
        }
        let (note, workloadTime, footprint) = await launchAndRun(parts)
        let logs = await settle(parts, cameUp: note == nil)
        try await teardown(parts, logs: logs)
        let results = try await judge(parts, note: note, workloadTime: workloadTime, footprint: footprint)
        return publish(results, cameUp: note == nil)
    }

    /// Start: the lab network, the disk layer, the cluster (not yet launched), the recorders, the sampler and the
    /// committed-log follower.
    private func start() throws -> Parts {
        let supervisor = Supervisor()
        let exits = try JSONLWriter<NodeExit>(path: store.exits)
        let lab = try LabNetwork.create(run.network, nodes: plan.cluster.nodeIDs)
        // Until `exercise` owns it, a failure below takes the lab down here.
        var started = false
        defer { if !started { lab?.lab.teardown() } }
        if let lab { say("chaos: lab network \(lab.lab.subnet), partitions by \(lab.faults.mechanism.rawValue)") }
        // Clients and the sampler leave the lab from different addresses, so `clients: affected` cuts only clients.
        let system = run.system.dialing(through: lab?.clientDialer)
        // Node data on chaos's FUSE layer (`disk: cached`).
        let disk = plan.cluster.disk == .cached ? DiskLayer(seed: run.seed) : nil
        let cluster = Cluster(system: system, nodes: run.nodes, directory: store.nodes, supervisor: supervisor,
                              start: zero, namespacePaths: lab?.namespacePaths ?? [:], dialer: lab?.dialer,
                              disk: disk, spares: plan.cluster.spareIDs, onExit: { exits.append($0) })
        let recorder = try HistoryRecorder(path: store.history, start: zero)
        let events = try JSONLWriter<NemesisEvent>(path: store.events)
        let samples = try JSONLWriter<Sample>(path: store.samples)
        let sampler = Sampler(cluster: cluster, interval: plan.sampleInterval, start: zero, output: samples)
        let sampling = Task { await sampler.run() }
        let follower = committedLogFollower(cluster)
        let following = follower.map { follower in Task { await follower.run() } }
        started = true
        return Parts(supervisor: supervisor, lab: lab, disk: disk, cluster: cluster, recorder: recorder,
                     events: events, samples: samples, exits: exits, sampler: sampler, sampling: sampling,
                     follower: follower, following: following)
    }

    /// Launches the nodes, waits for a leader and runs the main phase.
    /// - Returns: why the cluster did not come up (nil when it did), how long the workload ran and what the
    ///   controller cost meanwhile.
    private func launchAndRun(_ parts: Parts)
        async -> (note: String?, workloadTime: Duration, footprint: ControllerFootprint?)
    {
        do {
            try parts.cluster.launchAll()
            let leader = try await parts.cluster.awaitLeader(timeout: plan.cluster.startTimeout)
            say("chaos: \(parts.cluster.ids.count) nodes up, leader \(leader) after "
                + format(ContinuousClock.now - zero))
            let (time, footprint) = await mainPhase(cluster: parts.cluster, recorder: parts.recorder,
                                                    events: parts.events, sampler: parts.sampler,
                                                    network: parts.lab?.faults)
            return (nil, time, footprint)
        } catch {
            let note = "the cluster did not come up: \(error)"
            Console.status("chaos: \(note)")
            return (note, .zero, nil)
        }
    }

    /// Settle: faults are healed by now; nodes restarted at the very end get to come up before they are stopped,
    /// the committed log is read to its end and, for divergence, every node's log. After Ctrl-C the run is judged
    /// unknown anyway: stop at once rather than wait for nodes.
    /// - Returns: the node logs read (empty unless divergence is checked).
    private func settle(_ parts: Parts, cameUp: Bool) async -> [NodeLog] {
        let settle = cameUp && !interrupts.interrupted
        if settle { await parts.cluster.awaitAnswering(timeout: .seconds(5)) }
        parts.following?.cancel()
        await parts.following?.value
        // The log is written to log.jsonl; the judge reads it back from there like every other record.
        _ = await parts.follower?.finish(timeout: settle ? .seconds(5) : .milliseconds(300))
        return settle && plan.checks.divergence != nil ? await parts.cluster.logs(timeout: .seconds(5)) : []
    }

    /// Teardown: stops sampling and the nodes (SIGTERM, SIGKILL after the grace), unmounts the disk layer and
    /// closes every record file.
    private func teardown(_ parts: Parts, logs: [NodeLog]) async throws {
        parts.sampling.cancel()
        await parts.sampling.value
        await parts.cluster.shutdown(grace: parts.cluster.system.stopGrace)
        await parts.supervisor.killAll()
        parts.disk?.detachAll()
        parts.recorder.close()
        for writer in [parts.events.close, parts.samples.close, parts.exits.close] { writer() }
        if !logs.isEmpty { try NodeLogsFile.write(logs, to: store.path(.nodeLogs)) }
    }

    /// Judge: nothing of the history, samples or events stayed in memory during the run; read them back, as
    /// `chaos analyze` would, and judge them the same way (`Judge`). Writes results.json and the reports.
    private func judge(_ parts: Parts, note: String?, workloadTime: Duration, footprint: ControllerFootprint?)
        async throws -> RunResults
    {
        let stored = try StoredRun.read(directory: store.directory)
        HistoryExport.writeEDN(stored.history, to: store.historyEDN)
        let interrupted = interrupts.interrupted
        let checks = note == nil
            ? await Judge.judge(stored, checks: plan.checks, workload: plan.workload, system: plan.cluster.system,
                                nodes: parts.cluster.ids, duration: workloadTime.seconds)
            : []
        let verdict: Verdict = interrupted || note != nil ? .unknown : Verdict.combine(checks.map(\.verdict))
        var results = RunResults(
            plan: plan.name, seed: run.seed, startedAt: ISO8601DateFormatter().string(from: startedAt),
            durationSeconds: workloadTime.seconds, verdict: verdict, interrupted: interrupted,
            ops: stored.summary.ops, checks: checks, nodes: parts.cluster.ids,
            note: note ?? (interrupted ? "interrupted before the end" : nil))
        results.controller = footprint
        results.controller?.judgedPeakBytes = ControllerMeter.lifetimePeak()
        try Judge.write(results, of: stored, into: store.directory)
        return results
    }

    /// Publish: the verdict on the console and as the exit code.
    private func publish(_ results: RunResults, cameUp: Bool) -> ExitCode {
        report(results)
        if !cameUp { return .environment }
        if results.interrupted { return .interrupted }
        return switch results.verdict {
        case .valid: .valid
        case .invalid: .invalid
        case .unknown: .unknown
        }
    }

    /// Runs workload, nemesis, flushing and progress until the plan's duration is up or the run is interrupted.
    /// - Returns: how long the workload ran, and the controller's footprint meanwhile.
    private func mainPhase(cluster: Cluster, recorder: HistoryRecorder, events: JSONLWriter<NemesisEvent>,
                           sampler: Sampler, network: NetworkFaults?) async -> (Duration, ControllerFootprint) {
        let meter = ControllerMeter()
        let begin = ContinuousClock.now
        let end = begin + plan.duration
        let nemesis = Nemesis(cluster: cluster, schedule: Schedule.expand(plan, seed: run.seed), seed: run.seed,
                              start: zero, scheduleStart: begin, events: events, network: network,
                              stopGrace: cluster.system.stopGrace)
        let workload = Workload(spec: plan.workload, system: cluster.system, cluster: run.nodes, recorder: recorder,
                                seed: run.seed)
        let flushing = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                recorder.flush()
                meter.sample()
            }
        }
        let progress = Task {
            if !run.options.quiet {
                await Progress(recorder: recorder, nemesis: nemesis, latest: sampler.latest, start: begin,
                               total: plan.duration).run()
            }
        }
        let main = Task {
            async let clients: Void = workload.run(until: end)
            async let faults: Void = nemesis.run(until: end)
            _ = await (clients, faults)
        }
        interrupts.onInterrupt { main.cancel() }
        if interrupts.interrupted { main.cancel() }
        await main.value
        await nemesis.healAll()
        progress.cancel()
        await progress.value
        flushing.cancel()
        recorder.flush()
        return (ContinuousClock.now - begin, meter.finish(operations: recorder.counts.invoke))
    }

    private func report(_ results: RunResults) {
        if run.options.json {
            Console.output((try? String(contentsOfFile: store.results, encoding: .utf8)) ?? "{}")
            return
        }
        Console.output("\n" + VerdictText.render(results, report: store.path(.report), resultsFile: store.results))
    }

    private func format(_ duration: Duration) -> String { String(format: "%.1fs", duration.seconds) }
}
