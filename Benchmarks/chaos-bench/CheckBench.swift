import ArgumentParser
import ChaosChecker
import ChaosHistory
import Foundation

/// `chaos-bench check`: times the linearizability checker on every history of the shared corpus.
///
/// Prints per-file parse and check times (median of `--runs`), totals per corpus group, and peak RSS.
/// Porcupine's figures on this machine, for comparison: 103 etcd logs 458 ms, kv c01+c10+c50 240 ms.
struct CheckBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Time the linearizability checker on the shared corpus.")

    @Option(help: "Runs per file; the median is reported.")
    var runs = 3

    @Option(help: "The corpus folder (default: ../shared/corpus beside the package).")
    var corpus: String?

    @Flag(help: "Print only the totals.")
    var quiet = false

    func run() async throws {
        let root = corpus.map { URL(filePath: $0) } ?? URL(filePath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appending(path: "../shared/corpus").standardized
        let table = try String(contentsOf: root.appending(path: "expected.tsv"), encoding: .utf8)
        var groups: [String: (parse: Double, check: Double, files: Int)] = [:]
        var wrong = 0
        print("file\tverdict\tparse_ms\tcheck_ms\tstates")
        for line in table.split(separator: "\n").dropFirst() {
            let cells = line.split(separator: "\t").map(String.init)
            guard cells.count == 3 else { continue }
            let path = root.appending(path: cells[0]).path
            var parses: [Double] = []
            var checks: [Double] = []
            var report: LinearizabilityReport?
            guard let model = ModelName(rawValue: cells[2]) else {
                throw ValidationError("\(path): unknown model '\(cells[2])' in the manifest (known: \(ModelName.known))")
            }
            for _ in 0..<max(runs, 1) {
                let clock = ContinuousClock()
                let start = clock.now
                let document = try HistoryReader.read(path: path)
                let parsed = clock.now
                report = try Linearizability.check(document.history, model: model, timeLimit: .seconds(60))
                let checked = clock.now
                parses.append(Self.ms(parsed - start))
                checks.append(Self.ms(checked - parsed))
            }
            let verdict = report?.verdict.rawValue ?? "?"
            if verdict != cells[1] { wrong += 1 }
            let group = cells[0].split(separator: "/").prefix(2).joined(separator: "/")
            let (p, c) = (Self.median(parses), Self.median(checks))
            groups[group, default: (0, 0, 0)].parse += p
            groups[group, default: (0, 0, 0)].check += c
            groups[group, default: (0, 0, 0)].files += 1
            if !quiet {
                print("\(cells[0])\t\(verdict)\(verdict == cells[1] ? "" : " (expected \(cells[1]))")\t"
                    + "\(Self.format(p))\t\(Self.format(c))\t\(report?.statesExplored ?? 0)")
            }
        }
        print("\ngroup\tfiles\tparse_ms\tcheck_ms\ttotal_ms")
        var total = (parse: 0.0, check: 0.0)
        for (name, g) in groups.sorted(by: { $0.key < $1.key }) {
            print("\(name)\t\(g.files)\t\(Self.format(g.parse))\t\(Self.format(g.check))\t\(Self.format(g.parse + g.check))")
            total.parse += g.parse
            total.check += g.check
        }
        print("all\t\(groups.values.reduce(0) { $0 + $1.files })\t\(Self.format(total.parse))\t"
            + "\(Self.format(total.check))\t\(Self.format(total.parse + total.check))")
        print(Self.encodeThroughput())
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        print("peak RSS: \(usage.ru_maxrss / 1024) MiB; wrong verdicts: \(wrong)")
    }

    /// How fast the recorder's JSONL encoder appends operations (it must sustain ≥ 1,000,000 ops/s).
    static func encodeThroughput() -> String {
        let ops = [
            Operation(index: 123_456, time: 98_765_432_100, process: 17, type: .invoke, f: "cas", key: "k3",
                      value: [.int(1), .int(2)]),
            Operation(index: 123_457, time: 98_765_532_100, process: 17, type: .info, f: "cas", key: "k3",
                      value: [.int(1), .int(2)], error: "timeout", node: "n2"),
        ]
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20)
        let count = 2_000_000
        let clock = ContinuousClock()
        let start = clock.now
        for i in 0..<count {
            JSONLCodec.encode(ops[i & 1], into: &buffer)
            if buffer.count > 1 << 20 - 256 { buffer.removeAll(keepingCapacity: true) }
        }
        let seconds = ms(clock.now - start) / 1e3
        return String(format: "JSONL encode: %.2f M ops/s", Double(count) / seconds / 1e6)
    }

    static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    static func format(_ ms: Double) -> String { String(format: "%.2f", ms) }
}
