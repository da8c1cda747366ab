import ChaosHistory
import Testing

@testable import ChaosChecker

/// The zone check (Gibbons–Korach) only ever proves `invalid`: on thousands of small random histories with
/// unique values, every partition it proves is one a brute-force oracle finds no linearization for, and it
/// proves most of the invalid ones without a search.
@Suite("zone check against the oracle", .timeLimit(.minutes(2)))
struct ZoneCheckTests {
    typealias Random = OracleTests.Random

    typealias Op = BruteForce.Call

    /// A random history over one key with unique written values: 4 processes; reads see a value written so far,
    /// the initial one, or nil; every outcome. `kv`: puts and appends of fresh strings and gets of strings built
    /// from them; else writes and CAS of fresh integers and reads.
    static func history(_ rng: inout Random, kv: Bool) -> History {
        var ops: [Operation] = []
        var open: [Int: Operation] = [:]
        var processes = [0, 1, 2, 3]
        var nextProcess = 4
        var fresh: Int64 = 0
        var seen: [Value] = kv ? [.string("")] : [.int(0)]  // states a read may plausibly return
        for _ in 0..<(6 + rng.next(10)) {
            let slot = rng.next(processes.count)
            let p = processes[slot]
            if let invoke = open.removeValue(forKey: p) {
                var done = invoke
                done.type = [OpType.ok, .ok, .ok, .ok, .fail, .info][rng.next(6)]
                if invoke.f == "read" || invoke.f == "get" {
                    done.type = rng.next(5) == 0 ? .info : .ok
                    done.value = rng.next(8) == 0 ? nil : seen[rng.next(seen.count)]
                }
                ops.append(done)
                if done.type == .info {
                    processes[slot] = nextProcess
                    nextProcess += 1
                }
                continue
            }
            fresh += 1
            let f: String
            let value: Value
            if kv {
                f = ["get", "get", "put", "append", "append"][rng.next(5)]
                value = f == "get" ? nil : .string("v\(fresh);")
                if f == "put" { seen.append(value) }
                if f == "append" { seen.append(.string((seen[rng.next(seen.count)].stringValue ?? "") + "v\(fresh);")) }
            } else {
                f = ["read", "read", "write", "cas"][rng.next(4)]
                value = switch f {
                case "write": .int(fresh)
                case "cas": [seen[rng.next(seen.count)], .int(fresh)]
                default: nil
                }
                if f == "write" { seen.append(value) }
                if f == "cas" { seen.append(.int(fresh)) }
            }
            let op = Operation(time: Int64(ops.count), process: p, type: .invoke, f: f, value: value)
            open[p] = op
            ops.append(op)
        }
        var h = History(ops)
        h.reindex()
        return h
    }

    /// Is there an order of the calls that respects real time and the model (`cas-register` in Knossos semantics
    /// starting at 0, or Porcupine's kv starting at "")?
    static func oracle(_ history: History, kv: Bool) -> Verdict {
        let ops = BruteForce.calls(history)
        func isRead(_ o: Op) -> Bool { o.f == "read" || o.f == "get" }
        func required(_ o: Op) -> Bool { o.type == .ok && !(isRead(o) && o.output.isNull) }
        func optional(_ o: Op) -> Bool { o.type == .info && !isRead(o) }
        // `Value` is nil-literal convertible: spell the missing state out, or `nil` would read as `.null`.
        func apply(_ o: Op, _ state: Value) -> Value? {
            switch o.f {
            case "read", "get": return state == o.output ? .some(state) : .none
            case "write", "put": return .some(o.value)
            case "append": return .some(.string((state.stringValue ?? "") + (o.value.stringValue ?? "")))
            default:
                let pair = o.value.vectorValue!
                return state == pair[0] ? .some(pair[1]) : .none
            }
        }
        return BruteForce.linearizable(ops, from: kv ? Value.string("") : .int(0), interval: { ($0.call, $0.ret) },
                                       required: required, optional: optional, apply: apply) ? .valid : .invalid
    }

    @Test("a zone proof is always an invalid history; the verdict agrees with the oracle", arguments: [false, true])
    func sound(kv: Bool) throws {
        var rng = Random(state: kv ? 23 : 29)
        var invalid = 0
        var proven = 0
        var options = Linearizability.Options(timeLimit: .seconds(10))
        options.zoneSearch = .zero  // the zones' own proof, never replaced by the search's
        for _ in 0..<3000 {
            let history = Self.history(&rng, kv: kv)
            let expected = Self.oracle(history, kv: kv)
            let report = try Linearizability.check(history, model: kv ? .kv : .casRegister, options: options)
            #expect(report.verdict == expected, "\(EDNWriter.history(history))")
            if report.verdict != expected { break }
            if expected == .invalid { invalid += 1 }
            if let proof = report.counterexample?.proof {
                proven += 1
                #expect(!proof.isEmpty && !(report.counterexample?.unplaced.isEmpty ?? true))
            }
        }
        // The check must have something to do, and do it: most invalid histories proven by zones alone.
        #expect(invalid > 300 && proven * 2 > invalid, "invalid \(invalid), proven by zones \(proven)")
    }

    @Test("a lost write is proven with the operations that show it")
    func lostWrite() throws {
        // p0 writes 1 (ok), then p1 reads 0: the initial state after the write completed.
        var history = History([
            Operation(time: 0, process: 0, type: .invoke, f: "write", value: 1),
            Operation(time: 1, process: 0, type: .ok, f: "write", value: 1),
            Operation(time: 2, process: 1, type: .invoke, f: "read"),
            Operation(time: 3, process: 1, type: .ok, f: "read", value: 0),
        ])
        history.reindex()
        var options = Linearizability.Options()
        options.zoneSearch = .zero
        let report = try Linearizability.check(history, model: .casRegister, options: options)
        #expect(report.verdict == .invalid)
        let proof = try #require(report.counterexample?.proof)
        #expect(proof.contains("state 0") && proof.contains("#0") && proof.contains("#2"), "\(proof)")
        #expect(report.counterexample?.unplaced.map(\.position).sorted() == [0, 2])
    }

    @Test("repeated values turn the zone check off: the search alone decides")
    func repeatedValues() throws {
        // Two writes of 1: a read of 1 after the second need not have seen the first.
        var history = History([
            Operation(time: 0, process: 0, type: .invoke, f: "write", value: 1),
            Operation(time: 1, process: 0, type: .ok, f: "write", value: 1),
            Operation(time: 2, process: 0, type: .invoke, f: "write", value: 2),
            Operation(time: 3, process: 0, type: .ok, f: "write", value: 2),
            Operation(time: 4, process: 0, type: .invoke, f: "write", value: 1),
            Operation(time: 5, process: 0, type: .ok, f: "write", value: 1),
            Operation(time: 6, process: 1, type: .invoke, f: "read"),
            Operation(time: 7, process: 1, type: .ok, f: "read", value: 1),
        ])
        history.reindex()
        var options = Linearizability.Options()
        options.zoneSearch = .zero
        #expect(try Linearizability.check(history, model: .casRegister, options: options).verdict == .valid)
    }
}
