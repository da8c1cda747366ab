import ChaosPlan
import ArgumentParser
import ChaosControl
import ChaosNet
import Foundation

/// `chaos-bench net`: how long a network fault takes to apply, decision to kernel acknowledgement.
///
/// Builds a real lab (needs root), then applies each kind of change `--applications` times through netlink and
/// times the same change made by an `ip`/`tc` process started directly in the node's namespace (fork, setns,
/// exec, wait), which is what a tc-based tool pays per change. Goal: p99 < 5 ms and faster than the process.
struct NetBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "net", abstract: "Time fault application through netlink against ip/tc processes (root).")

    @Option(help: "Applications per measured change (at least 200 for a meaningful p99).")
    var applications = 200

    @Option(help: "Nodes in the lab.")
    var nodes = 3

    @Option(help: "The lab subnet.")
    var subnet = "10.79.0.0/24"

    func run() async throws {
        print(Capabilities.probe())
        let names = (1...max(nodes, 2)).map { "n\($0)" }
        let created = ContinuousClock.now
        let lab = try Lab.create(nodes: names, subnet: subnet)
        defer { lab.teardown() }
        print("lab of \(names.count) nodes ready in \(Self.format(Self.ms(.now - created))) ms; "
              + "netem available: \(try lab.netemAvailable())")
        print("change\tmechanism\tn\tp50_ms\tp99_ms\tmax_ms")

        let oneWay = PartitionSpec.Shape.oneWay(from: "n1", to: "n2").grudge(nodes: names)
        var partition: [Duration] = []
        var heal: [Duration] = []
        for _ in 0..<applications {
            partition.append(try lab.apply(oneWay, mechanism: .route))
            heal.append(try lab.apply(.none, mechanism: .route))
        }
        report("partition one link (blackhole route)", "netlink", partition)
        report("heal one link (delete route)", "netlink", heal)

        let halves = PartitionSpec.Shape.halves.grudge(nodes: names)
        var big: [Duration] = []
        for _ in 0..<applications {
            big.append(try lab.apply(halves, mechanism: .route))
            try lab.apply(.none, mechanism: .route)
        }
        report("partition halves (\(halves.drops.count) links)", "netlink", big)

        var rates: [Duration] = []
        try lab.setNetem(from: "n1", to: "n2", NetemSpec(rate: 125_000))  // installs the htb tree once
        for i in 0..<applications {
            let rate: UInt64 = i.isMultiple(of: 2) ? 250_000 : 125_000
            rates.append(try lab.setNetem(from: "n1", to: "n2", NetemSpec(rate: rate)))
        }
        report("rate on one link (htb class)", "netlink", rates)

        if try lab.netemAvailable() {
            var netem: [Duration] = []
            for i in 0..<applications {
                netem.append(try lab.setNetem(from: "n1", to: "n2", NetemSpec(delay: .milliseconds(10 + i % 2))))
            }
            report("netem delay on one link", "netlink", netem)
        }

        let supervisor = Supervisor()
        let namespace = lab.namespacePath(of: "n1")
        let peer = "\(lab.address(of: "n2"))/32"
        var ipAdd: [Duration] = []
        var ipDelete: [Duration] = []
        var tcClass: [Duration] = []
        for i in 0..<applications {
            ipAdd.append(try await Self.process(supervisor, namespace, "ip", ["route", "replace", "blackhole", peer]))
            ipDelete.append(try await Self.process(supervisor, namespace, "ip", ["route", "del", "blackhole", peer]))
            tcClass.append(try await Self.process(supervisor, namespace, "tc", [
                "class", "replace", "dev", "eth0", "parent", "1:", "classid", "1:11", "htb",
                "rate", i.isMultiple(of: 2) ? "2mbit" : "1mbit"]))
        }
        report("partition one link (blackhole route)", "ip process", ipAdd)
        report("heal one link (delete route)", "ip process", ipDelete)
        report("rate on one link (htb class)", "tc process", tcClass)
        try lab.heal()
    }

    /// Runs one `ip`/`tc` in `namespace` and returns its wall time to exit; throws if it failed.
    static func process(_ supervisor: Supervisor, _ namespace: String, _ tool: String,
                        _ arguments: [String]) async throws -> Duration {
        let start = ContinuousClock.now
        let child = try supervisor.spawn(ProcessSpec(
            executable: "/usr/sbin/\(tool)", arguments: arguments, stdoutPath: "/dev/null", stderrPath: "/dev/null",
            networkNamespacePath: namespace))
        let status = await supervisor.exitStatus(of: child)
        let elapsed = ContinuousClock.now - start
        guard status.isSuccess else {
            throw ValidationError("\(tool) \(arguments.joined(separator: " ")) failed: \(status)")
        }
        return elapsed
    }

    private func report(_ change: String, _ mechanism: String, _ samples: [Duration]) {
        let sorted = samples.map(Self.ms).sorted()
        guard !sorted.isEmpty else { return }
        let p50 = sorted[sorted.count / 2]
        let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        print("\(change)\t\(mechanism)\t\(sorted.count)\t\(Self.format(p50))\t\(Self.format(p99))\t"
              + Self.format(sorted.last!))
    }

    static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }

    static func format(_ ms: Double) -> String { String(format: "%.3f", ms) }
}
