import ChaosHistory

/// The brute-force linearizability search the oracle tests compare the checker against: every order of the
/// calls that respects real time, tried one call at a time. Exponential, for histories of a dozen calls.
enum BruteForce {
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
