import ChaosHistory
import Testing

@testable import ChaosChecker

/// The search (with its pruning) agrees with a brute-force oracle on thousands of small random histories.
@Suite("brute-force oracle", .timeLimit(.minutes(2)))
struct OracleTests {
    struct Random {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 2_685_821_657_736_338_717) % UInt64(max(bound, 1)))
        }
    }

    typealias Op = BruteForce.Call

    /// A random register history: 3 processes, values 0...2, every outcome.
    static func history(_ rng: inout Random) -> History {
        var ops: [Operation] = []
        var open: [Int: Operation] = [:]
        var nextProcess = 3
        var processes = [0, 1, 2]
        for _ in 0..<(4 + rng.next(10)) {
            let slot = rng.next(processes.count)
            let p = processes[slot]
            if let invoke = open.removeValue(forKey: p) {
                var done = invoke
                done.type = [OpType.ok, .ok, .ok, .fail, .info][rng.next(5)]
                if invoke.f == "read" { done.value = [nil, 0, 1, 2][rng.next(4)] }
                ops.append(done)
                if done.type == .info {
                    processes[slot] = nextProcess
                    nextProcess += 1
                }
            } else {
                let f = ["read", "write", "cas"][rng.next(3)]
                let value: Value = switch f {
                case "write": .int(Int64(rng.next(3)))
                case "cas": [.int(Int64(rng.next(3))), .int(Int64(rng.next(3)))]
                default: nil
                }
                let op = Operation(time: Int64(ops.count), process: p, type: .invoke, f: f, value: value)
                open[p] = op
                ops.append(op)
            }
        }
        var h = History(ops)
        h.reindex()
        return h
    }

    /// Is there an order of the ops that respects real time and the register semantics?
    static func oracle(_ history: History, etcd: Bool) -> Verdict {
        let ops = BruteForce.calls(history)
        // Which ops must be placed, and which may be left out.
        func required(_ o: Op) -> Bool {
            if o.type == .ok { return true }
            return etcd && o.type == .fail && o.f == "cas"
        }
        func optional(_ o: Op) -> Bool { o.type == .info && o.f != "read" }
        let initial: Value? = etcd ? nil : .int(0)

        func apply(_ o: Op, _ state: Value?) -> Value?? {
            switch (o.f, o.type) {
            case ("read", _):
                if o.output.isNull { return etcd ? (state == nil ? .some(state) : nil) : .some(state) }
                return state == o.output ? .some(state) : nil
            case ("write", _): return .some(o.value)
            case ("cas", .fail):
                return state != o.value.vectorValue![0] ? .some(state) : nil
            default:
                let pair = o.value.vectorValue!
                return state == pair[0] ? .some(pair[1]) : nil
            }
        }

        return BruteForce.linearizable(ops, from: initial, interval: { ($0.call, $0.ret) }, required: required,
                                       optional: optional, apply: apply) ? .valid : .invalid
    }

    @Test("cas-register and etcd-register agree with the oracle", arguments: [ModelName.casRegister, .etcdRegister])
    func agree(_ model: ModelName) throws {
        var rng = Random(state: model == .casRegister ? 7 : 11)
        var counts: [Verdict: Int] = [:]
        for _ in 0..<3000 {
            let history = Self.history(&rng)
            let expected = Self.oracle(history, etcd: model == .etcdRegister)
            let report = try Linearizability.check(history, model: model, timeLimit: .seconds(10))
            counts[report.verdict, default: 0] += 1
            #expect(report.verdict == expected, "\(EDNWriter.history(history))")
            if report.verdict != expected { break }
        }
        #expect((counts[.valid] ?? 0) > 300 && (counts[.invalid] ?? 0) > 300, "\(counts)")
    }
}
