import ChaosChecker
import ChaosHistory

/// The time series the report draws, derived once from a run's files.
struct RunSeries {
    var duration: Double
    var nodes: [String]
    var lag: LagAnalysis
    /// Seconds per bucket of the latency and throughput series.
    var bucket: Double
    /// Per bucket (by invocation time): p50, p99 and max latency of ok operations, in milliseconds.
    var latency: (p50: [(x: Double, y: Double)], p99: [(x: Double, y: Double)], max: [(x: Double, y: Double)])
    /// Per bucket (by completion time): completions per second of each type.
    var throughput: (ok: [(x: Double, y: Double)], fail: [(x: Double, y: Double)], info: [(x: Double, y: Double)])

    init(_ files: RunFiles) {
        let lastSample = Double(files.samples.last?.time ?? 0) / 1e9
        let lastOp = Double(files.ops.last?.time ?? 0) / 1e9
        duration = max(files.results.durationSeconds, lastSample, lastOp, 1)
        var nodes = files.results.nodes
        for sample in files.samples where !nodes.contains(sample.node) { nodes.append(sample.node) }
        self.nodes = nodes
        lag = LagAnalysis(samples: files.samples, events: files.events, nodes: nodes)
        bucket = max(0.5, (duration / 240 * 2).rounded() / 2)

        let count = max(1, Int((duration / bucket).rounded(.up)))
        var latencies = [[Int64]](repeating: [], count: count)
        var completions = [[Int]](repeating: [0, 0, 0], count: count)
        var invoked: [Int: Int64] = [:]
        invoked.reserveCapacity(256)
        for op in files.ops {
            if op.type == .invoke { invoked[op.process] = op.time; continue }
            let slot = min(count - 1, max(0, Int(Double(op.time) / 1e9 / bucket)))
            switch op.type {
            case .ok: completions[slot][0] += 1
            case .fail: completions[slot][1] += 1
            default: completions[slot][2] += 1
            }
            guard let start = invoked.removeValue(forKey: op.process), op.type == .ok else { continue }
            latencies[min(count - 1, max(0, Int(Double(start) / 1e9 / bucket)))].append(op.time - start)
        }
        var p50: [(x: Double, y: Double)] = [], p99: [(x: Double, y: Double)] = [], top: [(x: Double, y: Double)] = []
        var ok: [(x: Double, y: Double)] = [], fail: [(x: Double, y: Double)] = [], info: [(x: Double, y: Double)] = []
        for i in 0..<count {
            let x = (Double(i) + 0.5) * bucket
            // The last bucket is usually cut short by the end of the run: divide by what it covers.
            let width = max(min(bucket, duration - Double(i) * bucket), bucket / 10)
            ok.append((x, Double(completions[i][0]) / width))
            fail.append((x, Double(completions[i][1]) / width))
            info.append((x, Double(completions[i][2]) / width))
            guard !latencies[i].isEmpty else {
                p50.append((x, .nan)); p99.append((x, .nan)); top.append((x, .nan))
                continue
            }
            latencies[i].sort()
            let sorted = latencies[i]
            p50.append((x, Double(Self.rank(sorted, 0.5)) / 1e6))
            p99.append((x, Double(Self.rank(sorted, 0.99)) / 1e6))
            top.append((x, Double(sorted.last!) / 1e6))
        }
        latency = (p50, p99, top)
        throughput = (ok, fail, info)
    }

    /// Index, RSS (MB) or any other per-node sample value as one series per node, broken where it did not answer.
    func perNode(_ samples: [Sample], _ value: (Sample) -> Double?) -> [ChartSeries] {
        var points: [String: [(x: Double, y: Double)]] = [:]
        for sample in samples {
            let v = sample.answered ? value(sample) : nil
            points[sample.node, default: []].append((Double(sample.time) / 1e9, v ?? .nan))
        }
        return nodes.enumerated().compactMap { i, node in
            guard let series = points[node], series.contains(where: { $0.y.isFinite }) else { return nil }
            return ChartSeries(name: node, color: Palette.node(i), points: series)
        }
    }

    /// Lag in entries per node over time (the leader is at 0; a node that does not answer keeps its last index).
    func lagSeries() -> [ChartSeries] {
        nodes.enumerated().compactMap { i, node in
            guard let points = lag.points[node], !points.isEmpty else { return nil }
            return ChartSeries(name: node, color: Palette.node(i),
                               points: points.map { (Double($0.time) / 1e9, Double($0.lag)) })
        }
    }

    /// Fault windows as shaded bands.
    func bands() -> [ChartBand] {
        lag.windows.map { window in
            let end = window.end.map { Double($0) / 1e9 } ?? duration
            let label = "\(window.fault) \(window.targets.joined(separator: ", ")) "
                + "\(Axis.time(Double(window.start) / 1e9))–\(Axis.time(end))"
            return ChartBand(start: Double(window.start) / 1e9, end: end, color: Palette.fault(window.fault),
                             label: label)
        }
    }

    static func rank(_ sorted: [Int64], _ q: Double) -> Int64 {
        sorted[min(sorted.count - 1, max(0, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
    }
}
