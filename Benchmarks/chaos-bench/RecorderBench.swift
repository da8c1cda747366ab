import ArgumentParser
import ChaosHistory
import Foundation
import Synchronization

/// How fast the history recorder appends: it must never be what limits a workload (goal ≥ 1,000,000 ops/s).
struct RecorderBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recorder", abstract: "Appended history ops/s, streaming JSONL to a file.")

    @Option(help: "Operations per run.")
    var ops = 2_000_000

    @Option(help: "Runs (the median is reported).")
    var runs = 5

    @Option(help: "Concurrent recording threads (1 measures the recorder itself; more adds lock contention).")
    var threads = 1

    func run() throws {
        var rates: [Double] = []
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chaos-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for run in 1...runs {
            let path = directory.appendingPathComponent("history-\(run).jsonl").path
            let recorder = try HistoryRecorder(path: path)
            let perThread = ops / threads
            let stop = StopFlag()
            let flusher = Thread {
                while !stop.isSet {
                    usleep(100_000)
                    recorder.flush()
                }
            }
            flusher.start()
            let begin = ContinuousClock.now
            // Clients build their values anyway; the bench measures the recorder, not value construction.
            let keys = (0..<8).map { Value.string("k\($0)") }
            let values = (0..<64).map { Value.vector([.int(Int64($0)), .int(Int64($0 + 1))]) }
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for i in 0..<perThread {
                    let process = thread * 1000 + i % 7
                    recorder.record(process: process, type: i % 2 == 0 ? .invoke : .ok, f: "cas", key: keys[i & 7],
                                    value: values[i & 63], node: "n1")
                }
            }
            let history = recorder.finish()
            let elapsed = (ContinuousClock.now - begin)
            stop.set()
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = Double(history.count) / seconds
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print(String(format: "run %d: %d ops in %.3f s = %.0f ops/s (%d threads, %.1f MB written)",
                         run, history.count, seconds, rate, threads, Double(size) / 1e6))
            rates.append(rate)
        }
        rates.sort()
        print(String(format: "recorder: median %.0f appended ops/s over %d runs (goal >= 1,000,000)",
                     rates[rates.count / 2], runs))
    }
}

/// A one-way flag shared with the flusher thread.
final class StopFlag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }
}
