import ChaosHistory
import Foundation
import Testing

@testable import ChaosChecker

/// Mutated corpus histories never crash or hang the checker: each gets a verdict or a `CheckerError`
/// pointing at an operation of the history.
@Suite("checker fuzzing", .timeLimit(.minutes(3)))
struct CheckerFuzzTests {
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 2_685_821_657_736_338_717) % UInt64(max(bound, 1)))
        }
    }

    /// Rewrites operations the way broken clients and truncated files do.
    static func mutate(_ history: History, _ rng: inout Random) -> History {
        var ops = history.operations
        for _ in 0..<(1 + rng.next(6)) where !ops.isEmpty {
            let i = rng.next(ops.count)
            switch rng.next(7) {
            case 0: ops.remove(at: i)
            case 1: ops[i].type = OpType.allCases[rng.next(4)]
            case 2: ops[i].value = [.int(Int64(rng.next(5))), .int(Int64(rng.next(5)))]
            case 3: ops[i].value = [.null, "x", [[.keyword("read"), .keyword("x"), 1]], .int(Int64.max), .double(1.5)][rng.next(5)]
            case 4: ops[i].process = rng.next(8)
            case 5: ops.swapAt(i, rng.next(ops.count))
            default: ops.insert(ops[rng.next(ops.count)], at: i)
            }
        }
        return History(ops)
    }

    @Test("1,000 mutated histories through every model")
    func fuzz() throws {
        let files = ["knossos/cas-register/bad/cas-failure.edn", "knossos/multi-register/good/multi-register.edn",
                     "porcupine/kv/c01-ok.txt", "porcupine/etcd/etcd_040.log"]
        let seeds = try files.map { file in
            let document = try HistoryReader.read(path: Corpus.root.appending(path: file).path)
            return History(Array(document.history.operations.prefix(120)))
        }
        var rng = Random(state: 42)
        var verdicts: [Verdict: Int] = [:]
        var errors = 0
        for round in 0..<1000 {
            let history = Self.mutate(seeds[round % seeds.count], &rng)
            let model = ModelName.allCases[rng.next(ModelName.allCases.count)]
            do {
                let report = try Linearizability.check(history, model: model, timeLimit: .milliseconds(200))
                verdicts[report.verdict, default: 0] += 1
            } catch {
                errors += 1
                if let position = error.operation { #expect(position >= 0 && position < history.count) }
                #expect(!error.message.isEmpty)
            }
        }
        #expect(errors > 0 && (verdicts[.valid] ?? 0) > 0 && (verdicts[.invalid] ?? 0) > 0, "\(verdicts), \(errors) errors")
    }
}
