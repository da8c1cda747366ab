import ArgumentParser
import ChaosHistory
import Foundation

/// The controller's recording path fed an hour's worth of records as fast as it takes them: the history recorder
/// (flushed as the run flushes it) and the samples writer, with this process's RSS before and after. The goal
/// (issue 13): < 50 MB of controller growth over a 1-hour run at 500 ops/s. `chaos-bench controller` measures a
/// real `chaos run`; this one reaches an hour's volume in seconds.
struct MemoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory", abstract: "Controller RSS growth while recording an hour of history and samples.")

    @Option(help: "Operations per second of the simulated run.")
    var rate = 500

    @Option(help: "Simulated run length in seconds.")
    var seconds = 3600

    @Option(help: "Nodes sampled every 100 ms.")
    var nodes = 5

    func run() throws {
        let directory = NSTemporaryDirectory() + "chaos-memory-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let recorder = try HistoryRecorder(path: "\(directory)/history.jsonl")
        let samples = try JSONLWriter<Sample>(path: "\(directory)/samples.jsonl")
        let before = Self.rss()
        var peak = before
        // Each op is an invocation and a completion; the run flushes every 100 ms, i.e. every rate/10 ops.
        let flushEvery = max(1, rate / 10)
        for tick in 0..<(seconds * 10) {
            for i in 0..<flushEvery {
                let process = i % 16
                recorder.record(process: process, type: .invoke, f: "cas", key: .string("k\(i % 8)"),
                                value: .vector([.int(Int64(i % 5)), .int(Int64(i % 7))]), node: "n1")
                recorder.record(process: process, type: .ok, f: "cas", key: .string("k\(i % 8)"),
                                value: .vector([.int(Int64(i % 5)), .int(Int64(i % 7))]), node: "n1")
            }
            recorder.flush()
            for node in 1...nodes {
                samples.append(Sample(time: Int64(tick) * 100_000_000, node: "n\(node)", answered: true,
                                      role: "follower", term: 3, commitIndex: Int64(tick), pid: 100,
                                      rssBytes: 30_000_000, openFDs: 20, threads: 9))
            }
            if tick % 600 == 0 { peak = max(peak, Self.rss()) }
        }
        recorder.close()
        samples.close()
        let after = Self.rss()
        peak = max(peak, after)
        let ops = recorder.count / 2
        print(String(format: "recorded %d ops (%d events) and %d samples: %.0f s at %d ops/s, %d nodes",
                     ops, recorder.count, seconds * 10 * nodes, Double(seconds), rate, nodes))
        print(String(format: "controller RSS: %.1f MB -> %.1f MB (peak %.1f MB): grew %.1f MB "
                     + "(goal < 50 MB over 1 h at 500 ops/s); recorder retains %d bytes",
                     before / 1e6, after / 1e6, peak / 1e6, (peak - before) / 1e6, recorder.retainedBytes))
    }

    static func rss() -> Double { CPUTime.rss(of: getpid()) ?? 0 }
}
