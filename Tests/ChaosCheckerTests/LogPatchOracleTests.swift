import ChaosHistory
import Testing

@testable import ChaosChecker

/// Log-informed checking against a brute-force oracle, on small random executions of a real register whose
/// committed log is known: the generator plays the system (each write takes effect at one instant of its
/// interval, or never) and writes down both the client history and the log.
@Suite("log patch oracle", .timeLimit(.minutes(2)))
struct LogPatchOracleTests {
    typealias Random = OracleTests.Random

    /// One client operation of the ground truth.
    struct Op {
        var process: Int
        var f: String
        var value: Value
        var output: Value = nil
        var type: OpType = .info
        var call = 0
        var ret = Int.max
        /// Whether it took effect (a write or a CAS that matched); reads: whether they happened.
        var effective = false
        /// Position in the log, when it reached it.
        var logged: Int?
    }

    struct Execution {
        var ops: [Op]
        var history: History
        var log: [CommittedLog.Line]
    }

    /// Plays a register with 3 clients; returns what the clients saw and what the log committed.
    static func execute(_ rng: inout Random) -> Execution {
        var ops: [Op] = []
        var events: [Operation] = []
        var state: Int64?
        var fresh: Int64 = 1
        var written: [Int64] = []
        var log: [CommittedEntry] = []
        var processes = [0, 1, 2]
        var nextProcess = 3
        var current: [Int: Int] = [:]  // slot → op still open for the client
        var inFlight: [Int] = []  // ops that may still take effect (client gave up)
        func takeEffect(_ k: Int) {
            switch ops[k].f {
            case "read":
                ops[k].output = state.map { .int($0) } ?? nil
                ops[k].effective = true
            case "write":
                state = ops[k].value.intValue
                ops[k].effective = true
                log.append(CommittedEntry(index: Int64(log.count + 1), term: 1, node: "n1", op: .put, key: "k",
                                          value: String(state!)))
            default:
                let pair = ops[k].value.vectorValue!
                ops[k].effective = state == pair[0].intValue
                if ops[k].effective { state = pair[1].intValue }
                log.append(CommittedEntry(index: Int64(log.count + 1), term: 1, node: "n1", op: .cas, key: "k",
                                          value: String(pair[1].intValue!), expected: String(pair[0].intValue!)))
            }
            ops[k].logged = ops[k].f == "read" ? nil : log.count
        }
        func record(_ k: Int, _ type: OpType) {
            var op = Operation(time: Int64(events.count), process: ops[k].process, type: type, f: ops[k].f,
                               key: "k", value: ops[k].f == "read" ? ops[k].output : ops[k].value)
            if type == .invoke { op.value = ops[k].f == "read" ? nil : ops[k].value }
            events.append(op)
        }
        for _ in 0..<(12 + rng.next(14)) {
            let slot = rng.next(3)
            if let k = current[slot] {
                if !ops[k].effective && ops[k].logged == nil && rng.next(3) > 0 {
                    takeEffect(k)  // the linearization point
                    continue
                }
                current[slot] = nil
                let done = ops[k].effective || ops[k].logged != nil
                if ops[k].f == "read" {
                    guard done else { current[slot] = k; continue }
                    ops[k].type = .ok
                } else if done {
                    ops[k].type = rng.next(4) == 0 ? .info : (ops[k].effective ? .ok : .fail)
                } else {
                    ops[k].type = rng.next(3) == 0 ? .fail : .info
                    if ops[k].type == .info { inFlight.append(k) }
                }
                ops[k].ret = events.count
                record(k, ops[k].type)
                if ops[k].type == .info {
                    processes[slot] = nextProcess
                    nextProcess += 1
                }
            } else {
                // A new operation; occasionally an in-flight write lands meanwhile.
                if !inFlight.isEmpty && rng.next(3) == 0 { takeEffect(inFlight.removeFirst()) }
                let f = ["read", "write", "cas", "read"][rng.next(4)]
                var value: Value = nil
                if f == "write" {
                    value = .int(fresh)
                    written.append(fresh)
                    fresh += 1
                } else if f == "cas" {
                    let expected = rng.next(2) == 0 || written.isEmpty ? (state ?? 99) : written[rng.next(written.count)]
                    value = [.int(expected), .int(fresh)]
                    written.append(fresh)
                    fresh += 1
                }
                ops.append(Op(process: processes[slot], f: f, value: value, call: events.count))
                current[slot] = ops.count - 1
                record(ops.count - 1, .invoke)
            }
        }
        for k in inFlight where rng.next(2) == 0 { takeEffect(k) }
        var history = History(events)
        history.reindex()
        let lines = log.enumerated().map { CommittedLog.Line(entry: $1, line: $0 + 1) }
        return Execution(ops: ops, history: history, log: lines)
    }

    /// Brute force: an order of the required ops (and any of the optional ones) that respects real time and a
    /// register starting absent. With the log, its rules apply directly from the ground truth: indeterminate
    /// ops that took effect are required, the others are left out, and effective writes keep log order.
    static func oracle(_ history: History, truth: [Op], withLog: Bool) -> Verdict {
        var ops: [Op] = []
        var open: [Int: Int] = [:]
        var byCall: [Int: Op] = [:]
        for op in truth { byCall[op.call] = op }
        for (i, event) in history.operations.enumerated() {
            if event.type == .invoke {
                open[event.process] = ops.count
                var op = byCall[i]!
                op.type = .info
                op.ret = Int.max
                op.output = nil
                ops.append(op)
            } else if let k = open.removeValue(forKey: event.process) {
                ops[k].type = event.type
                ops[k].output = event.value
                if event.type != .info { ops[k].ret = i }
            }
        }
        func required(_ o: Op) -> Bool {
            if o.type == .ok { return o.f != "read" || true }
            return withLog && o.type == .info && o.f != "read" && o.effective
        }
        func optional(_ o: Op) -> Bool { !withLog && o.type == .info && o.f != "read" }
        let order = ops.indices.filter { withLog && ops[$0].effective && ops[$0].f != "read" && (ops[$0].type == .ok
                                         || ops[$0].type == .info) }
            .sorted { ops[$0].logged! < ops[$1].logged! }
        func apply(_ o: Op, _ state: Value) -> Value? {
            // `Optional.none` spelled out: a bare `nil` here would be the register value `.null`.
            switch o.f {
            case "read": return state == o.output ? .some(state) : .none
            case "write": return .some(o.value)
            default:
                let pair = o.value.vectorValue!
                return state == pair[0] ? .some(pair[1]) : .none
            }
        }
        // Effective writes keep the log's order: one is placed only after the one before it in the log.
        func inLogOrder(_ o: Int, _ placed: [Bool]) -> Bool {
            guard let position = order.firstIndex(of: o), position > 0 else { return true }
            return placed[order[position - 1]]
        }
        return BruteForce.linearizable(ops, from: Value.null, interval: { ($0.call, $0.ret) }, required: required,
                                       optional: optional, allowed: inLogOrder, apply: apply) ? .valid : .invalid
    }

    static func check(_ history: History, log: [CommittedLog.Line]?) throws -> LinearizabilityReport {
        try Linearizability.check(history, model: .casRegister, timeLimit: .seconds(10), registersStartAbsent: true,
                                  log: log)
    }

    @Test("a history consistent with its log is valid, and the log resolves exactly the indeterminate writes")
    func consistent() throws {
        var rng = Random(state: 3)
        var resolved = 0
        for _ in 0..<1500 {
            let run = Self.execute(&rng)
            let report = try Self.check(run.history, log: run.log)
            #expect(report.verdict == .valid, "\(EDNWriter.history(run.history)) \(report.log?.findings ?? [])")
            #expect(try Self.check(run.history, log: nil).verdict == .valid)
            let infos = run.ops.filter { $0.type == .info && $0.f != "read" }
            // A write in the log is always placed: every indeterminate op that took effect is made `ok`.
            #expect(report.log?.tookEffect == infos.filter(\.effective).count)
            #expect(report.log?.neverTookEffect == infos.filter { !$0.effective }.count)
            resolved += report.log?.resolved ?? 0
            if report.verdict != .valid { break }
        }
        #expect(resolved > 300)
    }

    @Test("with the log: the same verdict as the oracle with the log's rules, never valid where exact says invalid")
    func mutated() throws {
        var rng = Random(state: 5)
        var counts: [String: Int] = [:]
        for _ in 0..<2500 {
            var run = Self.execute(&rng)
            // A stale or made-up read: one ok read returns another written value (or absent).
            let reads = run.history.operations.indices.filter {
                run.history.operations[$0].f == "read" && run.history.operations[$0].type == .ok
            }
            guard !reads.isEmpty else { continue }
            let values = run.ops.compactMap { $0.f == "write" ? $0.value : $0.value.vectorValue?[1] } + [nil]
            run.history.operations[reads[rng.next(reads.count)]].value = values[rng.next(values.count)]
            let exact = Self.oracle(run.history, truth: run.ops, withLog: false)
            let report = try Self.check(run.history, log: run.log)
            let found = !(report.log?.findings.isEmpty ?? true)
            #expect(!(exact == .invalid && report.verdict == .valid), "\(EDNWriter.history(run.history))")
            #expect(try Self.check(run.history, log: nil).verdict == exact)
            if !found {
                let withLog = Self.oracle(run.history, truth: run.ops, withLog: true)
                #expect(report.verdict == withLog, "\(EDNWriter.history(run.history))")
                if report.verdict != withLog { break }
            }
            counts["\(exact) exact / \(report.verdict) log\(found ? " (finding)" : "")", default: 0] += 1
        }
        #expect(counts.values.reduce(0, +) > 2000, "\(counts)")
        #expect((counts["invalid exact / invalid log"] ?? 0) > 100, "\(counts)")
        #expect((counts["valid exact / invalid log (finding)"] ?? 0) + (counts["valid exact / invalid log"] ?? 0) > 20,
                "the log sees what the exact search cannot: \(counts)")
    }

    @Test("a dropped write is never observable: reading its value is a served-uncommitted-write finding")
    func droppedWriteRead() throws {
        var rng = Random(state: 9)
        var tried = 0
        for _ in 0..<3000 {
            var run = Self.execute(&rng)
            guard let dropped = run.ops.first(where: { $0.type == .info && $0.f == "write" && !$0.effective }),
                  let read = run.history.operations.indices.last(where: {
                      run.history.operations[$0].f == "read" && run.history.operations[$0].type == .ok
                  })
            else { continue }
            run.history.operations[read].value = dropped.value
            let report = try Self.check(run.history, log: run.log)
            #expect(report.verdict == .invalid)
            #expect(report.log?.findings.contains { $0.kind == .uncommittedRead && $0.operation != nil } == true)
            tried += 1
        }
        #expect(tried > 100)
    }
}
