import ChaosHistory

/// Generates histories that are not linearizable, of the shapes real runs produce: many concurrent clients over
/// a few keys, a share of indeterminate writes, and exactly one injected anomaly.
///
/// A simulation first produces a linearizable history by construction (each operation takes effect at one
/// instant between its invocation and its completion, on a true state); then one anomaly is injected where
/// no linearization can explain it:
/// - `stale-read`: a read returns the value of a write A although a write B began after A ended and ended before
///   the read began;
/// - `lost-write`: an acknowledged write vanishes: every read that saw it sees what was there before instead;
/// - `read-twice`: two reads return the same value although a write ended between them.
/// Written values are unique, so no other write can explain the anomaly.
struct InvalidHistories {
    enum Anomaly: String, CaseIterable, Sendable {
        case staleRead = "stale-read", lostWrite = "lost-write", readTwice = "read-twice"
    }

    struct Spec: Sendable {
        /// `kv`, `register` or `cas-register`.
        var model: String
        var operations: Int
        var clients: Int
        var keys = 10
        /// Share of writes that end `info`; half of those never take effect.
        var infoShare = 0.1
        var anomaly: Anomaly
        var seed: UInt64 = 1
    }

    /// One simulated call: its events in the history and what it did to the truth.
    private struct Call {
        var f: String
        var key: Int
        var value: Value
        var output: Value = .null
        var invoke: Int
        var completion: Int?
        var applied = false
        var ok = false
        var willInfo = false
    }

    private var spec: Spec
    private var rng: SplitMix
    private var ops: [Operation] = []
    private var calls: [Call] = []
    private var truth: [Value]
    private var written: [[Value]]
    private var counter: Int64 = 0

    init(_ spec: Spec) {
        self.spec = spec
        rng = SplitMix(state: spec.seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(spec.operations))
        truth = Array(repeating: spec.model == "kv" ? .string("") : .null, count: spec.keys)
        written = Array(repeating: [], count: spec.keys)
    }

    /// The history and a line saying what was injected where; nil when no place fit the anomaly.
    static func generate(_ spec: Spec) -> (history: History, injected: String)? {
        var generator = InvalidHistories(spec)
        generator.simulate()
        guard let injected = generator.inject() else { return nil }
        var history = History(generator.ops)
        history.reindex()
        return (history, injected)
    }

    private mutating func simulate() {
        var process = Array(0..<spec.clients)
        var nextProcess = spec.clients
        var busy: [Int?] = Array(repeating: nil, count: spec.clients)  // slot → call
        var invoked = 0
        var time: Int64 = 0
        while true {
            let active = busy.indices.filter { busy[$0] != nil }
            let idle = busy.indices.filter { busy[$0] == nil }
            if active.isEmpty && invoked == spec.operations { break }
            time += Int64(1 + rng.next(1000)) * 1000
            if invoked < spec.operations, !idle.isEmpty, active.isEmpty || rng.next(100) < 40 {
                let slot = idle[rng.next(idle.count)]
                busy[slot] = invoke(process: process[slot], time: time)
                invoked += 1
                continue
            }
            let slot = active[rng.next(active.count)]
            let c = busy[slot]!
            if !calls[c].applied && !(calls[c].willInfo && rng.next(2) == 0) {
                apply(c)
                continue
            }
            complete(c, process: process[slot], time: time)
            busy[slot] = nil
            if calls[c].willInfo {
                // A client whose operation is indeterminate goes on under a fresh process id (Jepsen).
                process[slot] = nextProcess
                nextProcess += 1
            }
        }
    }

    private mutating func fresh() -> Int64 {
        counter += 1
        return counter
    }

    private mutating func invoke(process: Int, time: Int64) -> Int {
        let key = rng.next(spec.keys)
        let roll = rng.next(100)
        var call: Call
        switch spec.model {
        case "kv":
            let f = roll < 50 ? "get" : roll < 60 ? "put" : "append"
            let value: Value = f == "get" ? .null : .string("x \(process) \(fresh()) y")
            call = Call(f: f, key: key, value: value, invoke: ops.count)
        case "cas-register" where roll >= 70:
            let known = written[key]
            let expected: Value = known.isEmpty || rng.next(10) < 7
                ? (truth[key].isNull ? .int(0) : truth[key]) : known[rng.next(known.count)]
            call = Call(f: "cas", key: key, value: [expected, .int(fresh())], invoke: ops.count)
        default:
            call = roll < 50 ? Call(f: "read", key: key, value: .null, invoke: ops.count)
                : Call(f: "write", key: key, value: .int(fresh()), invoke: ops.count)
        }
        call.willInfo = !isRead(call.f) && rng.next(1000) < Int(spec.infoShare * 1000)
        ops.append(Operation(time: time, process: process, type: .invoke, f: call.f, key: .string("k\(key)"),
                             value: call.value))
        calls.append(call)
        return calls.count - 1
    }

    private func isRead(_ f: String) -> Bool { f == "read" || f == "get" }

    /// The call's linearization point: it acts on the true state now.
    private mutating func apply(_ c: Int) {
        let call = calls[c]
        calls[c].applied = true
        calls[c].ok = true
        switch call.f {
        case "read", "get": calls[c].output = truth[call.key]
        case "write", "put":
            truth[call.key] = call.value
            written[call.key].append(call.value)
        case "append":
            truth[call.key] = .string((truth[call.key].stringValue ?? "") + (call.value.stringValue ?? ""))
        default:  // cas
            let pair = call.value.vectorValue ?? []
            if truth[call.key] == pair[0] {
                truth[call.key] = pair[1]
                written[call.key].append(pair[1])
            } else {
                calls[c].ok = false
            }
        }
    }

    private mutating func complete(_ c: Int, process: Int, time: Int64) {
        let call = calls[c]
        let type: OpType = call.willInfo ? .info : call.ok ? .ok : .fail
        let value = isRead(call.f) ? call.output : call.value
        calls[c].completion = ops.count
        ops.append(Operation(time: time, process: process, type: type, f: call.f, key: .string("k\(call.key)"),
                             value: value, error: call.willInfo ? "timeout" : nil))
    }

    // MARK: - Anomalies

    /// Completed-ok calls of one key in invocation order, with their invocation and completion times.
    private func done(_ key: Int) -> [(call: Int, start: Int64, end: Int64)] {
        calls.indices.compactMap { i in
            let call = calls[i]
            guard call.key == key, call.ok, !call.willInfo, let completion = call.completion else { return nil }
            return (i, ops[call.invoke].time, ops[completion].time)
        }
    }

    private func changes(_ i: Int) -> Bool { !isRead(calls[i].f) && calls[i].ok }

    private mutating func inject() -> String? {
        for offset in 0..<spec.keys {
            let key = (Int(spec.seed) + offset) % spec.keys
            let list = done(key)
            let middle = list.count / 2
            for start in Array(middle..<list.count) + Array(0..<middle) {
                if let text = inject(at: start, in: list) { return text }
            }
        }
        return nil
    }

    private mutating func inject(at a: Int, in list: [(call: Int, start: Int64, end: Int64)]) -> String? {
        let first = list[a]
        // B: a write that begins after `first` ends; R: a read that begins after B ends.
        guard let b = list[(a + 1)...].first(where: { changes($0.call) && $0.start > first.end }),
              let r = list[(a + 1)...].first(where: { isRead(calls[$0.call].f) && $0.start > b.end })
        else { return nil }
        let key = "k\(calls[first.call].key)"
        switch spec.anomaly {
        case .staleRead:
            // The state right after a write (kv: a put) is its value alone.
            guard calls[first.call].f == "write" || calls[first.call].f == "put" else { return nil }
            let stale = calls[first.call].value
            guard calls[r.call].output != stale else { return nil }
            setOutput(r.call, stale)
            return "stale read on \(key): op \(calls[r.call].invoke) reads the value of op \(calls[first.call].invoke), "
                + "overwritten by op \(calls[b.call].invoke)"
        case .readTwice:
            guard isRead(calls[first.call].f), !calls[first.call].output.isNull,
                  calls[r.call].output != calls[first.call].output else { return nil }
            setOutput(r.call, calls[first.call].output)
            return "value read twice on \(key): ops \(calls[first.call].invoke) and \(calls[r.call].invoke) read the "
                + "same value across op \(calls[b.call].invoke)"
        case .lostWrite:
            return loseWrite(first, in: list, key: key)
        }
    }

    /// `first` is an ok read that saw `before`; the next acknowledged write after it vanishes.
    private mutating func loseWrite(_ first: (call: Int, start: Int64, end: Int64),
                                    in list: [(call: Int, start: Int64, end: Int64)], key: String) -> String? {
        guard isRead(calls[first.call].f), !calls[first.call].output.isNull,
              let w = list.first(where: { changes($0.call) && $0.start > first.end }),
              calls[w.call].f != "cas" else { return nil }
        let value = calls[w.call].value
        let before = calls[first.call].output
        var rewritten: [Int] = []
        for (i, start, _) in list where isRead(calls[i].f) {
            if spec.model == "kv" {
                guard let text = calls[i].output.stringValue, let suffix = value.stringValue,
                      let range = text.range(of: suffix) else { continue }
                var lost = text
                lost.removeSubrange(range)
                setOutput(i, .string(lost))
            } else {
                guard calls[i].output == value else { continue }
                setOutput(i, before)
            }
            if start > w.end { rewritten.append(i) }
        }
        guard !rewritten.isEmpty else { return nil }
        return "lost acknowledged write on \(key): op \(calls[w.call].invoke) completed ok but "
            + "\(rewritten.count) later read(s) do not see it"
    }

    private mutating func setOutput(_ call: Int, _ value: Value) {
        calls[call].output = value
        if let completion = calls[call].completion { ops[completion].value = value }
    }
}

/// A small deterministic generator (splitmix64): the same spec gives the same history.
struct SplitMix {
    var state: UInt64

    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(max(bound, 1)))
    }
}
