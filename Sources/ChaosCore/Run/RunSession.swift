import ChaosChecker
import ChaosControl
import ChaosHistory
import ChaosNemesis
import ChaosNet
import ChaosPlan
import ChaosReport
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

    /// Starts the cluster, runs the main phase, tears everything down and judges what was recorded.
    private func exercise() async throws -> ExitCode {
        let supervisor = Supervisor()
        let exits = try JSONLWriter<NodeExit>(path: store.exits)
        let lab = try LabNetwork.create(run.network, nodes: plan.cluster.nodeIDs)
        // Torn down after the nodes are stopped (below); the holders die with us if we are killed first.
        defer { lab?.lab.teardown() }
        if let lab { say("chaos: lab network \(lab.lab.subnet), partitions by \(lab.faults.mechanism.rawValue)") }
        // Clients and the sampler leave the lab from different addresses, so `clients: affected` cuts only clients.
        let system = run.system.dialing(through: lab?.clientDialer)
        // Node data on chaos's FUSE layer (`disk: cached`); unmounted once the nodes are stopped (below), and gone
        // with our mount namespace if we are killed first.
        let disk = plan.cluster.disk == .cached ? DiskLayer(seed: run.seed) : nil
        defer { disk?.detachAll() }
        let cluster = Cluster(system: system, nodes: run.nodes, directory: store.nodes, supervisor: supervisor,
                              start: zero, namespacePaths: lab?.namespacePaths ?? [:], dialer: lab?.dialer,
                              disk: disk, onExit: { exits.append($0) })
        let recorder = try HistoryRecorder(path: store.history, start: zero)
        let events = try JSONLWriter<NemesisEvent>(path: store.events)
        let samples = try JSONLWriter<Sample>(path: store.samples)
        let sampler = Sampler(cluster: cluster, interval: plan.sampleInterval, start: zero, output: samples)
        let sampling = Task { await sampler.run() }
        let follower = committedLogFollower(cluster)
        let following = follower.map { follower in Task { await follower.run() } }

        var note: String?
        var workloadTime = Duration.zero
        do {
            try cluster.launchAll()
            let leader = try await cluster.awaitLeader(timeout: plan.cluster.startTimeout)
            say("chaos: \(cluster.ids.count) nodes up, leader \(leader) after \(format(ContinuousClock.now - zero))")
            workloadTime = await mainPhase(cluster: cluster, recorder: recorder, events: events, sampler: sampler,
                                           network: lab?.faults)
        } catch {
            note = "the cluster did not come up: \(error)"
            Console.status("chaos: \(note!)")
        }

        // Faults are healed by now; nodes restarted at the very end get to come up before they are stopped (and
        // before their logs are read for the divergence checker).
        // After Ctrl-C the run is judged unknown anyway: stop at once rather than wait for nodes.
        let settle = note == nil && !interrupts.interrupted
        if settle { await cluster.awaitAnswering(timeout: .seconds(5)) }
        following?.cancel()
        await following?.value
        // The log is written to log.jsonl; the judge reads it back from there like every other record.
        _ = await follower?.finish(timeout: settle ? .seconds(5) : .milliseconds(300))
        let logs = settle && plan.checks.divergence != nil ? await cluster.logs(timeout: .seconds(5)) : []
        sampling.cancel()
        await sampling.value
        await cluster.shutdown(grace: system.stopGrace)
        await supervisor.killAll()
        disk?.detachAll()
        recorder.close()
        for writer in [events.close, samples.close, exits.close] { writer() }
        if !logs.isEmpty { try NodeLogsFile.write(logs, to: store.path(.nodeLogs)) }

        // Nothing of the history, samples or events stayed in memory during the run: read them back, as
        // `chaos analyze` would, and judge them the same way.
        let stored = try StoredRun.read(directory: store.directory)
        HistoryExport.writeEDN(stored.history, to: store.historyEDN)
        let interrupted = interrupts.interrupted
        let checks = note == nil
            ? await Judge.judge(stored, checks: plan.checks, workload: plan.workload, system: plan.cluster.system,
                                nodes: cluster.ids,
                                duration: workloadTime.seconds)
            : []
        let verdict: Verdict = interrupted || note != nil ? .unknown : Verdict.combine(checks.map(\.verdict))
        let results = RunResults(
            plan: plan.name, seed: run.seed, startedAt: ISO8601DateFormatter().string(from: startedAt),
            durationSeconds: workloadTime.seconds, verdict: verdict, interrupted: interrupted,
            ops: OpCounts(stored.history), checks: checks, nodes: cluster.ids,
            note: note ?? (interrupted ? "interrupted before the end" : nil))
        try Judge.write(results, of: stored, into: store.directory)
        report(results)
        if note != nil { return .environment }
        if interrupted { return .interrupted }
        return switch verdict {
        case .valid: .valid
        case .invalid: .invalid
        case .unknown: .unknown
        }
    }

    /// Runs workload, nemesis, flushing and progress until the plan's duration is up or the run is interrupted.
    /// - Returns: how long the workload ran.
    private func mainPhase(cluster: Cluster, recorder: HistoryRecorder, events: JSONLWriter<NemesisEvent>,
                           sampler: Sampler, network: NetworkFaults?) async -> Duration {
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
        return ContinuousClock.now - begin
    }

    private func report(_ results: RunResults) {
        if run.options.json {
            Console.output((try? String(contentsOfFile: store.results, encoding: .utf8)) ?? "{}")
            return
        }
        var lines = ["", "\(plan.name): \(results.verdict.rawValue.uppercased())  (seed \(run.seed))"]
        for check in results.checks {
            lines.append("  \(check.verdict.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) "
                         + "\(check.name): \(check.summary)")
            for finding in check.findings.prefix(5) { lines.append("           - \(finding.message)") }
        }
        lines.append("  report:  \(store.path(.report))")
        lines.append("  results: \(store.results)")
        Console.output(lines.joined(separator: "\n"))
    }

    private func format(_ duration: Duration) -> String { String(format: "%.1fs", duration.seconds) }
}
