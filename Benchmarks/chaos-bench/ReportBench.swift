import ArgumentParser
import ChaosChecker
import ChaosHistory
import ChaosReport
import Foundation

/// `chaos-bench report`: writes a synthetic 1-hour, 5-node run directory (36,000 samples per node, 1M operations
/// = 2M history lines, faults every 2 minutes) and times `ReportWriter.writeAll` on it.
///
/// Goal: under 5 s to read the files and write every report, report.html under 5 MB.
struct ReportBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Time report generation on a synthetic 1-hour, 5-node run.")

    @Option(help: "Runs; the median is reported.")
    var runs = 3

    @Option(help: "Operations in the history (each an invocation and a completion).")
    var ops = 1_000_000

    @Option(help: "Length of the synthetic run in seconds.")
    var seconds = 3600

    @Option(help: "Where to write the run directory (default: a fresh temporary directory).")
    var directory: String?

    func run() async throws {
        let path = directory ?? NSTemporaryDirectory() + "chaos-report-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let clock = ContinuousClock()
        let start = clock.now
        try await Self.writeRun(to: path, seconds: seconds, ops: ops)
        print("synthetic run: \(path) (\(seconds)s, 5 nodes, \(seconds * 10) samples per node, \(ops) ops), "
            + "written in \(CheckBench.format(CheckBench.ms(clock.now - start))) ms")
        for name in ["history.jsonl", "samples.jsonl"] {
            let size = (try? FileManager.default.attributesOfItem(atPath: "\(path)/\(name)")[.size] as? Int) ?? 0
            print("  \(name): \(String(format: "%.1f", Double(size) / 1e6)) MB")
        }
        var reads: [Double] = [], totals: [Double] = []
        for _ in 0..<max(runs, 1) {
            let t0 = clock.now
            let files = try RunFiles.read(runDirectory: path)
            let t1 = clock.now
            try ReportWriter.writeAll(files)
            let t2 = clock.now
            reads.append(CheckBench.ms(t1 - t0))
            totals.append(CheckBench.ms(t2 - t0))
        }
        let html = (try? FileManager.default.attributesOfItem(atPath: "\(path)/report.html")[.size] as? Int) ?? 0
        let csv = (try? FileManager.default.attributesOfItem(atPath: "\(path)/lag.csv")[.size] as? Int) ?? 0
        let total = CheckBench.median(totals), read = CheckBench.median(reads)
        print("read files: \(CheckBench.format(read)) ms; render + write reports: "
            + "\(CheckBench.format(total - read)) ms; total \(CheckBench.format(total)) ms (median of \(totals.count); "
            + "goal < 5000 ms) \(total < 5000 ? "OK" : "SLOW")")
        print("report.html: \(String(format: "%.2f", Double(html) / 1e6)) MB (goal < 5 MB) "
            + "\(html < 5_000_000 ? "OK" : "BIG"); "
            + "lag.csv: \(String(format: "%.1f", Double(csv) / 1e6)) MB")
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak RSS: \(usage.ru_maxrss / 1024) MiB")
        if directory == nil { try? FileManager.default.removeItem(atPath: path) }
    }

    /// The synthetic run: n1 leads and commits 50 entries per sample; every 2 minutes a fault hits a follower for
    /// 20 s (it does not answer, then catches up); RSS grows slowly with noise; clients write at a steady rate.
    static func writeRun(to path: String, seconds: Int, ops: Int) async throws {
        let nodes = ["n1", "n2", "n3", "n4", "n5"]
        let faults = ["kill", "pause", "partition", "stop"]
        var events: [NemesisEvent] = []
        for (id, start) in stride(from: 60, to: seconds - 30, by: 120).enumerated() {
            let target = nodes[1 + id % 4]
            events.append(NemesisEvent(time: Int64(start) * 1_000_000_000, id: id, phase: .inject,
                                       fault: faults[id % 4], targets: [target]))
            events.append(NemesisEvent(time: Int64(start + 20) * 1_000_000_000, id: id, phase: .heal,
                                       fault: faults[id % 4], targets: [target]))
        }
        var generator = SystemRandomNumberGenerator()
        var samples = Data()
        let encoder = JSONEncoder()
        var applied = [Int64](repeating: 0, count: nodes.count)
        for tick in 0..<(seconds * 10) {
            let t = Int64(tick) * 100_000_000
            let commit = Int64(tick) * 50
            for (i, node) in nodes.enumerated() {
                let time = t + Int64(i) * 500_000
                let faulted = events.contains { $0.phase == .inject && $0.targets == [node] && t >= $0.time
                    && t < $0.time + 20_000_000_000 }
                let sample: Sample
                if faulted {
                    sample = Sample(time: time, node: node, answered: false, error: "timeout")
                } else {
                    applied[i] = min(commit, applied[i] + 400)
                    let noise = Int64.random(in: 0..<400_000, using: &generator)
                    sample = Sample(time: time, node: node, answered: true, role: i == 0 ? "leader" : "follower",
                                    term: 1, leader: "n1", commitIndex: applied[i], appliedIndex: applied[i],
                                    lastIndex: applied[i], pid: Int32(1000 + i),
                                    rssBytes: 60_000_000 + Int64(tick) * 50 + noise,
                                    openFDs: 40, threads: 12)
                }
                samples.append(try encoder.encode(sample))
                samples.append(UInt8(ascii: "\n"))
            }
        }
        try samples.write(to: URL(fileURLWithPath: "\(path)/samples.jsonl"))
        var eventLines = Data()
        for event in events {
            eventLines.append(try encoder.encode(event))
            eventLines.append(UInt8(ascii: "\n"))
        }
        try eventLines.write(to: URL(fileURLWithPath: "\(path)/events.jsonl"))

        var operations: [ChaosHistory.Operation] = []
        operations.reserveCapacity(ops * 2)
        let spacing = Int64(seconds) * 1_000_000_000 / Int64(ops)
        for k in 0..<ops {
            let start = Int64(k) * spacing
            let process = k % 16
            let latency = Int64.random(in: 1_000_000...8_000_000, using: &generator)
            operations.append(Operation(time: start, process: process, type: .invoke, f: "write",
                                        value: .int(Int64(k))))
            operations.append(Operation(time: start + latency, process: process, type: k % 500 == 0 ? .info : .ok,
                                        f: "write", value: .int(Int64(k))))
        }
        operations.sort { $0.time < $1.time }
        var history = History(operations)
        history.reindex()
        try Data(JSONLCodec.encode(history)).write(to: URL(fileURLWithPath: "\(path)/history.jsonl"))

        let input = CheckInput(history: history, samples: [], events: events, nodes: nodes, duration: Double(seconds))
        let stats = await StatsChecker().check(input)
        let results = RunResults(plan: "report-bench", seed: 1, startedAt: "2026-11-21T00:00:00Z",
                                 durationSeconds: Double(seconds), verdict: stats.verdict, interrupted: false,
                                 ops: OpCounts(history), checks: [stats], nodes: nodes)
        try encoder.encode(results).write(to: URL(fileURLWithPath: "\(path)/results.json"))
    }
}
