import ArgumentParser
import ChaosChecker
import ChaosHistory
import Foundation

/// `chaos-bench log-check RUN_DIR`: times the linearizability check of a real run with its committed log
/// (`log.jsonl`) and without it, and says how indeterminate the history was.
///
/// Goal (issue 12): a 100k-operation run under faults where at least 20 % of writes end `info` is decided in
/// under 5 s and 1 GiB with the log. Peak RSS is the process's, so the with-log runs come first.
struct LogCheckBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log-check", abstract: "Time log-informed linearizability on a run directory, with and without.")

    @Argument(help: "A run directory holding history.jsonl and log.jsonl (chaos run plans/cas-100k-info.yaml).")
    var run: String

    @Option(help: "The model.")
    var model = ModelName.casRegister

    @Option(help: "Runs with the log; the median is reported.")
    var runs = 3

    @Option(help: "Time limit of the check without the log, in seconds.")
    var limit = 60

    func run() async throws {
        let history = try HistoryReader.read(path: "\(run)/history.jsonl", format: .auto).history
        let log = try CommittedLog.read(path: "\(run)/log.jsonl")
        let writes = history.operations.filter { $0.f == "write" || $0.f == "cas" }
        let infos = writes.filter { $0.type == .info }.count
        let invokes = writes.filter { $0.type == .invoke }.count
        print("history: \(history.count / 2) ops, \(invokes) writes+cas, \(infos) ended info "
              + String(format: "(%.1f%%)", 100 * Double(infos) / Double(max(invokes, 1)))
              + "; log: \(log.count) lines")
        var times: [Double] = []
        var report: LinearizabilityReport?
        for _ in 0..<runs {
            let started = ContinuousClock.now
            report = try Linearizability.check(history, model: model, timeLimit: .seconds(60),
                                               registersStartAbsent: true, log: log)
            times.append(CheckBench.ms(ContinuousClock.now - started))
        }
        print("with log:    \(report!.verdict.rawValue)  median \(CheckBench.format(CheckBench.median(times))) ms "
              + "(runs \(times.map(CheckBench.format).joined(separator: ", "))), peak RSS \(Self.peakMiB()) MiB")
        print("             \(report!.log?.summary ?? "")")
        let started = ContinuousClock.now
        let exact = try Linearizability.check(history, model: model, timeLimit: .seconds(limit),
                                              registersStartAbsent: true)
        print("without log: \(exact.verdict.rawValue)  \(CheckBench.format(CheckBench.ms(ContinuousClock.now - started))) ms"
              + ", peak RSS \(Self.peakMiB()) MiB" + (exact.reason.map { " (\($0))" } ?? ""))
    }

    static func peakMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss / 1024
    }
}

extension ModelName: ExpressibleByArgument {}
