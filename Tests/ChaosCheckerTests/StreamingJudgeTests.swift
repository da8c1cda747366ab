import CHeapProbe
import ChaosHistory
import Foundation
import Glibc
import Testing

@testable import ChaosChecker

/// Judging a run reads `history.jsonl` as a stream: the same results as the history in memory, and no state
/// per operation held by the checkers that only need aggregates.
@Suite("streaming judging", .serialized)
struct StreamingJudgeTests {
    /// A cas-register history over `keys` keys, linearizable by construction (each call takes effect inside its
    /// interval, in call order), with `fail` and `info` completions, some calls never completed, and latencies
    /// spread over four orders of magnitude.
    static func history(calls: Int, keys: Int = 4, clients: Int = 6, seed: UInt64 = 7) -> History {
        var rng = seed
        func next(_ bound: Int) -> Int {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((rng >> 33) % UInt64(bound))
        }
        var registers = [Int64?](repeating: nil, count: keys)
        var process = Array(0..<clients)
        var ops: [ChaosHistory.Operation] = []
        for n in 0..<calls {
            let client = n % clients
            let start = Int64(n) * 1_000_000
            let key = next(keys), roll = next(100)
            let f: String, value: Value
            var completion: Value, type = OpType.ok
            switch next(3) {
            case 0:
                f = "read"; value = .null
                completion = registers[key].map { .int($0) } ?? .null
            case 1:
                let v = Int64(next(20))
                f = "write"; value = .int(v); completion = value
                if roll < 3 { type = .fail } else { registers[key] = v }
            default:
                let expected = Int64(next(20)), new = Int64(next(20))
                f = "cas"; value = .vector([.int(expected), .int(new)]); completion = value
                if registers[key] == expected && roll >= 3 { registers[key] = new } else { type = .fail }
            }
            if roll >= 96 && f != "read" { type = .info }
            ops.append(ChaosHistory.Operation(time: start, process: process[client], type: .invoke, f: f,
                                              key: .string("k\(key)"), value: value, node: "n1"))
            // Completes before the client's next call; one in 500 never completes (the client is replaced).
            if n % 500 == 499 {
                process[client] += clients
                continue
            }
            let latency = Int64(1 + next(5)) * [1_000, 10_000, 100_000, 1_000_000][next(4)] / 1
            ops.append(ChaosHistory.Operation(time: start + 500_000 + min(latency, 4_000_000),
                                              process: process[client], type: type, f: f, key: .string("k\(key)"),
                                              value: completion, error: type == .ok ? nil : "timeout", node: "n1"))
            if type == .info { process[client] += clients }
        }
        var history = History(ops.sorted { $0.time < $1.time })
        history.reindex()
        return history
    }

    /// Writes `history` as chaos JSONL to a fresh file.
    static func file(_ history: History) throws -> String {
        let path = NSTemporaryDirectory() + "streaming-judge-\(getpid())-\(UUID().uuidString).jsonl"
        try Data(JSONLCodec.encode(history)).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A result without the figures that measure the machine rather than the history.
    static func comparable(_ result: CheckResult) -> CheckResult {
        var result = result
        result.metrics["time"] = nil
        result.metrics["states"] = nil  // how far the search went past a proof depends on the threads' turns
        result.summary = result.summary.replacing(/, [0-9]+ states, [0-9.]+s(;|$)/, with: { $0.output.1 })
        return result
    }

    @Test("each checker gives the same result from the file as from memory")
    func sameResults() async throws {
        let history = Self.history(calls: 20_000)
        let path = try Self.file(history)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let events = fault("kill", ["n1"], from: 2, to: 6)
        let checkers: [any Checker] = [
            StatsChecker(minAvailability: 0.5), LivenessChecker(recoverWithin: .seconds(1), opTimeout: .seconds(1)),
            LinearizabilityChecker(model: .casRegister, timeLimit: .seconds(60), registersStartAbsent: true),
        ]
        for checker in checkers {
            let memory = await checker.check(CheckInput(history: history, events: events, duration: 20))
            let file = await checker.check(CheckInput(source: .file(path), events: events, duration: 20))
            #expect(Self.comparable(file) == Self.comparable(memory), "\(checker.name)")
        }
        // Not vacuous: the history has what each checker reports on.
        let stats = await StatsChecker().check(CheckInput(source: .file(path)))
        #expect(stats.metrics["fail"].map { $0 > 100 } == true && stats.metrics["info"].map { $0 > 100 } == true)
        let liveness = await LivenessChecker(recoverWithin: .seconds(1))
            .check(CheckInput(source: .file(path), events: events, duration: 20))
        #expect(liveness.metrics["stuckOps"].map { $0 > 20 } == true)
        let linearizable = await checkers[2].check(CheckInput(source: .file(path)))
        #expect(linearizable.verdict == .valid)
    }

    @Test("a non-linearizable history streamed from a file gives the same counterexample")
    func sameCounterexample() async throws {
        let history = try Self.invalid(calls: 5_000)
        let path = try Self.file(history)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let checker = LinearizabilityChecker(model: .casRegister, timeLimit: .seconds(60), registersStartAbsent: true)
        let memory = await checker.check(CheckInput(history: history))
        let file = await checker.check(CheckInput(source: .file(path)))
        #expect(memory.verdict == .invalid)
        #expect(Self.comparable(file) == Self.comparable(memory))
    }

    /// A history with one early read of a value never written: proven not linearizable in a few steps.
    static func invalid(calls: Int) throws -> History {
        var history = Self.history(calls: calls)
        let read = try #require(history.operations.indices.first {
            $0 > 400 && history.operations[$0].f == "read" && history.operations[$0].type == .ok
        })
        history.operations[read].value = 999
        return history
    }

    @Test("a file checked a batch of keys at a time gives the in-memory verdict and counterexample",
          arguments: [false, true])
    func batches(invalid: Bool) throws {
        let history = invalid ? try Self.invalid(calls: 6_000) : Self.history(calls: 6_000, keys: 7)
        let path = try Self.file(history)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = Linearizability.Options(timeLimit: .seconds(60), registersStartAbsent: true)
        let memory = try Linearizability.check(history, model: .casRegister, options: options)
        options.batchCalls = 1_000  // about one key per batch
        let file = try Linearizability.check(.file(path), model: .casRegister, options: options)
        // Batches really were read: the history was split by key into more than two of them.
        guard case .spilled(let spilled) = try PartitionSpill.read(path, limit: options.batchCalls) else {
            Issue.record("a history of 6,000 calls was not split with batches of 1,000")
            return
        }
        #expect(spilled.batches(limit: options.batchCalls).count > 2)
        #expect(spilled.files.flatMap(\.keys).reduce(0) { $0 + $1.calls } == memory.operations)
        // The spill files are unlinked while still in use: a judging killed now would leave nothing behind.
        let directory = (path as NSString).deletingLastPathComponent
        let left = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix(".linearizability-spill-\(getpid())-") }
        #expect(left.isEmpty, "spill files visible: \(left)")
        #expect(try spilled.partitions([0]).isEmpty == false)
        #expect(memory.verdict == (invalid ? .invalid : .valid))
        #expect(file.verdict == memory.verdict)
        #expect(file.operations == memory.operations && file.partitions == memory.partitions)
        #expect(file.counterexample?.lines() == memory.counterexample?.lines())
    }

    @Test("latency quantiles from two streaming passes equal those of sorting every latency",
          arguments: [1, 2, 99, 100, 101, 12_345])
    func exactQuantiles(count: Int) throws {
        var rng: UInt64 = UInt64(count)
        var all: [Int64] = []
        var quantiles = LatencyQuantiles()
        for _ in 0..<count {
            rng = rng &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let latency = Int64((rng >> 20) % 50_000_000) - 1_000  // a few negative: clocks are not perfect
            all.append(latency)
            quantiles.add(latency)
        }
        let sorted = all.sorted()
        let ranks = [quantiles.rank(0.5), quantiles.rank(0.99)]
        let picked = try quantiles.values(at: ranks) { (each: (Int64) -> Void) throws(HistoryError) in
            all.forEach(each)
        }
        #expect(picked == [quantile(sorted, 0.5), quantile(sorted, 0.99)])
        #expect(quantiles.max == sorted.last)
    }

    /// Heap bytes in use now (glibc's count of allocated bytes; the stream's read buffer is allocated before
    /// the first observation, so growth after it is what the reader's caller keeps).
    static func heapInUse() -> Int { Int(chaos_heap_in_use()) }

    /// The most heap in use past the first observation while `body` reads `path`.
    static func retained(_ body: () async throws -> Void) async rethrows -> Int {
        final class Peak: @unchecked Sendable {
            let lock = NSLock()
            var base: Int?
            var grown = 0
        }
        let peak = Peak()
        try await HistorySource.$observer.withValue({ _ in
            let now = heapInUse()
            peak.lock.withLock {
                if peak.base == nil { peak.base = now }
                peak.grown = max(peak.grown, now - peak.base!)
            }
        }) {
            try await body()
        }
        return peak.lock.withLock { peak.grown }
    }

    /// The least of three `retained` measures: glibc's count is the whole process's, and tests running alongside
    /// allocate too (megabytes at a time); state kept per operation grows in every attempt, their noise does not.
    static func leastRetained(_ body: () async throws -> Void) async rethrows -> Int {
        var least = Int.max
        for _ in 0..<3 where least >= 256 << 10 { least = min(least, try await retained(body)) }
        return least
    }

    @Test("streaming checkers keep no state per operation: 100,000 calls add less than 256 KB to the heap mid-pass")
    func noStatePerOperation() async throws {
        let path = try Self.file(Self.history(calls: 100_000))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let input = CheckInput(source: .file(path), events: fault("kill", ["n1"], from: 2, to: 6), duration: 100)
        let limit = 256 << 10
        for checker in [StatsChecker(), LivenessChecker(recoverWithin: .seconds(1))] as [any Checker] {
            let grown = await Self.leastRetained { _ = await checker.check(input) }
            #expect(grown < limit, "\(checker.name) kept \(grown) bytes")
        }
        let summary = try await Self.leastRetained { _ = try HistorySummary(.file(path)) }
        #expect(summary < limit)
        // The measure sees a reader that keeps the operations (what judging did before: ~25 MB here).
        let kept = try await Self.leastRetained {
            var operations: [ChaosHistory.Operation] = []
            try HistorySource.file(path).forEach { operations.append($0) }
            #expect(operations.count > 190_000)
        }
        #expect(kept > 8 * limit, "keeping every operation grew the heap by only \(kept) bytes")
    }
}
