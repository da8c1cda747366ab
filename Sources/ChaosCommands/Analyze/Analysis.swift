import ChaosChecker
import ChaosCore
import ChaosHistory
import ChaosPlan
import ChaosReport
import Foundation

/// `chaos analyze RUN_DIR`: judges a stored run directory again — one that finished, one that was interrupted,
/// or one whose controller died without writing `results.json` — with its plan's checks or others.
public enum Analysis {
    public struct Options: Sendable {
        public var runDirectory: String
        /// `NAME[:KEY=VALUE,...]` checks replacing the plan's; empty = the plan's own `checks:`.
        public var checks: [String]
        /// Write over the run's own results and reports instead of into `analysis/`.
        public var replace: Bool
        /// Where to write; nil = `RUN_DIR/analysis` (or `RUN_DIR` with `replace`).
        public var output: String?
        public var json: Bool

        public init(runDirectory: String, checks: [String] = [], replace: Bool = false, output: String? = nil,
                    json: Bool = false) {
            self.runDirectory = runDirectory
            self.checks = checks
            self.replace = replace
            self.output = output
            self.json = json
        }
    }

    /// How the run directory was left.
    public enum Ending: String, Sendable {
        /// `results.json` says the run reached its end.
        case finished
        /// `results.json` says it was interrupted (Ctrl-C, SIGTERM).
        case interrupted
        /// No `results.json`: the controller died (SIGKILL, OOM, power) before judging.
        case abandoned
    }

    /// Judges the run and writes results.json, report.html, lag.csv, summary.md and junit.xml.
    /// - Returns: the exit code: 0 valid, 1 invalid, 2 unknown, 3 bad input (not a run, bad `--check`), 5 when
    ///   the reports cannot be written.
    public static func run(_ options: Options) async -> Int32 {
        do {
            let (results, directory) = try await analyze(options)
            if options.json {
                let results = RunLayout(directory: directory).path(.results)
                Console.output((try? String(contentsOfFile: results, encoding: .utf8)) ?? "{}")
            } else {
                Console.output(text(results, directory: directory))
            }
            return switch results.verdict {
            case .valid: ExitCode.valid.rawValue
            case .invalid: ExitCode.invalid.rawValue
            case .unknown: ExitCode.unknown.rawValue
            }
        } catch {
            Console.status("chaos analyze: \(error.description)")
            return error.exitCode.rawValue
        }
    }

    /// Reads, judges and writes; the testable core of `run`.
    /// - Returns: the new results and the directory they were written to.
    /// - Throws: `RunError` for a directory that is not a run, a bad `--check`, or a write failure.
    public static func analyze(_ options: Options) async throws(RunError) -> (RunResults, String) {
        let directory = RunReport.resolve(options.runDirectory)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw .badInput("\(directory): no such run directory; give a path like runs/latest")
        }
        let planPath = "\(directory)/plan.yaml"
        guard FileManager.default.fileExists(atPath: planPath) else {
            throw .badInput("\(planPath): missing; is this a chaos run directory? (chaos run writes it first)")
        }
        let plan: Plan
        do {
            plan = try PlanLoader.load(path: planPath)
        } catch {
            throw .badInput(error.description)
        }
        let checks: ChecksSpec
        do {
            checks = options.checks.isEmpty ? plan.checks : try PlanLoader.checks(arguments: options.checks)
        } catch {
            throw .badInput(error.description)
        }
        var stored = try StoredRun.read(directory: directory)
        let original = previousResults(directory)
        let ending: Ending = original == nil ? .abandoned : original!.interrupted ? .interrupted : .finished
        // A controller that died never followed the committed log up to the history's end: its log.jsonl stops
        // short, and writes acknowledged after its last read would look lost. Judge with exact semantics instead.
        if ending == .abandoned && stored.committedLog != nil {
            stored.committedLog = nil
            stored.unusedCommittedLog = true
        }
        let nodes = original?.nodes ?? plan.cluster.nodeIDs
        let duration = original?.durationSeconds ?? recordedSpan(stored)

        var checked = await Judge.judge(stored, checks: checks, workload: plan.workload,
                                        system: plan.cluster.system, nodes: nodes, duration: duration)
        explainUnjudged(&checked, stored: stored, ending: ending)
        let verdict = Verdict.combine(checked.map(\.verdict))
        let results = RunResults(
            plan: plan.name, seed: plan.seed ?? original?.seed ?? 0,
            startedAt: original?.startedAt ?? startedAt(directory), durationSeconds: duration, verdict: verdict,
            interrupted: ending != .finished, ops: stored.summary.ops, checks: checked, nodes: nodes,
            note: note(ending, stored: stored, duration: duration))
        let output = options.output ?? (options.replace ? directory : "\(directory)/analysis")
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        } catch {
            throw .internal("\(output): cannot create the output directory (\(error.localizedDescription))")
        }
        try Judge.write(results, of: stored, into: output)
        return (results, output)
    }

    private static func previousResults(_ directory: String) -> RunResults? {
        guard let data = FileManager.default.contents(atPath: RunLayout(directory: directory).path(.results)) else {
            return nil
        }
        return try? JSONDecoder().decode(RunResults.self, from: data)
    }

    /// For a run that never wrote its length: from its first operation to the last thing it recorded.
    static func recordedSpan(_ run: StoredRun) -> Double {
        let first = run.summary.firstTime ?? run.samples.first?.time ?? 0
        let last = max(run.summary.lastTime ?? 0, run.samples.last?.time ?? 0)
        return Double(max(0, last - first)) / 1e9
    }

    /// The run directory's name is its start (`2026-11-21T22-41-07Z`); back to ISO 8601.
    private static func startedAt(_ directory: String) -> String {
        let name = (directory as NSString).lastPathComponent
        let parts = name.split(separator: "T", maxSplits: 1)
        guard parts.count == 2 else { return name }
        return "\(parts[0])T\(parts[1].prefix(9).replacingOccurrences(of: "-", with: ":"))"
    }

    /// A divergence `unknown` because the run never read the logs says why in terms of this run.
    private static func explainUnjudged(_ checks: inout [CheckResult], stored: StoredRun, ending: Ending) {
        for i in checks.indices where checks[i].name == .divergence && stored.logs.isEmpty {
            checks[i].summary = switch ending {
            case .abandoned: "the controller died before reading the nodes' logs at the end of the run, so "
                + "replicas cannot be compared"
            case .interrupted: "the run was interrupted before reading the nodes' logs, so replicas cannot be "
                + "compared"
            case .finished: "the run read no node logs at its end (\(StoredRun.nodeLogsFile) is missing: the "
                + "plan had no divergence check, or the system gives no log digests), so replicas cannot be "
                + "compared"
            }
        }
    }

    private static func note(_ ending: Ending, stored: StoredRun, duration: Double) -> String {
        var parts = ["judged again by chaos analyze"]
        switch ending {
        case .finished: break
        case .interrupted: parts.append("the run was interrupted; judged on what it recorded")
        case .abandoned: parts.append(String(format: "no results.json: the controller died; judged on the %.1fs "
                                              + "it recorded", duration))
        }
        if !stored.cutLines.isEmpty {
            parts.append("last line cut short and left out in \(stored.cutLines.joined(separator: ", "))")
        }
        if stored.unusedCommittedLog {
            parts.append("\(RunLayout.File.committedLog.rawValue) not used: it stops where the controller died")
        }
        let lacking = stored.missing.filter { !StoredRun.optionalFiles.contains($0) }
        if !lacking.isEmpty { parts.append("missing: \(lacking.joined(separator: ", "))") }
        return parts.joined(separator: "; ")
    }

    private static func text(_ results: RunResults, directory: String) -> String {
        VerdictText.render(results, report: "\(directory)/report.html", resultsFile: "\(directory)/results.json")
    }
}
