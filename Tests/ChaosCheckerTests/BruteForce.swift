import ChaosHistory

/// The brute-force linearizability search the oracle tests compare the checker against: every order of the
/// calls that respects real time, tried one call at a time. Exponential, for histories of a dozen calls.
enum BruteForce {
    /// One call with its interval: `ret == Int.max` when it never completed (or completed `info`).
    struct Call {
        var f: String
        var value: Value
        var output: Value
        var type: OpType
        var call: Int
        var ret: Int
    }

    /// Each invocation paired with its process's next completion, in invocation order.
    static func calls(_ history: History) -> [Call] {
        var calls: [Call] = []
        var open: [Int: Int] = [:]
        for (i, op) in history.operations.enumerated() {
            if op.type == .invoke {
                open[op.process] = calls.count
                calls.append(Call(f: op.f, value: op.value, output: nil, type: .info, call: i, ret: Int.max))
            } else if let k = open.removeValue(forKey: op.process) {
                calls[k].type = op.type
                calls[k].output = op.value
                if op.type != .info { calls[k].ret = i }
            }
        }
        return calls
    }

    /// Whether some order of `ops` places every required op (and any optional ones), each after every required
    /// op that returned before it was called, with `apply` accepting each in turn from `initial`.
    /// - Parameters:
    ///   - interval: an op's invocation and completion positions (`Int.max`: never completed).
    ///   - allowed: an extra rule on placing op `o` given which are placed already (e.g. a committed order).
    ///   - apply: the state after the op, or nil when it does not fit. `State` may itself be optional (a
    ///     register that starts absent): spell a missing state `.none`, never `nil`, which `Value` reads as
    ///     `.null`.
    static func linearizable<Op, State>(
        _ ops: [Op], from initial: State, interval: (Op) -> (call: Int, ret: Int), required: (Op) -> Bool,
        optional: (Op) -> Bool, allowed: (Int, [Bool]) -> Bool = { _, _ in true }, apply: (Op, State) -> State?
    ) -> Bool {
        var placed = Array(repeating: false, count: ops.count)
        func search(_ state: State) -> Bool {
            let remaining = ops.indices.filter { !placed[$0] && required(ops[$0]) }
            if remaining.isEmpty { return true }
            for o in ops.indices where !placed[o] && (required(ops[o]) || optional(ops[o])) {
                if remaining.contains(where: { $0 != o && interval(ops[$0]).ret < interval(ops[o]).call }) { continue }
                if !allowed(o, placed) { continue }
                guard let after = apply(ops[o], state) else { continue }
                placed[o] = true
                defer { placed[o] = false }
                if search(after) { return true }
            }
            return false
        }
        return search(initial)
    }
}
