import ChaosChecker
import ChaosHistory
import ChaosReport
import Foundation

/// A made-up but complete run directory, judged by the real checkers: 3 nodes for 60 s, n3 killed 20–30 s,
/// n2 stalled from 40 s to the end, two clients writing every 50 ms.
enum SyntheticRun {
    static let nodes = ["n1", "n2", "n3"]

    static func samples(seconds: Double = 60) -> [Sample] {
        var samples: [Sample] = []
        for tick in 0...Int(seconds * 10) {
            let t = Int64(tick) * 100_000_000
            let commit = Int64(tick) * 20
            for (i, node) in nodes.enumerated() {
                let time = t + Int64(i) * 1_000_000
                let rss = Int64(40_000_000 + tick * 2_000 + i * 3_000_000)
                if node == "n3", t >= 20_000_000_000, t < 30_000_000_000 {
                    samples.append(Sample(time: time, node: node, answered: false, error: "connection refused"))
                    continue
                }
                var index = commit
                if node == "n3", t >= 30_000_000_000 { index = min(commit, 400 + (Int64(tick) - 300) * 60) }
                if node == "n2", t >= 40_000_000_000 { index = 8000 }
                let role = node == "n1" ? "leader" : "follower"
                samples.append(Sample(time: time, node: node, answered: true, role: role,
                                      term: 1, leader: "n1", commitIndex: index, appliedIndex: index, lastIndex: index,
                                      pid: Int32(100 + i), rssBytes: rss, openFDs: 30, threads: 9))
            }
        }
        return samples
    }

    static let events = [
        NemesisEvent(time: 20_000_000_000, id: 1, phase: .inject, fault: "kill", targets: ["n3"],
                     latencyNanos: 300_000),
        NemesisEvent(time: 30_000_000_000, id: 1, phase: .heal, fault: "kill", targets: ["n3"],
                     latencyNanos: 9_000_000),
    ]

    static func history(seconds: Double = 60) -> History {
        var ops: [ChaosHistory.Operation] = []
        var t: Int64 = 0
        var value: Int64 = 0
        while t < Int64(seconds * 1e9) {
            for process in 0..<2 {
                value += 1
                let start = t + Int64(process) * 7_000_000
                let latency: Int64 = (t / 1_000_000_000) % 10 == 3 ? 40_000_000 : 2_000_000 + value % 5 * 1_000_000
                ops.append(Operation(time: start, process: process, type: .invoke, f: "write", value: .int(value)))
                ops.append(Operation(time: start + latency, process: process, type: .ok, f: "write",
                                     value: .int(value)))
            }
            t += 50_000_000
        }
        var history = History(ops.sorted { $0.time < $1.time })
        history.reindex()
        return history
    }

    /// Writes the run directory with results from the real stats, lag and liveness checkers, plus a
    /// linearizability finding with the ops around its counterexample.
    static func write(to directory: String, seconds: Double = 60) async throws -> RunResults {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let history = history(seconds: seconds)
        let samples = samples(seconds: seconds)
        let exits = [NodeExit(node: "n3", pid: 102, time: 20_000_300_000,
                              status: .signaled(signal: 9, coreDumped: false),
                              cause: .kill)]
        let input = CheckInput(history: history, samples: samples, events: events, exits: exits, nodes: nodes,
                               duration: seconds)
        var checks = [await StatsChecker().check(input), await LagChecker(stallAfter: .seconds(5)).check(input),
                      await LivenessChecker().check(input)]
        checks.append(CheckResult(name: .linearizable, verdict: .invalid, summary: "not linearizable (register)",
                                  findings: [Finding("no linearization of 4 operations", details: [
                                    "process 0 write 7 invoked 1.20s ok 1.21s",
                                    "process 1 read <x> invoked 1.22s ok 1.23s -> 3",
                                  ])]))
        let results = RunResults(plan: "synthetic <plan>", seed: 42, startedAt: "2026-11-21T22:00:00Z",
                                 durationSeconds: seconds, verdict: Verdict.combine(checks.map(\.verdict)),
                                 interrupted: false, ops: OpCounts(history), checks: checks, nodes: nodes)
        let encoder = JSONEncoder()
        try encoder.encode(results).write(to: URL(fileURLWithPath: "\(directory)/results.json"))
        try Data(JSONLCodec.encode(history)).write(to: URL(fileURLWithPath: "\(directory)/history.jsonl"))
        try lines(samples).write(to: URL(fileURLWithPath: "\(directory)/samples.jsonl"))
        try lines(events).write(to: URL(fileURLWithPath: "\(directory)/events.jsonl"))
        try lines(exits).write(to: URL(fileURLWithPath: "\(directory)/exits.jsonl"))
        return results
    }

    static func lines<T: Encodable>(_ records: [T]) throws -> Data {
        var data = Data()
        for record in records {
            data.append(try JSONEncoder().encode(record))
            data.append(UInt8(ascii: "\n"))
        }
        return data
    }

    /// A fresh scratch directory under the system's temporary directory.
    static func scratch(_ name: String) -> String {
        let path = NSTemporaryDirectory() + "chaos-report-tests/\(name)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
