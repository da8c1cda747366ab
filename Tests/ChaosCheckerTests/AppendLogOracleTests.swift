import ChaosHistory
import Testing

@testable import ChaosChecker

/// The `append-log` model agrees with a brute-force oracle on small random histories.
@Suite("append-log oracle", .timeLimit(.minutes(2)))
struct AppendLogOracleTests {
    struct Op {
        var isAppend: Bool
        var entry: String
        var output: Value
        var type: OpType
        var call: Int
        var ret: Int
    }

    /// Random appends of distinct entries with plausible (sometimes wrong) indexes, and reads of prefixes.
    static func history(_ rng: inout OracleTests.Random) -> History {
        var ops: [Operation] = []
        var open: [Int: Operation] = [:]
        var processes = [0, 1, 2]
        var next = 3
        var log: [String] = []
        var entries = 0
        for _ in 0..<(4 + rng.next(9)) {
            let slot = rng.next(processes.count)
            let p = processes[slot]
            if let invoke = open.removeValue(forKey: p) {
                var done = invoke
                done.type = [OpType.ok, .ok, .ok, .info, .fail][rng.next(5)]
                if invoke.f == "append" {
                    if rng.next(3) > 0 { log.append(invoke.value.stringValue!) }
                    done.value = .int(Int64(log.count + rng.next(2)))
                } else {
                    let cut = max(0, log.count - rng.next(2))
                    var seen = Array(log.prefix(cut))
                    if rng.next(6) == 0 { seen.shuffle() }
                    done.value = .vector(seen.map { .string($0) })
                }
                ops.append(done)
                if done.type == .info {
                    processes[slot] = next
                    next += 1
                }
            } else {
                let isAppend = rng.next(3) > 0
                var op = Operation(time: Int64(ops.count), process: p, type: .invoke, f: isAppend ? "append" : "read")
                if isAppend {
                    op.value = .string("e\(entries)")
                    entries += 1
                }
                open[p] = op
                ops.append(op)
            }
        }
        var h = History(ops)
        h.reindex()
        return h
    }

    static func oracle(_ history: History) -> Verdict {
        var ops: [Op] = []
        var open: [Int: Int] = [:]
        for (i, op) in history.operations.enumerated() {
            if op.type == .invoke {
                open[op.process] = ops.count
                ops.append(Op(isAppend: op.f == "append", entry: op.value.stringValue ?? "", output: nil, type: .info,
                              call: i, ret: Int.max))
            } else if let k = open.removeValue(forKey: op.process) {
                ops[k].type = op.type
                ops[k].output = op.value
                if op.type != .info { ops[k].ret = i }
            }
        }
        func required(_ o: Op) -> Bool { o.type == .ok }
        func optional(_ o: Op) -> Bool { o.type == .info && o.isAppend }
        var placed = Array(repeating: false, count: ops.count)
        var log: [String] = []
        var lastIndex = Int64.min
        func search() -> Bool {
            let remaining = ops.indices.filter { !placed[$0] && required(ops[$0]) }
            if remaining.isEmpty { return true }
            for o in ops.indices where !placed[o] && (required(ops[o]) || optional(ops[o])) {
                if remaining.contains(where: { $0 != o && ops[$0].ret < ops[o].call }) { continue }
                let op = ops[o]
                let savedIndex = lastIndex
                if op.isAppend {
                    if op.type == .ok {
                        let index = op.output.intValue!
                        guard index > lastIndex else { continue }
                        lastIndex = index
                    }
                    log.append(op.entry)
                } else if op.output != .vector(log.map { .string($0) }) {
                    continue
                }
                placed[o] = true
                let found = search()
                placed[o] = false
                if op.isAppend { log.removeLast() }
                lastIndex = savedIndex
                if found { return true }
            }
            return false
        }
        return search() ? .valid : .invalid
    }

    @Test("agrees with the oracle on 3,000 histories")
    func agree() throws {
        var rng = OracleTests.Random(state: 99)
        var counts: [Verdict: Int] = [:]
        for _ in 0..<3000 {
            let history = Self.history(&rng)
            let expected = Self.oracle(history)
            let report = try Linearizability.check(history, model: .appendLog, timeLimit: .seconds(10))
            counts[report.verdict, default: 0] += 1
            #expect(report.verdict == expected, "\(EDNWriter.history(history))")
            if report.verdict != expected { break }
        }
        #expect((counts[.valid] ?? 0) > 300 && (counts[.invalid] ?? 0) > 300, "\(counts)")
    }
}
