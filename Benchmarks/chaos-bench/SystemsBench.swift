import ArgumentParser
import ChaosCore
import Foundation

/// The same chaos workload, fault-free, against raft-node and against etcd: acknowledged ops/s of each and
/// their ratio, so raft-node's speed is read next to a production Raft on the same machine.
struct SystemsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "systems",
        abstract: "Run one chaos cas-register workload against raft-node and etcd; print both ok/s and the ratio.")

    @Option(help: "How long each system is driven, e.g. 10s.")
    var duration = "10s"

    @Option(help: "Concurrent chaos clients.")
    var clients = 16

    @Option(name: .customLong("raft-node"), help: "The raft-node binary.")
    var raftNode = ".build/release/raft-node"

    @Option(help: "The etcd binary; default: etcd on PATH (apt-get install etcd-server).")
    var etcd: String?

    @Option(help: "Where the two runs' directories go (kept for their reports).")
    var out = ".build/bench-runs"

    func run() async throws {
        let directory = NSTemporaryDirectory() + "chaos-systems-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var figures: [String] = []
        var rates: [String: Double] = [:]
        for system in ["raft-node", "etcd"] {
            let binary = system == "etcd" ? etcd.map { "\n  binary: \($0)" } ?? "" : "\n  binary: \(raftNode)"
            let plan = "\(directory)/\(system).yaml"
            try """
                name: bench-\(system)
                duration: \(duration)
                cluster:
                  system: \(system)
                  nodes: 3
                  network: loopback
                  election_timeout: 1s
                  heartbeat: 100ms\(binary)
                workload: { kind: cas-register, keys: 8, clients: \(clients), rate: unlimited, timeout: 1s }
                checks: { stats: {} }
                """.write(toFile: plan, atomically: true, encoding: .utf8)
            let code = await Runner.run(RunOptions(planPath: plan, outputRoot: out, seed: 1, quiet: true))
            guard code == .valid,
                  let data = FileManager.default.contents(atPath: "\(out)/latest/results.json"),
                  let results = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let checks = results["checks"] as? [[String: Any]],
                  let stats = checks.first(where: { $0["name"] as? String == "stats" }),
                  let metrics = stats["metrics"] as? [String: Double], let rate = metrics["okPerSecond"]
            else {
                throw ValidationError("the \(system) run ended with exit \(code.rawValue); see \(out)/latest")
            }
            rates[system] = rate
            figures.append(String(format: "%@: %.0f ok/s, p50 %.2f ms, p99 %.2f ms", system, rate,
                                  metrics["latencyP50Ms"] ?? 0, metrics["latencyP99Ms"] ?? 0))
        }
        // After the runs' own summaries, so the figures end the output.
        print("workload: cas-register, 8 keys, \(clients) clients, unlimited rate, \(duration) per system, "
              + "3 nodes on loopback, no faults, fsync on")
        for line in figures { print(line) }
        print(String(format: "raft-node / etcd: %.2f", rates["raft-node"]! / rates["etcd"]!))
    }
}
