import ArgumentParser
import ChaosControl
import Foundation
import RaftNode
import RaftNodeHarness

/// The disk layer's cost and speed: raft-node's acknowledged PUTs/s with its data on chaos's FUSE layer next to
/// the plain directory (goal: at least 50 %), and how long a power failure takes to take effect (decision to
/// node dead and undurable data dropped).
struct DiskBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disk",
        abstract: "raft-node PUTs/s on the disk layer vs the plain directory, and the power-failure latency.")

    @Option(help: "How long to drive load per measurement, e.g. 10s.")
    var duration = "10s"

    @Option(help: "Concurrent keep-alive HTTP clients.")
    var clients = 32

    @Option(help: "Measurements per mode (the median is printed).")
    var rounds = 3

    @Option(help: "Power failures to time (under load, on a follower).")
    var failures = 10

    @Option(help: "The raft-node binary (build with `swift build -c release --product raft-node`).")
    var binary: String?

    func run() async throws {
        guard geteuid() == 0 else { throw ValidationError("needs root to mount FUSE") }
        guard let path = binary ?? LocalCluster.findBinary() else {
            throw ValidationError("raft-node binary not found; pass --binary PATH")
        }
        let durationMs = try NodeConfig.milliseconds(duration)
        var plain: [Double] = []
        var cached: [Double] = []
        var powerFailures: [Double] = []
        for round in 0..<rounds {
            // Alternated, so drift in the machine's load hits both modes alike.
            for onLayer in [false, true] {
                let bench = try await BenchCluster.start(binary: path, onLayer: onLayer, label: "r\(round)")
                let puts = NodeBench.drive(http: bench.leaderHTTP, clients: clients, durationMs: durationMs,
                                           valueSize: 64).latenciesUs.count
                (onLayer ? { cached.append($0) } : { plain.append($0) })(Double(puts) * 1000 / Double(durationMs))
                if onLayer, round == 0 { powerFailures = await bench.timePowerFailures(failures, clients: clients) }
                await bench.stop()
            }
        }
        let median = { (values: [Double]) in values.sorted()[values.count / 2] }
        print("binary: \(path)  nodes: 3  clients: \(clients)  duration: \(duration) x \(rounds) rounds  value: 64 B")
        print("plain directory:  puts/s " + plain.map { String(format: "%.0f", $0) }.joined(separator: ", ")
              + String(format: "  (median %.0f)", median(plain)))
        print("disk: cached:     puts/s " + cached.map { String(format: "%.0f", $0) }.joined(separator: ", ")
              + String(format: "  (median %.0f)", median(cached)))
        print(String(format: "cached / plain: %.0f %% (goal >= 50 %%)", 100 * median(cached) / median(plain)))
        if !powerFailures.isEmpty {
            let sorted = powerFailures.sorted()
            print(String(format: "power failure takes effect (kill + drop, %d under load): median %.1f ms, max %.1f ms",
                         sorted.count, sorted[sorted.count / 2], sorted.last!))
        }
    }
}

/// A 3-node raft-node cluster on loopback started through chaos's own `Cluster`, on the layer or not.
struct BenchCluster {
    let cluster: Cluster
    let supervisor: Supervisor
    let disk: DiskLayer?
    let directory: String
    let leaderHTTP: HostPort

    static func start(binary: String, onLayer: Bool, label: String) async throws -> BenchCluster {
        let directory = NSTemporaryDirectory() + "chaos-bench-disk-\(label)-\(onLayer ? "cached" : "plain")"
            + "-\(getpid())"
        let base = 21000 + Int(getpid() % 2000) * 10 + (onLayer ? 6 : 0)
        let nodes = (1...3).map { NodeAddress(id: "n\($0)", host: "127.0.0.1", peerPort: base + $0 * 2,
                                              clientPort: base + $0 * 2 + 1) }
        let supervisor = Supervisor()
        let disk = onLayer ? DiskLayer(seed: 1) : nil
        let cluster = Cluster(system: RaftNodeSystem(binary: binary), nodes: nodes, directory: directory,
                              supervisor: supervisor, start: .now, disk: disk)
        try cluster.launchAll()
        let leader = try await cluster.awaitLeader(timeout: .seconds(10))
        let address = nodes.first { $0.id == leader }!
        return BenchCluster(cluster: cluster, supervisor: supervisor, disk: disk, directory: directory,
                            leaderHTTP: HostPort(host: address.host, port: address.clientPort))
    }

    /// Power-fails a follower `count` times while `clients` keep writing; each figure is decision to dropped.
    func timePowerFailures(_ count: Int, clients: Int) async -> [Double] {
        guard let disk else { return [] }
        let load = Task.detached { [leaderHTTP] in
            _ = NodeBench.drive(http: leaderHTTP, clients: clients / 2, durationMs: count * 1500 + 1000, valueSize: 64)
        }
        var figures: [Double] = []
        let followers = cluster.nodes.filter { $0.clientPort != leaderHTTP.port }.map(\.id)
        for i in 0..<count {
            let node = followers[i % followers.count]
            try? await Task.sleep(for: .milliseconds(700))
            let start = ContinuousClock.now
            disk.freeze(node)
            await cluster.kill(node)
            _ = disk.powerOff(node, torn: false, fraction: 0)
            let took = ContinuousClock.now - start
            figures.append(Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15)
            disk.powerOn(node)
            try? cluster.launch(node)
            try? await Task.sleep(for: .milliseconds(700))
        }
        await load.value
        return figures
    }

    func stop() async {
        await cluster.shutdown(grace: .seconds(5))
        await supervisor.killAll()
        disk?.detachAll()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
