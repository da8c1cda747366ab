import ArgumentParser
import ChaosControl
import ChaosCore
import ChaosHistory
import ChaosPlan
import ChaosWorkload
import Foundation

/// The controller's own cost per client operation (goal ≤ 60 µs of CPU), on the client path alone: chaos's
/// workload clients and recorder, in this process, against three raft-node processes on loopback. The nodes are
/// child processes, so this process's CPU time (getrusage RUSAGE_SELF) is the client path's alone.
struct ClientBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client", abstract: "CPU seconds per operation of chaos's client path (workload + recorder).")

    @Option(help: "How long the workload runs per round.")
    var duration = "10s"

    @Option(help: "Concurrent clients.")
    var clients = 8

    @Option(help: "Operations per second over all clients; 0 = as fast as the nodes answer.")
    var rate = 0.0

    @Option(help: "Rounds (the median is reported).")
    var runs = 3

    @Option(name: .customLong("raft-node"), help: "The raft-node binary.")
    var raftNode = ".build/release/raft-node"

    func run() async throws {
        guard let length = Units.parseDuration(duration) else { throw ValidationError("Bad duration '\(duration)'") }
        var perOp: [Double] = []
        for round in 1...runs {
            let directory = NSTemporaryDirectory() + "chaos-client-bench-\(getpid())-\(round)"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try FileManager.default.createDirectory(atPath: "\(directory)/nodes", withIntermediateDirectories: true)
            let ports = LoopbackPorts.allocate(6)
            let nodes = (0..<3).map { i in
                NodeAddress(id: "n\(i + 1)", host: "127.0.0.1", peerPort: ports[2 * i], clientPort: ports[2 * i + 1])
            }
            let supervisor = Supervisor()
            let system = RaftNodeSystem(binary: raftNode, electionTimeout: .seconds(1), heartbeat: .milliseconds(100))
            let cluster = Cluster(system: system, nodes: nodes, directory: "\(directory)/nodes",
                                  supervisor: supervisor, start: .now)
            try cluster.launchAll()
            _ = try await cluster.awaitLeader(timeout: .seconds(20))
            let recorder = try HistoryRecorder(path: "\(directory)/history.jsonl")
            let spec = WorkloadSpec(kind: .casRegister, keys: 8, clients: clients, rate: rate > 0 ? rate : nil,
                                    timeout: .seconds(1))
            let workload = Workload(spec: spec, system: system, cluster: nodes, recorder: recorder, seed: 1)
            let flushing = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                    recorder.flush()
                }
            }
            let before = CPUTime.ofSelf()
            await workload.run(until: .now + length)
            let cpu = CPUTime.ofSelf() - before
            flushing.cancel()
            recorder.close()
            await cluster.shutdown(grace: .seconds(2))
            await supervisor.killAll()
            let ops = Double(recorder.counts.ok + recorder.counts.fail + recorder.counts.info)
            perOp.append(cpu / ops)
            print(String(format: "round %d: %.0f ops in %@ (%.0f ops/s), %.2f s CPU = %.1f µs/op", round, ops,
                         duration, ops / length.seconds, cpu, cpu / ops * 1e6))
        }
        perOp.sort()
        print(String(format: "client path: median %.1f µs CPU per operation over %d rounds (goal <= 60 µs)",
                     perOp[perOp.count / 2] * 1e6, runs))
    }
}

/// The whole controller, as users run it: `chaos run` of a fault-free plan as its own process, its CPU and RSS
/// read from /proc every second while the workload runs. Prints CPU per operation and RSS growth per hour
/// (goal: < 50 MB over an hour at 500 ops/s).
struct ControllerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller", abstract: "CPU per operation and RSS growth of a whole `chaos run` process.")

    @Option(help: "How long the workload runs.")
    var duration = "60s"

    @Option(help: "Operations per second (the issue's figure: 500); 0 = as fast as the nodes answer.")
    var rate = 500

    @Option(help: "Concurrent clients.")
    var clients = 8

    @Option(help: "The chaos binary.")
    var chaos = ".build/release/chaos"

    @Option(name: .customLong("raft-node"), help: "The raft-node binary.")
    var raftNode = ".build/release/raft-node"

    func run() async throws {
        let directory = NSTemporaryDirectory() + "chaos-controller-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let plan = "\(directory)/plan.yaml"
        try """
            name: bench-controller
            duration: \(duration)
            cluster: { system: raft-node, nodes: 3, network: loopback, binary: \(raftNode) }
            workload: { kind: cas-register, keys: 8, clients: \(clients),\(rate > 0 ? " rate: \(rate)/s," : "") timeout: 1s }
            checks: { stats: {} }
            """.write(toFile: plan, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chaos)
        process.arguments = ["run", plan, "--out", "\(directory)/runs", "--quiet", "--seed", "1"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let pid = process.processIdentifier
        let history = "\(directory)/runs/latest/history.jsonl"
        // (seconds since the workload's first op, CPU seconds, RSS bytes, history bytes)
        var readings: [(Double, Double, Double, Int)] = []
        var started: ContinuousClock.Instant?
        while process.isRunning {
            try await Task.sleep(for: .seconds(1))
            let size = (try? FileManager.default.attributesOfItem(atPath: history)[.size] as? Int) ?? 0
            guard size > 0, let cpu = CPUTime.of(pid), let rss = CPUTime.rss(of: pid) else { continue }
            if started == nil { started = .now }
            readings.append(((ContinuousClock.now - started!).seconds, cpu, rss, size))
        }
        let text = (try? String(contentsOfFile: "\(directory)/runs/latest/results.json", encoding: .utf8)) ?? ""
        guard let data = text.data(using: .utf8),
              let results = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let ops = results["ops"] as? [String: Int], let workload = results["durationSeconds"] as? Double,
              readings.count > 4
        else { throw ValidationError("the run left no results; exit \(process.terminationStatus)") }
        let completed = Double(ops["ok", default: 0] + ops["fail", default: 0] + ops["info", default: 0])
        // The workload's window: readings from its second second until it stopped writing history.
        let last = readings.lastIndex { $0.3 < readings.last!.3 } ?? readings.count - 1
        let window = Array(readings[1...max(1, last)])
        let (t0, c0, r0, h0) = window.first!, (t1, c1, r1, h1) = window.last!
        let opsInWindow = completed * Double(h1 - h0) / Double(readings.last!.3)
        print(String(format: "workload: %.0f ops in %.1f s (%.0f ops/s), %d clients, rate %@", completed, workload,
                     completed / workload, clients, rate > 0 ? "\(rate)/s" : "unlimited"))
        print(String(format: "controller CPU: %.2f s over %.0f s of workload = %.1f µs per operation (goal <= 60)",
                     c1 - c0, t1 - t0, (c1 - c0) / opsInWindow * 1e6))
        let peak = window.map(\.2).max()!
        print(String(format: "controller RSS: %.1f MB -> %.1f MB (peak %.1f MB) over %.0f s: %.1f MB/h "
                     + "extrapolated (goal < 50 MB over 1 h at 500 ops/s)", r0 / 1e6, r1 / 1e6, peak / 1e6, t1 - t0,
                     (r1 - r0) / 1e6 * 3600 / (t1 - t0)))
    }
}

/// CPU time and RSS of this or another process, from getrusage and /proc.
enum CPUTime {
    static func ofSelf() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
            + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// utime + stime from /proc/PID/stat (fields 14 and 15, in clock ticks).
    static func of(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    static func rss(of pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Double(line.split(separator: " ")[1])
        else { return nil }
        return kb * 1024
    }
}
