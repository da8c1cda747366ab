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

    /// Two passes over the history's events, holding per bucket a latency histogram (exact quantiles are picked
    /// from the few latencies of the histogram bucket that holds each rank), never one value per operation.
    /// - Throws: `ReportError` when the history cannot be read.
    init(_ files: RunFiles) throws(ReportError) {
        let lastSample = Double(files.samples.last?.time ?? 0) / 1e9
        var lastTime = files.lastOpTime
        if lastTime == nil { try files.ops.forEach { lastTime = $0.time } }
        let lastOp = Double(lastTime ?? 0) / 1e9
        duration = max(files.results.durationSeconds, lastSample, lastOp, 1)
        var nodes = files.results.nodes
        for sample in files.samples where !nodes.contains(sample.node) { nodes.append(sample.node) }
        self.nodes = nodes
        lag = LagAnalysis(samples: files.samples, events: files.events, nodes: nodes)
        bucket = max(0.5, (duration / 240 * 2).rounded() / 2)

        let count = max(1, Int((duration / bucket).rounded(.up)))
        var latencies = [LatencyQuantiles](repeating: LatencyQuantiles(), count: count)
        var completions = [[Int]](repeating: [0, 0, 0], count: count)
        let bucket = bucket
        /// Every ok latency with the slot of its invocation.
        func okLatencies(_ each: (Int, Int64) -> Void) throws(ReportError) {
            var invoked: [Int: Int64] = [:]
            invoked.reserveCapacity(256)
            try files.ops.forEach { op in
                if op.type == .invoke { invoked[op.process] = op.time; return }
                let slot = min(count - 1, max(0, Int(Double(op.time) / 1e9 / bucket)))
                switch op.type {
                case .ok: completions[slot][0] += 1
                case .fail: completions[slot][1] += 1
                default: completions[slot][2] += 1
                }
                guard let start = invoked.removeValue(forKey: op.process), op.type == .ok else { return }
                each(min(count - 1, max(0, Int(Double(start) / 1e9 / bucket))), op.time - start)
            }
        }
        try okLatencies { latencies[$0].add($1) }
        let completed = completions
        // The second pass keeps only latencies in the histogram buckets holding a wanted rank of their slot.
        let places = latencies.map { $0.count == 0 ? [] : $0.locate([$0.rank(0.5), $0.rank(0.99)]) }
        let wanted = places.map { Set($0.map(\.bucket)) }
        var kept = [[Int: [Int64]]](repeating: [:], count: count)
        try okLatencies { slot, latency in
            let b = LatencyQuantiles.bucket(latency)
            if wanted[slot].contains(b) { kept[slot][b, default: []].append(latency) }
        }
        completions = completed
        var p50: [(x: Double, y: Double)] = [], p99: [(x: Double, y: Double)] = [], top: [(x: Double, y: Double)] = []
        var ok: [(x: Double, y: Double)] = [], fail: [(x: Double, y: Double)] = [], info: [(x: Double, y: Double)] = []
        for i in 0..<count {
            let x = (Double(i) + 0.5) * bucket
            // The last bucket is usually cut short by the end of the run: divide by what it covers.
            let width = max(min(bucket, duration - Double(i) * bucket), bucket / 10)
            ok.append((x, Double(completions[i][0]) / width))
            fail.append((x, Double(completions[i][1]) / width))
            info.append((x, Double(completions[i][2]) / width))
            guard latencies[i].count > 0 else {
                p50.append((x, .nan)); p99.append((x, .nan)); top.append((x, .nan))
                continue
            }
            let picked = places[i].map { place in
                kept[i][place.bucket].map { $0.sorted()[place.within] } ?? 0
            }
            p50.append((x, Double(picked[0]) / 1e6))
            p99.append((x, Double(picked[1]) / 1e6))
            top.append((x, Double(latencies[i].max) / 1e6))
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
