import ChaosChecker
import ChaosHistory
import ChaosPlan
import ChaosReport
import Foundation

/// The one path from what a run recorded to its verdict: the run itself (at its end) and `chaos analyze` (on a
/// stored run directory, any time later) both judge through here, so they cannot drift apart.
public enum Judge {
    /// The checkers a `checks:` section asks for, with its settings, in the order their results are listed.
    /// - Parameter workload: the run's workload; its kind picks the linearizability model when none is given and
    ///   its timeout tells liveness which failures were operations given up on.
    ///   - system: the system judged (the leak checker's default growth per entry depends on it).
    public static func checkers(for checks: ChecksSpec, workload: WorkloadSpec, system: ClusterSpec.System)
        -> [any Checker] {
        var checkers: [any Checker] = []
        if let stats = checks.stats { checkers.append(StatsChecker(minAvailability: stats.minAvailability)) }
        if let crash = checks.crash { checkers.append(CrashChecker(patterns: crash.patterns)) }
        if let linearizable = checks.linearizable {
            // chaos's own registers start absent, so a nil read is an observation, not a wildcard.
            checkers.append(LinearizabilityChecker(
                model: linearizable.model ?? workload.kind.naturalModel, timeLimit: linearizable.timeLimit,
                memoryLimit: linearizable.memoryLimit ?? Linearizability.defaultMemoryLimit,
                registersStartAbsent: true))
        }
        return checkers + HealthCheckers.make(from: checks, opTimeout: workload.timeout, system: system)
    }

    /// Runs the checkers of `checks` on a run read back from its directory.
    /// - Parameters:
    ///   - nodes: the cluster's node ids (from the plan).
    ///   - duration: how long the workload ran, in seconds.
    public static func judge(_ run: StoredRun, checks: ChecksSpec, workload: WorkloadSpec,
                             system: ClusterSpec.System, nodes: [String], duration: Double) async -> [CheckResult] {
        let input = CheckInput(
            source: run.history, samples: run.samples, events: run.events, exits: run.exits, logs: run.logs,
            nodeDirectories: Dictionary(uniqueKeysWithValues: nodes.map { ($0, RunLayout(directory: run.directory).node($0)) }),
            nodes: nodes, duration: duration, committedLog: run.committedLog)
        var results: [CheckResult] = []
        for checker in checkers(for: checks, workload: workload, system: system) {
            results.append(await checker.check(input))
        }
        return results
    }

    /// Writes `results.json` and every report (report.html, lag.csv, summary.md, junit.xml) into `directory`.
    /// - Returns: the paths written.
    /// - Throws: `RunError.internal` when a file cannot be written.
    @discardableResult
    public static func write(_ results: RunResults, of run: StoredRun, into directory: String) throws(RunError)
        -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = RunLayout(directory: directory).path(.results)
        do {
            try encoder.encode(results).write(to: URL(fileURLWithPath: path), options: .atomic)
            var files = RunFiles(directory: directory, results: results, source: run.history, samples: run.samples,
                                 events: run.events, exits: run.exits)
            files.lastOpTime = run.summary.lastTime
            return [path] + (try ReportWriter.writeAll(files))
        } catch let error as ReportError {
            throw .internal(error.description)
        } catch {
            throw .internal("\(path): could not be written (\(error.localizedDescription)); check that the "
                            + "directory is writable")
        }
    }
}
