import ArgumentParser
import ChaosControl
import ChaosNemesis
import Foundation

/// How fast a named thread is frozen: decision → every matching thread confirmed in tracing stop (goal p99 < 2 ms).
struct FreezeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "freeze", abstract: "Thread-freeze latency (ptrace) on a real raft-node's writer thread.")

    @Option(help: "Freezes to time.")
    var count = 300

    @Option(help: "The raft-node binary.")
    var binary = ".build/release/raft-node"

    @Option(help: "Thread-name pattern to freeze.")
    var thread = "^raft-writer$"

    func run() async throws {
        let directory = NSTemporaryDirectory() + "chaos-freeze-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let supervisor = Supervisor()
        let port = Int.random(in: 20_000..<30_000)
        let node = try supervisor.spawn(ProcessSpec(
            executable: binary,
            arguments: ["--id", "n1", "--data-dir", "\(directory)/data", "--listen-raft", "127.0.0.1:\(port)",
                        "--listen-http", "127.0.0.1:\(port + 1)"],
            stdoutPath: "\(directory)/stdout.log", stderrPath: "\(directory)/stderr.log"))
        try await Task.sleep(for: .seconds(1))
        var latencies: [Double] = []
        for _ in 0..<count {
            let (frozen, latency) = try await ThreadFreezer.shared.freeze(pid: node.pid, matching: thread)
            latencies.append(Double(latency.components.attoseconds) / 1e15 + Double(latency.components.seconds) * 1e3)
            await ThreadFreezer.shared.release(frozen.map(\.tid))
        }
        await supervisor.killAll()
        latencies.sort()
        func q(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))] }
        print(String(format: "freeze '%@' x%d: p50 %.3f ms, p99 %.3f ms, max %.3f ms (goal p99 < 2 ms)",
                     thread, count, q(0.5), q(0.99), latencies.last ?? 0))
    }
}
