import ArgumentParser
import Foundation
import RaftNode
import RaftNodeHarness
import Synchronization

/// Throughput and latency of acknowledged puts on a local raft-node cluster (fsync on).
struct NodeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "node",
        abstract: "Start raft-node processes on loopback and measure acknowledged PUTs/s and latency.")

    @Option(help: "How long to drive load, e.g. 10s.")
    var duration = "10s"

    @Option(help: "Concurrent keep-alive HTTP clients.")
    var clients = 32

    @Option(help: "Cluster size.")
    var nodes = 3

    @Option(help: "The raft-node binary (build with `swift build -c release --product raft-node`).")
    var binary: String?

    @Option(help: "Value size in bytes.")
    var valueSize = 64

    func run() async throws {
        let durationMs = try NodeConfig.milliseconds(duration)
        guard let path = binary ?? LocalCluster.findBinary() else {
            throw ValidationError("raft-node binary not found; pass --binary PATH")
        }
        let cluster = try LocalCluster(binary: path, size: nodes)
        try cluster.startAll()
        let ids = cluster.members.map(\.id)
        guard let leader = cluster.waitForLeader(among: ids, timeout: 10) else {
            throw ValidationError("no leader elected within 10 s; see logs in \(cluster.root)")
        }
        let result = NodeBench.drive(http: cluster.member(leader).http, clients: clients, durationMs: durationMs,
                                     valueSize: valueSize)
        let lat = result.latenciesUs.sorted()
        func pct(_ p: Double) -> Double {
            lat.isEmpty ? 0 : Double(lat[min(lat.count - 1, Int(Double(lat.count) * p))]) / 1000
        }
        let seconds = Double(durationMs) / 1000
        print("binary: \(path)")
        print("nodes: \(nodes)  clients: \(clients)  duration: \(duration)  value: \(valueSize) B  fsync: on")
        print(String(format: "puts/s: %.0f", Double(lat.count) / seconds))
        print(String(format: "p50: %.2f ms", pct(0.50)))
        print(String(format: "p99: %.2f ms", pct(0.99)))
        print("errors: \(result.errors)")
        withExtendedLifetime(cluster) {}
    }

    struct Outcome: Sendable {
        var latenciesUs: [UInt64] = []
        var errors = 0
    }

    /// Runs `clients` threads, each a keep-alive connection doing PUTs back to back until the deadline.
    static func drive(http: HostPort, clients: Int, durationMs: Int, valueSize: Int) -> Outcome {
        let total = Mutex(Outcome())
        let group = DispatchGroup()
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(durationMs) * 1_000_000
        let value = String(repeating: "x", count: valueSize)
        for c in 0..<clients {
            group.enter()
            Thread {
                let client = NodeHTTPClient(http)
                var mine = Outcome()
                var i = 0
                while DispatchTime.now().uptimeNanoseconds < deadline {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let r = try? client.request("PUT", "/kv/c\(c)-\(i % 1000)", body: value)
                    let end = DispatchTime.now().uptimeNanoseconds
                    if r?.status == 200 && end <= deadline {
                        mine.latenciesUs.append((end - start) / 1000)
                    } else if r?.status != 200 {
                        mine.errors += 1
                    }
                    i += 1
                }
                total.withLock {
                    $0.latenciesUs += mine.latenciesUs
                    $0.errors += mine.errors
                }
                group.leave()
            }.start()
        }
        group.wait()
        return total.withLock { $0 }
    }
}
