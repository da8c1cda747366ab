import ArgumentParser
import ChaosChecker
import ChaosHistory
import Foundation

/// `chaos-bench check-invalid`: how fast the linearizability checker proves generated invalid histories
/// invalid (kv, register, cas-register; 1k–20k operations; 10–100 clients; indeterminate writes; one anomaly),
/// then the limits: a deliberately exponential history under `--time-limit 2s`, and under a memory limit.
///
/// Goals (issue 12): each invalid history decided in < 1 s and < 256 MB; the exponential one returns within
/// 2.1 s of a 2 s limit and never holds more than the memory limit + 10 %.
struct InvalidCheckBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-invalid",
        abstract: "Time the linearizability checker on generated invalid histories and on its limits.")

    @Option(help: "Runs per history; the median time is reported.")
    var runs = 3

    @Option(help: "Operation counts to generate (comma-separated).")
    var sizes = "1000,2000,5000,10000,20000"

    @Option(help: "Client counts, cycled over the histories (comma-separated).")
    var clients = "10,50,100"

    @Option(help: "Write each generated history as JSONL into this folder (to check it with other builds).")
    var write: String?

    @Flag(help: "Skip the limit runs (exponential history).")
    var noLimits = false

    func run() throws {
        let sizes = self.sizes.split(separator: ",").compactMap { Int($0) }
        let clients = self.clients.split(separator: ",").compactMap { Int($0) }
        // The limits last: resident memory is the whole process's, and their exploding searches leave the
        // allocator holding memory it does not give back, which would show in every row after them.
        var failures = 0
        var times: [Double] = []
        print("model\tops\tclients\tanomaly\tverdict\tcheck_ms\tpeak_rss_mib (process-wide)\tstates\tgoal")
        for (s, size) in sizes.enumerated() {
            for (m, model) in [ModelName.kv, .register, .casRegister].enumerated() {
                let anomaly = InvalidHistories.Anomaly.allCases[(s + m) % 3]
                let spec = InvalidHistories.Spec(model: model.rawValue, operations: size, clients: clients[(s + m) % max(clients.count, 1)],
                                                 anomaly: anomaly, seed: UInt64(s * 3 + m + 1))
                guard let (history, injected) = InvalidHistories.generate(spec) else {
                    print("\(model)\t\(size)\t\(spec.clients)\t\(anomaly.rawValue)\tno place for the anomaly")
                    failures += 1
                    continue
                }
                if let write {
                    let name = "\(write)/\(model)-\(size)-c\(spec.clients)-\(anomaly.rawValue).jsonl"
                    try Data(JSONLCodec.encode(history)).write(to: URL(filePath: name))
                }
                var ms: [Double] = []
                var peak = 0
                var report: LinearizabilityReport?
                for _ in 0..<max(runs, 1) {
                    let start = ContinuousClock.now
                    report = try Linearizability.check(history, model: model, timeLimit: .seconds(30),
                                                       registersStartAbsent: model != .kv)
                    ms.append(CheckBench.ms(ContinuousClock.now - start))
                    peak = max(peak, report?.peakMemory ?? 0)
                }
                let median = CheckBench.median(ms)
                times.append(median)
                let verdict = report?.verdict.rawValue ?? "?"
                let met = verdict == "invalid" && median < 1000 && peak < 256 << 20
                if !met { failures += 1 }
                print("\(model)\t\(size)\t\(spec.clients)\t\(anomaly.rawValue)\t\(verdict)\t"
                    + "\(CheckBench.format(median))\t\(peak >> 20)\t\(report?.statesExplored ?? 0)\t"
                    + "\(met ? "met" : "MISSED (< 1000 ms, < 256 MiB, invalid)")")
                if verdict != "invalid" { print("  injected: \(injected)") }
            }
        }
        if !noLimits { failures += limits() }
        if let worst = times.max() {
            print("invalid histories: \(times.count), worst \(CheckBench.format(worst)) ms, median "
                + "\(CheckBench.format(CheckBench.median(times))) ms")
        }
        print("check-invalid: \(failures == 0 ? "all goals met" : "\(failures) goal(s) missed")")
        if failures > 0 { throw ExitCode(1) }
    }

    /// The exponential history under a 2 s time limit, then under a 256 MiB memory limit.
    private func limits() -> Int {
        var missed = 0
        let history = Self.exponential(writes: 40)
        var walls: [Double] = []
        var report: LinearizabilityReport?
        for _ in 0..<max(runs, 1) {
            let start = ContinuousClock.now
            report = try? Linearizability.check(history, model: .casRegister, timeLimit: .seconds(2))
            walls.append(CheckBench.ms(ContinuousClock.now - start))
        }
        let wall = CheckBench.median(walls)
        let timeMet = report?.verdict == .unknown && walls.allSatisfy { $0 <= 2100 }
        if !timeMet { missed += 1 }
        print("exponential, --time-limit 2s: \(report?.verdict.rawValue ?? "?") in \(CheckBench.format(wall)) ms "
            + "(max \(CheckBench.format(walls.max() ?? 0)) ms), peak RSS \((report?.peakMemory ?? 0) >> 20) MiB; "
            + "goal ≤ 2100 ms: \(timeMet ? "met" : "MISSED")")
        print("  \(report?.reason ?? "")")

        let limit = 256 << 20
        let start = ContinuousClock.now
        let bounded = try? Linearizability.check(history, model: .casRegister, timeLimit: .seconds(60),
                                                 memoryLimit: limit)
        let peak = bounded?.peakMemory ?? 0
        let memoryMet = bounded?.verdict == .unknown && peak <= limit + limit / 10
        if !memoryMet { missed += 1 }
        print("exponential, --memory-limit 256MiB: \(bounded?.verdict.rawValue ?? "?") in "
            + "\(CheckBench.format(CheckBench.ms(ContinuousClock.now - start))) ms, peak RSS \(peak >> 20) MiB; "
            + "goal ≤ 281 MiB: \(memoryMet ? "met" : "MISSED")")
        print("  \(bounded?.reason ?? "")")
        return missed
    }

    /// `writes` timed-out writes of distinct values 1…n, reads of each in turn (every write observed, so none
    /// can be left out), then a read of a value nobody wrote: invalid, but only after trying every subset. Value 1
    /// is written twice, so the zone check (unique values only) cannot prove it before the search.
    static func exponential(writes: Int) -> History {
        var ops: [ChaosHistory.Operation] = [.init(time: 0, process: 9999, type: .invoke, f: "write", value: .int(1))]
        for p in 0..<writes {
            ops.append(ChaosHistory.Operation(time: Int64(p), process: p, type: .invoke, f: "write", value: .int(Int64(p + 1))))
        }
        for p in 0..<writes {
            ops.append(ChaosHistory.Operation(time: Int64(1000 + p), process: p, type: .info, f: "write",
                                 value: .int(Int64(p + 1))))
        }
        for p in 0...writes {
            ops.append(ChaosHistory.Operation(time: Int64(2000 + 2 * p), process: 1000 + p, type: .invoke, f: "read"))
            ops.append(ChaosHistory.Operation(time: Int64(2001 + 2 * p), process: 1000 + p, type: .ok, f: "read",
                                              value: .int(Int64(p < writes ? p + 1 : 9999))))
        }
        var history = History(ops)
        history.reindex()
        return history
    }
}
